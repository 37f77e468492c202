/**
 * @module rollup/rightsizing
 * What right-sizing needs, kept per workload container (namespace, workload kind and name,
 * container; no pod) and span, so the recommendation routes read a few rows per container instead
 * of every pod's every 5-minute window (issue 25). Kept whatever ROLLUP_TYPES says. Pure.
 *
 * Measurement `heapless_rightsizing` in the 5-minute level's policy, tag `span` = `5m`, `1h` or
 * `1d` (each span the merge of the finer one's rows), fields:
 * - `cpu`: histogram, `millicores:count` pairs joined by `,`: the (pod, 5-minute window) means
 *   rounded UP to whole millicores. The recommendation (p95 rounded up) is exact from it: rounding
 *   up is monotonic, so the p95 of the rounded means is the rounded p95.
 * - `pods`: the pods seen, space-separated (pod names hold no spaces); `last_pods`: those of the
 *   last 5-minute window with data, `first`/`last`: the first and last such window's start (ms).
 * - `ws_max`: the largest working set (bytes); `oom`: OOM kills counted.
 */
import { roundUp } from '#shared/query/recommend';

export const RIGHTSIZING = 'heapless_rightsizing';
export const SPAN_MS = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Span = keyof typeof SPAN_MS;
export const SPANS = Object.keys(SPAN_MS) as Span[];
/** The tags a row is kept under (cluster_name only where the collector sets it). */
export const ROW_TAGS = ['cluster_name', 'namespace_name', 'workload_kind', 'workload_name', 'container_name'];

/** One workload container over one span window (or any merge of them). */
export interface RightsizingRow {
  /** Whole millicores → (pod, 5-minute window) pairs. */
  cpu: Map<number, number>;
  pods: Set<string>;
  lastPods: Set<string>;
  firstMs: number;
  lastMs: number;
  wsMax: number | undefined;
  oom: number;
  /** The latest requests and limits (`cpu/request` → value), so the routes need not read every pod's. */
  current: Record<string, number>;
}

/** The measurements of the requests and limits, and the field each is kept in (a float). */
export const CURRENT_FIELDS: Readonly<Record<string, string>> = {
  'cpu/request': 'cpu_request',
  'cpu/limit': 'cpu_limit',
  'memory/request': 'memory_request',
  'memory/limit': 'memory_limit',
};

export function emptyRow(): RightsizingRow {
  return {
    cpu: new Map(),
    pods: new Set(),
    lastPods: new Set(),
    firstMs: Infinity,
    lastMs: -Infinity,
    wsMax: undefined,
    oom: 0,
    current: {},
  };
}

/** One pod's mean CPU (millicores) in the 5-minute window starting at `timeMs`. */
export function addCpu(row: RightsizingRow, pod: string, timeMs: number, millicores: number): void {
  const key = roundUp(millicores, 1);
  row.cpu.set(key, (row.cpu.get(key) ?? 0) + 1);
  row.pods.add(pod);
  row.firstMs = Math.min(row.firstMs, timeMs);
  if (timeMs > row.lastMs) {
    row.lastMs = timeMs;
    row.lastPods = new Set([pod]);
  } else if (timeMs === row.lastMs) row.lastPods.add(pod);
}

export function addWorkingSet(row: RightsizingRow, bytes: number): void {
  row.wsMax = Math.max(row.wsMax ?? bytes, bytes);
}

/** `into` += `from`: histograms summed, pods united, the later window's pods kept as the last. */
export function mergeRow(into: RightsizingRow, from: RightsizingRow): void {
  for (const [k, n] of from.cpu) into.cpu.set(k, (into.cpu.get(k) ?? 0) + n);
  for (const p of from.pods) into.pods.add(p);
  into.firstMs = Math.min(into.firstMs, from.firstMs);
  if (from.lastMs > into.lastMs) {
    into.lastMs = from.lastMs;
    into.lastPods = new Set(from.lastPods);
  } else if (from.lastMs === into.lastMs) for (const p of from.lastPods) into.lastPods.add(p);
  if (from.wsMax !== undefined) addWorkingSet(into, from.wsMax);
  into.oom += from.oom;
  // Rows are merged oldest first: the later one's requests and limits are the current ones.
  Object.assign(into.current, from.current);
}

const histogramText = (cpu: ReadonlyMap<number, number>): string =>
  [...cpu.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, n]) => `${k}:${n}`)
    .join(',');

/** The row's fields as stored; `cpu`, `pods` and `last_pods` are strings (empty when none). */
export function rowFields(row: RightsizingRow): Record<string, string | number> {
  const out: Record<string, string | number> = {
    cpu: histogramText(row.cpu),
    pods: [...row.pods].sort().join(' '),
    last_pods: [...row.lastPods].sort().join(' '),
    oom: row.oom,
  };
  if (Number.isFinite(row.firstMs)) Object.assign(out, { first: row.firstMs, last: row.lastMs });
  if (row.wsMax !== undefined) out['ws_max'] = row.wsMax;
  for (const [m, f] of Object.entries(CURRENT_FIELDS)) if (row.current[m] !== undefined) out[f] = row.current[m]!;
  return out;
}

