/**
 * @module encode/line-protocol
 * Series → InfluxDB line protocol. Tags are sorted by key (InfluxDB's canonical order, and what
 * Heapster's client wrote), empty tag values dropped, one field per line as Heapster wrote them.
 */
import type { Series } from '#shared/derive/types';
import type { Family } from '#shared/families/family';
import type { Tags } from '#shared/model';
import { escapeMeasurement, escapeTag } from '#shared/encode/escape';

/** `heapster`: measurement = metric name, field `value`. `withfields`: measurement = prefix, field = rest. */
export type Schema = 'heapster' | 'withfields';

/** `,k=v,k2=v2` for the non-empty tags, sorted by key. */
export function tagString(tags: Tags): string {
  let out = '';
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (v) out += `,${escapeTag(k)}=${escapeTag(v)}`;
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

/** Escaped measurement and `␠field=` per family and schema, computed once. */
const prefixes = new Map<string, { measurement: string; field: string }>();

function prefix(family: Family, schema: Schema): { measurement: string; field: string } {
  const key = schema === 'heapster' ? family.name : `\u0000${family.name}`;
  let p = prefixes.get(key);
  if (!p) {
    const t = target(family, schema);
    prefixes.set(key, (p = { measurement: escapeMeasurement(t.measurement), field: ` ${escapeTag(t.field)}=` }));
  }
  return p;
}

/** Appends one line per sample of `series` to `out`. `timeMs` is written with precision=ms. */
export function encodeSeries(series: Series, timeMs: number, schema: Schema, out: string[]): void {
  const base = tagString(series.tags);
  for (const s of series.samples) {
    const p = prefix(s.family, schema);
    const tags = s.tags ? tagString({ ...series.tags, ...s.tags }) : base;
    out.push(`${p.measurement}${tags}${p.field}${fieldValue(s.value, s.family.int)} ${s.timeMs ?? timeMs}`);
  }
}
