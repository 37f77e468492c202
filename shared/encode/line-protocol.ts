/**
 * @module encode/line-protocol
 * Series → InfluxDB line protocol. Tags are sorted by key (InfluxDB's canonical order, and what
 * Heapster's client wrote), empty tag values dropped, one field per line as Heapster wrote them.
 */
import type { Series } from '#shared/derive/types';
import { Samples } from '#shared/derive/samples';
import type { Family } from '#shared/families/family';
import type { Tags } from '#shared/model';
import { escapeMeasurement, escapeTag, escapeTagCached } from '#shared/encode/escape';
import { LineBuffer } from '#shared/encode/line-buffer';
import { TagBytes } from '#shared/encode/tag-bytes';

/** `heapster`: measurement = metric name, field `value`. `withfields`: measurement = prefix, field = rest. */
export type Schema = 'heapster' | 'withfields';

/** `,k=v,k2=v2` for the non-empty tags, sorted by key. */
export function tagString(tags: Tags): string {
  let out = '';
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (v) out += `,${escapeTagCached(k)}=${escapeTagCached(v)}`;
  }
  return out;
}

/** Integer fields take an `i` suffix; integers above 2^53 print exactly as the double holds them. */
export function fieldValue(value: number, int: boolean): string {
  if (!int) return String(value);
  const rounded = Math.round(value);
  return `${Number.isSafeInteger(rounded) ? rounded : BigInt(rounded).toString()}i`;
}

function target(family: Family, schema: Schema): { measurement: string; field: string } {
  if (schema === 'heapster') return { measurement: family.name, field: 'value' };
  const at = family.name.indexOf('/');
  return at < 0
    ? { measurement: family.name, field: 'value' }
    : { measurement: family.name.slice(0, at), field: family.name.slice(at + 1) };
}

/** A family's escaped measurement and `␠field=`, as UTF-8 bytes, per schema; encoded once. */
interface Prefix {
  measurement: Buffer;
  field: Buffer;
}
const prefixes: Record<Schema, Map<Family, Prefix>> = { heapster: new Map(), withfields: new Map() };

function prefix(family: Family, schema: Schema): Prefix {
  let p = prefixes[schema].get(family);
  if (!p) {
    const t = target(family, schema);
    p = { measurement: Buffer.from(escapeMeasurement(t.measurement)), field: Buffer.from(` ${escapeTag(t.field)}=`) };
    prefixes[schema].set(family, p);
  }
  return p;
}

/** ` <timeMs>\n`, the end of every line of one run, encoded once per run (precision=ms). */
let lastTime: { ms: number; bytes: Buffer } = { ms: Number.NaN, bytes: Buffer.alloc(0) };

function timeBytes(ms: number): Buffer {
  if (lastTime.ms !== ms) lastTime = { ms, bytes: Buffer.from(` ${ms}\n`) };
  return lastTime.bytes;
}

/** The heapster schema's one field, written with the tag set: one copy a line instead of two. */
const VALUE_FIELD = Buffer.from(' value=');

/** The tag set being written (one run encodes one series at a time). */
const tagBytes = new TagBytes();

/**
 * Writes one line per sample of `series` into `out`. The series' tag set is encoded once for all
 * its samples, and once per distinct extra-tags object (a filesystem's `resource_id`).
 */
export function encodeSeriesInto(series: Series, timeMs: number, schema: Schema, out: LineBuffer): void {
  const { families, values, tags: extras, times, length } = Samples.of(series.samples);
  // heapster: every field is `value`, so the tag set carries it; withfields: the field per family.
  const suffix = schema === 'heapster' ? VALUE_FIELD : undefined;
  let tags = tagBytes.of(series.tags, undefined, suffix);
  let extra: Tags | undefined;
  const runTime = timeBytes(timeMs);
  for (let i = 0; i < length; i++) {
    const family = families[i] as Family;
    if (extras !== undefined && extras[i] !== extra) {
      extra = extras[i];
      tags = tagBytes.of(series.tags, extra, suffix);
    }
    const p = prefix(family, schema);
    out.bytes(p.measurement);
    out.bytes(tags);
    if (!suffix) out.bytes(p.field);
    out.number(values[i] as number, family.int);
    const at = times?.[i];
    out.endWith(at === undefined ? runTime : timeBytes(at));
  }
}

/** Appends one line per sample of `series` to `out`, as strings (tests, small batches). */
export function encodeSeries(series: Series, timeMs: number, schema: Schema, out: string[]): void {
  const lb = new LineBuffer(4096);
  encodeSeriesInto(series, timeMs, schema, lb);
  const { data, lines } = lb.take();
  if (lines > 0) for (const line of data.toString().split('\n')) out.push(line);
}