/**
 * The edge rows' one string field `v` (rollup/rightsizing-edges): the row's fields joined by `|`
 * in this order, an absent number empty. One field, so influxd opens one cursor per series where
 * the spans' rows need twelve: a statement over 6,000 workload containers' rows costs it a third.
 */
const PACKED = ['first', 'last', 'ws_max', 'oom', ...Object.values(CURRENT_FIELDS)];

export function packRow(row: RightsizingRow): string {
  const f = rowFields(row);
  return [f['cpu'], f['pods'], f['last_pods'], ...PACKED.map((k) => f[k] ?? '')].join('|');
}

/** An edge row's `v`, split but not parsed: the histogram and pods stay strings. */
export interface PackedRow {
  cpu: string;
  pods: string;
  lastPods: string;
  /** `first`, `last`, `ws_max`, `oom` and the requests and limits (CURRENT_FIELDS' names); absent: none. */
  numbers: Record<string, number>;
}

export function splitPacked(v: string): PackedRow {
  const [cpu = '', pods = '', lastPods = '', ...rest] = v.split('|');
  const numbers: Record<string, number> = {};
  PACKED.forEach((k, i) => {
    if (rest[i]) numbers[k] = Number(rest[i]);
  });
  return { cpu, pods, lastPods, numbers };
}

/**
 * Each `millicores:count` of a histogram string, without building a map or a string: the
 * cluster-wide route reads ~2M of them. Digits only (what histogramText writes); any other
 * character, e.g. a sign, is parsed the slow way.
 */
export function forEachBucket(cpu: string, add: (millicores: number, count: number) => void): void {
  let [k, n, inCount] = [0, 0, false];
  for (let i = 0; i < cpu.length; i++) {
    const ch = cpu.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      if (inCount) n = n * 10 + ch - 48;
      else k = k * 10 + ch - 48;
    } else if (ch === 58) inCount = true;
    else if (ch === 44) {
      add(k, n);
      [k, n, inCount] = [0, 0, false];
    } else return forEachBucketSlow(cpu.slice(cpu.lastIndexOf(',', i) + 1), add);
  }
  if (inCount) add(k, n);
}

function forEachBucketSlow(cpu: string, add: (millicores: number, count: number) => void): void {
  for (const pair of cpu.split(',')) {
    const at = pair.indexOf(':');
    if (at > 0) add(Number(pair.slice(0, at)), Number(pair.slice(at + 1)));
  }
}

function unpackRow(v: string): RightsizingRow {
  const p = splitPacked(v);
  return parseRow((c) => (c === 'cpu' ? p.cpu : c === 'pods' ? p.pods : c === 'last_pods' ? p.lastPods : p.numbers[c]));
}

/** A stored row back (cells as InfluxDB answers them; absent ones null); an edge row's from its `v`. */
export function parseRow(cell: (column: string) => unknown): RightsizingRow {
  const packed = cell('v');
  if (typeof packed === 'string') return unpackRow(packed);
  const row = emptyRow();
  const text = (c: string): string => (typeof cell(c) === 'string' ? (cell(c) as string) : '');
  const n = (c: string): number | undefined => {
    const v = cell(c);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  forEachBucket(text('cpu'), (millicores, count) => row.cpu.set(millicores, count));
  for (const p of text('pods').split(' ')) if (p) row.pods.add(p);
  for (const p of text('last_pods').split(' ')) if (p) row.lastPods.add(p);
  row.firstMs = n('first') ?? Infinity;
  row.lastMs = n('last') ?? -Infinity;
  row.wsMax = n('ws_max');
  row.oom = n('oom') ?? 0;
  for (const [m, f] of Object.entries(CURRENT_FIELDS)) {
    const v = n(f);
    if (v !== undefined) row.current[m] = v;
  }
  return row;
}

export interface Segment {
  span: Span;
  fromMs: number;
  toMs: number;
}

/**
 * `[fromMs, toMs)` (5-minute aligned) as the fewest span windows, each span done up to its
 * `doneMs`: whole days where the days are done, hours around them, 5-minute windows at the edges.
 */
export function segments(fromMs: number, toMs: number, doneMs: Readonly<Partial<Record<Span, number>>>): Segment[] {
  return cover(fromMs, toMs, [...SPANS].reverse(), doneMs);
}

function cover(fromMs: number, toMs: number, spans: readonly Span[], done: Partial<Record<Span, number>>): Segment[] {
  const [span, ...finer] = spans;
  if (!span || toMs <= fromMs) return [];
  const w = SPAN_MS[span];
  const a = Math.ceil(fromMs / w) * w;
  const b = Math.floor(Math.min(toMs, done[span] ?? -Infinity) / w) * w;
  if (finer.length === 0) return b > fromMs ? [{ span, fromMs, toMs: b }] : [];
  if (b <= a) return cover(fromMs, toMs, finer, done);
  return [...cover(fromMs, a, finer, done), { span, fromMs: a, toMs: b }, ...cover(b, toMs, finer, done)];
}
