/**
 * @module query/format
 * Value and time renderings the clients expect: Kubernetes quantities as metrics-server prints
 * them (resource.Quantity canonical form), Go durations (`1m0s`) and RFC 3339 times.
 */

const DECIMAL_SUFFIXES = ['n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * CPU from millicores (InfluxDB's `cpu/usage_rate`) as metrics-server's DecimalSI nanocores:
 * 487.558164 → `487558164n`, 250 → `250m`, 2000 → `2`, 0 → `0`. Negative readings clamp to 0.
 */
export function cpuQuantity(millicores: number): string {
  const nanocores = Math.max(0, Math.round(millicores * 1e6));
  if (nanocores === 0) return '0';
  let mantissa = nanocores;
  let exp = 0;
  // The largest power of 1000 that divides exactly, as Quantity.String canonicalises.
  while (mantissa % 1000 === 0 && exp < DECIMAL_SUFFIXES.length - 1) {
    mantissa /= 1000;
    exp++;
  }
  return `${mantissa}${DECIMAL_SUFFIXES[exp]}`;
}

/**
 * Memory bytes as a BinarySI quantity: `732212Ki`, `64Mi`, or plain bytes when not a multiple of
 * 1024. Below 1024 Kubernetes switches to DecimalSI, so exactly 1000 bytes prints `1k`.
 */
export function memoryQuantity(bytes: number): string {
  const value = Math.max(0, Math.round(bytes));
  if (value === 0) return '0';
  if (value < 1024) return value === 1000 ? '1k' : String(value);
  let mantissa = value;
  let exp = 0;
  while (mantissa % 1024 === 0 && exp < BINARY_SUFFIXES.length - 1) {
    mantissa /= 1024;
    exp++;
  }
  return `${mantissa}${BINARY_SUFFIXES[exp]}`;
}

/** Go's time.Duration.String for a whole number of ms: `0s`, `500ms`, `15.023s`, `1m0s`, `1h30m0s`. */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const secondsMs = total % 60_000;
  const seconds = `${Math.floor(secondsMs / 1000)}${fraction(secondsMs % 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

function fraction(ms: number): string {
  return ms === 0 ? '' : '.' + String(ms).padStart(3, '0').replace(/0+$/, '');
}

/** Seconds rendered lately: a 30,000-pod list repeats a few timestamps (now, and each run's). */
const recentSeconds = new Map<number, string>();

/** RFC 3339 at whole seconds, as metav1.Time marshals: `2026-06-26T10:14:35Z`. */
export function rfc3339Seconds(ms: number): string {
  const s = Math.floor(ms / 1000);
  let text = recentSeconds.get(s);
  if (text === undefined) {
    if (recentSeconds.size >= 64) recentSeconds.clear();
    recentSeconds.set(s, (text = new Date(s * 1000).toISOString().replace('.000Z', 'Z')));
  }
  return text;
}

/** RFC 3339 with the fraction Go's RFC3339Nano keeps (trailing zeros trimmed): `…:50Z`, `…:50.5Z`. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_m, f: string) => fraction(Number(f)) + 'Z');
}

/** Go's zero time, which Heapster printed as latestTimestamp when there was no data. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
