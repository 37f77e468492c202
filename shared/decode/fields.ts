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

/**
 * The last text timeMs parsed and its result: a summary repeats the same few block times in
 * every object (a kubelet reads its cgroups at about the same moment), and Date.parse of each was
 * a tenth of decoding.
 */
let lastText = '';
let lastMs: number | undefined;

/** RFC 3339 → epoch ms; `null`, empty or unparsable → undefined. */
export function timeMs(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (v === lastText) return lastMs;
  const ms = Date.parse(v);
  lastText = v;
  // Go's zero time (0001-01-01) means "unset".
  lastMs = Number.isFinite(ms) && ms > 0 ? ms : undefined;
  return lastMs;
}
