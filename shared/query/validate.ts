/**
 * @module query/validate
 * Validation of every request value before it may reach InfluxQL (where it is then still quoted
 * by influx/influxql). Rules follow Heapster's sanitising (heapster.md §3.4) with length caps, so
 * a value is either plainly a name, a metric or a time, or the request is a 400 naming it.
 */
import { ParamError } from '#shared/query/errors';

/** Kubernetes object names (DNS subdomains, at most 253) — Heapster accepted `[a-zA-Z0-9_.-]+`. */
const NAME = /^[A-Za-z0-9_.-]{1,253}$/;
/** Heapster metric names and label keys: `cpu/usage_rate`, `resource_id`. */
const METRIC = /^[A-Za-z0-9_./:-]{1,256}$/;
/** Printable, no quotes or backslashes (Heapster refused quotes in label values). */
const LABEL_VALUE = /^[\x20-\x7e]{0,256}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
/**
 * InfluxDB stores int64 nanoseconds since the epoch: 1677-09-21T00:12:43.145224194Z to
 * 2262-04-11T23:47:16.854775807Z. Times outside, in whole seconds inside that range (epoch ms).
 */
export const INFLUX_MIN_TIME_MS = Date.UTC(1677, 8, 21, 0, 12, 44);
export const INFLUX_MAX_TIME_MS = Date.UTC(2262, 3, 11, 23, 47, 16);
/**
 * Names in one pod or node list. A Dashboard page lists far fewer; each name costs a regex
 * alternative in InfluxQL and a series in the answer, so the list is capped.
 */
export const MAX_NAMES = 1_000;

/** Heapster's deprecated metric aliases (model_handlers.go). */
const METRIC_ALIASES: Record<string, string> = {
  'cpu-usage': 'cpu/usage_rate',
  'cpu-limit': 'cpu/limit',
  'memory-limit': 'memory/limit',
  'memory-usage': 'memory/usage',
  'memory-working': 'memory/working_set',
};

export function objectName(param: string, raw: string | undefined): string {
  if (raw === undefined || !NAME.test(raw))
    throw new ParamError(param, 'expected a Kubernetes name (letters, digits, - . _; 1 to 253 characters)');
  return raw;
}

/** `a,b,c` → names, in request order, duplicates dropped. */
export function objectNames(param: string, raw: string | undefined): string[] {
  const names = (raw ?? '').split(',');
  if (names.length > MAX_NAMES) throw new ParamError(param, `expected at most ${MAX_NAMES} comma-separated names`);
  return [...new Set(names.map((n) => objectName(param, n)))];
}

/** A Heapster metric name such as `cpu/usage_rate`. */
export function metricName(param: string, raw: string | undefined): string {
  if (raw === undefined || !METRIC.test(raw) || raw.includes('//'))
    throw new ParamError(param, 'expected a metric name such as cpu/usage_rate (letters, digits, _ . / : -)');
  return raw;
}

/** A model-API metric name, Heapster's deprecated aliases (`cpu-usage`, …) resolved. */
export function modelMetricName(param: string, raw: string | undefined): string {
  const name = metricName(param, raw);
  return (Object.hasOwn(METRIC_ALIASES, name) ? METRIC_ALIASES[name] : undefined) ?? name;
}

/**
 * An RFC 3339 time → epoch ms; absent → `fallback`. Strict: every field in its range for that
 * month (no 2026-02-30, which Date.parse rolls over), and the instant within InfluxDB's range.
 */
export function timeParam(param: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const m = RFC3339.exec(raw);
  const f = (i: number): number => Number(m?.[i] ?? 0);
  const [y, mo, d, h, mi, sec, oh, om] = [f(1), f(2), f(3), f(4), f(5), f(6), f(9), f(10)];
  const valid =
    m !== null &&
    mo >= 1 &&
    mo <= 12 &&
    d >= 1 &&
    d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() &&
    h <= 23 &&
    mi <= 59 &&
    sec <= 59 &&
    oh <= 23 &&
    om <= 59;
  const ms = valid ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) throw new ParamError(param, 'expected a valid RFC 3339 time such as 2026-01-02T15:04:05Z');
  if (ms < INFLUX_MIN_TIME_MS || ms > INFLUX_MAX_TIME_MS)
    throw new ParamError(param, 'expected a time from 1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z (InfluxDB’s range)');
  return ms;
}

/** Heapster's `labels=k1:v1,k2:v2` (selects labeled metrics such as `resource_id:/`). */
export function labelPairs(param: string, raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const at = pair.indexOf(':');
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (at < 1 || !METRIC.test(key) || !LABEL_VALUE.test(value) || /['"\\]/.test(value))
      throw new ParamError(
        param,
        'expected key:value pairs joined by commas, values printable without quotes or backslashes',
      );
    // defineProperty: `__proto__` is a valid key here and must stay a key.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
