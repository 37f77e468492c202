/**
 * @module decode/fields
 * Safe readers for untrusted JSON: anything of the wrong type, NaN, negative or beyond what an
 * InfluxDB integer can hold reads as `undefined` — no sample rather than an invalid point.
 */

type Obj = Record<string, unknown>;

/** Largest integer InfluxDB 1.x stores (int64). Kubelets report uint64 sentinels above it. */
const INT64_MAX = 9_223_372_036_854_775_807;

export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A non-negative counter or gauge from a uint64 JSON field. */
export function uint(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < INT64_MAX ? v : undefined;
}

/** A finite float (userDefinedMetrics values may be negative). */
export function float(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** RFC 3339 → epoch ms; `null`, empty or unparsable → undefined. */
export function timeMs(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  // Go's zero time (0001-01-01) means "unset".
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
