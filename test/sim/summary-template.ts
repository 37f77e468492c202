/**
 * @module sim/summary-template
 * Replays a captured kubelet Summary at any simulated time without re-encoding it.
 *
 * The JSON text is scanned once into static chunks and "slots": every string `time` field, and
 * every cumulative counter. Rendering only rewrites the slots, so all other bytes (including
 * integers beyond 2^53 such as `18446744073709551615`) are served verbatim.
 * Counter rates (per second): `usageCoreNanoSeconds` grows by the block's `usageNanoCores`
 * (nanocores = core-ns per s) when present; every other counter by its lifetime average,
 * value ÷ (block `time` − nearest enclosing `startTime`), or not at all when that is unknown.
 */
import { rfc3339, wholeSecondMs } from '#test/sim/clock';

const COUNTER_KEYS = new Set([
  'usageCoreNanoSeconds',
  'pageFaults',
  'majorPageFaults',
  'rxBytes',
  'txBytes',
  'rxErrors',
  'txErrors',
]);

interface Frame {
  isObject: boolean;
  /** Raw JSON text of the scalar members, by key. */
  scalars: Map<string, string>;
  parent: Frame | undefined;
  keyInParent: string | undefined;
}

interface RawSlot {
  start: number;
  end: number;
  key: string;
  raw: string;
  frame: Frame;
}

type Slot = { kind: 'time' } | { kind: 'counter'; base: bigint; perSecond: bigint };

export interface SummaryTemplate {
  /** The payload at `nowMs`: times set to `nowMs`, counters advanced by (now − base) × rate. */
  render(nowMs: number, baseMs: number): string;
  /** Number of counters that advance (rate > 0); handy for sanity checks. */
  advancingCounters: number;
}

export function compileSummaryTemplate(text: string): SummaryTemplate {
  const rawSlots = scan(text);
  const chunks: string[] = [];
  const slots: Slot[] = [];
  let cursor = 0;
  for (const raw of rawSlots) {
    chunks.push(text.slice(cursor, raw.start));
    slots.push(compileSlot(raw));
    cursor = raw.end;
  }
  chunks.push(text.slice(cursor));
  const advancingCounters = slots.filter((s) => s.kind === 'counter' && s.perSecond > 0n).length;
  return { render: (nowMs, baseMs) => render(chunks, slots, nowMs, baseMs), advancingCounters };
}

function render(chunks: string[], slots: Slot[], nowMs: number, baseMs: number): string {
  const time = JSON.stringify(rfc3339(nowMs));
  const elapsedSeconds = BigInt((wholeSecondMs(nowMs) - wholeSecondMs(baseMs)) / 1000);
  const parts: string[] = [chunks[0] ?? ''];
  slots.forEach((slot, i) => {
    if (slot.kind === 'time') parts.push(time);
    else {
      const value = slot.base + slot.perSecond * elapsedSeconds;
      parts.push((value < 0n ? 0n : value).toString());
    }
    parts.push(chunks[i + 1] ?? '');
  });
  return parts.join('');
}

function compileSlot(raw: RawSlot): Slot {
  if (raw.key === 'time') return { kind: 'time' };
  const base = BigInt(raw.raw);
  return { kind: 'counter', base, perSecond: counterRate(raw, base) };
}

function counterRate(slot: RawSlot, base: bigint): bigint {
  const nanoCores = slot.frame.scalars.get('usageNanoCores');
  if (slot.key === 'usageCoreNanoSeconds' && nanoCores && isInteger(nanoCores)) {
    return BigInt(nanoCores);
  }
  const lifetime = lifetimeSeconds(slot.frame);
  return lifetime > 0 ? base / BigInt(lifetime) : 0n;
}

/** Seconds from the nearest enclosing `startTime` to the nearest enclosing `time`. */
function lifetimeSeconds(frame: Frame): number {
  const time = Date.parse(nearestString(frame, 'time') ?? '');
  const start = Date.parse(nearestString(frame, 'startTime') ?? '');
  const seconds = Math.floor((time - start) / 1000);
  return Number.isFinite(seconds) ? seconds : 0;
}

function nearestString(frame: Frame | undefined, key: string): string | undefined {
  for (let f = frame; f; f = f.parent) {
    const raw = f.scalars.get(key);
    if (raw?.startsWith('"')) return JSON.parse(raw) as string;
  }
  return undefined;
}

function isInteger(raw: string): boolean {
  return /^[0-9]+$/.test(raw);
}

function isCounter(key: string, raw: string, frame: Frame): boolean {
  if (!isInteger(raw)) return false;
  // PSI `total` (cumulative stall ns) sits in cpu|memory|io.psi.{full,some}.
  return COUNTER_KEYS.has(key) || (key === 'total' && frame.parent?.keyInParent === 'psi');
}

/** Walk the JSON text once, recording the slots in document order. */
function scan(text: string): RawSlot[] {
  const slots: RawSlot[] = [];
  let top: Frame | undefined;
  let pendingKey: string | undefined;
  let expectKey = false;
  let i = 0;
  const onValue = (start: number, end: number): void => {
    const key = pendingKey;
    pendingKey = undefined;
    if (!top?.isObject || key === undefined) return;
    const raw = text.slice(start, end);
    top.scalars.set(key, raw);
    const isTime = key === 'time' && raw.startsWith('"');
    if (isTime || isCounter(key, raw, top)) slots.push({ start, end, key, raw, frame: top });
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '{' || ch === '[') {
      top = { isObject: ch === '{', scalars: new Map(), parent: top, keyInParent: pendingKey };
      pendingKey = undefined;
      expectKey = ch === '{';
      i++;
    } else if (ch === '}' || ch === ']') {
      top = top?.parent;
      i++;
    } else if (ch === ',') {
      expectKey = top?.isObject ?? false;
      i++;
    } else if (ch === '"') {
      const end = stringEnd(text, i);
      if (expectKey) pendingKey = JSON.parse(text.slice(i, end)) as string;
      else onValue(i, end);
      expectKey = false;
      i = end;
    } else if (/\s|:/.test(ch)) {
      i++;
    } else {
      const end = literalEnd(text, i);
      onValue(i, end);
      i = end;
    }
  }
  return slots;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past a number / true / false / null literal. */
function literalEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  return i;
}
