/**
 * @module query/recommend
 * Right-sizing: the recommended requests of one container of a workload, from its 5-minute
 * windows over every pod (issue 25). Pure.
 * - CPU: the p95 (nearest rank: the ⌈0.95·n⌉-th smallest) of the container's mean usage per pod and
 *   5-minute window, rounded up to 1 millicore (`p95Millicores`), at least 1 (the recommendation).
 * - Memory: the largest working set of any pod in any window × 1.15, rounded up to 1 MiB; after an
 *   OOM kill in the range, no less than the memory limit × 1.2.
 */

const MIB = 2 ** 20;
const DAY_MS = 86_400_000;
export const WINDOW_MS = 300_000;
export const CPU_PERCENTILE = 0.95;
/** × 1.15 and × 1.2 as integer ratios, so whole bytes round up to MiB exactly. */
const MEMORY_MARGIN = [115, 100] as const;
const OOM_LIMIT_FACTOR = [12, 10] as const;
/** Relative: float sums of integers are off by far less; keeps 100.0000000001 from rounding up to 101. */
const ROUNDING_SLACK = 1e-12;

/** What InfluxDB holds of one container of one workload over the range. */
export interface ContainerData {
  name: string;
  /** Mean CPU (millicores) per pod and 5-minute window. */
  cpuWindows: number[];
  /**
   * The same means rounded up to whole millicores → count, from the rollup's right-sizing rows
   * (rollup/rightsizing). When present, cpuWindows are counted into it and the p95 is whole millicores.
   */
  cpuHistogram?: Map<number, number>;
  pods: Set<string>;
  /** Window starts (epoch ms) with data: the first and last. */
  firstWindowMs: number;
  lastWindowMs: number;
  /** Largest working set seen, bytes (undefined: none). */
  maxWorkingSetBytes: number | undefined;
  /** Latest request and limit; 0 or absent = not set. */
  cpuRequest?: number;
  cpuLimit?: number;
  memoryRequest?: number;
  memoryLimit?: number;
  oomKills: number;
}

export interface Recommendation {
  name: string;
  pods: number;
  windows: number;
  /** The range the windows cover, RFC 3339. */
  start: string;
  end: string;
  cpu: {
    requestMillicores: number | null;
    limitMillicores: number | null;
    p95Millicores: number | null;
    recommendedMillicores: number | null;
    /** request − recommended (an unset request counts as 0): positive reclaimable, negative short. */
    differenceMillicores: number | null;
  };
  memory: {
    requestBytes: number | null;
    limitBytes: number | null;
    maxBytes: number | null;
    recommendedBytes: number | null;
    differenceBytes: number | null;
    oomKills: number;
  };
  notes: string[];
}

/** Nearest-rank percentile of unsorted values (copies them); undefined for none. */
export function nearestRank(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

/** Rounds up to a multiple of `step`, forgiving float noise just above a multiple. */
export function roundUp(value: number, step: number): number {
  return Math.ceil((value - Math.abs(value) * ROUNDING_SLACK) / step) * step;
}

/** Whole `bytes` × num ÷ den, rounded up to 1 MiB, in exact integer arithmetic up to 2^53. */
function mebibytesUp(bytes: number, [num, den]: readonly [number, number]): number {
  return Math.ceil((Math.round(bytes) * num) / (den * MIB)) * MIB;
}

const setOrNull = (v: number | undefined): number | null => (v === undefined || v <= 0 ? null : v);

/** Nearest-rank percentile of a histogram (value → count); undefined when empty. */
export function histogramRank(histogram: ReadonlyMap<number, number>, p: number): number | undefined {
  const keys = [...histogram.keys()].sort((a, b) => a - b);
  const total = windowCount(histogram);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const k of keys) {
    seen += histogram.get(k) ?? 0;
    if (seen >= rank) return k;
  }
  return keys.at(-1);
}

function windowCount(histogram: ReadonlyMap<number, number>): number {
  let n = 0;
  for (const c of histogram.values()) n += c;
  return n;
}

/** The histogram with the raw windows counted in (rounded up to whole millicores); undefined without one. */
function cpuHistogram(d: ContainerData): Map<number, number> | undefined {
  if (!d.cpuHistogram) return undefined;
  const h = new Map(d.cpuHistogram);
  for (const v of d.cpuWindows) {
    const k = roundUp(v, 1);
    h.set(k, (h.get(k) ?? 0) + 1);
  }
  return h;
}

/** (pod, 5-minute window) pairs the container's CPU rests on. */
export function cpuWindowCount(d: ContainerData): number {
  return d.cpuHistogram ? windowCount(d.cpuHistogram) + d.cpuWindows.length : d.cpuWindows.length;
}

export function recommend(d: ContainerData): Recommendation {
  const notes: string[] = [];
  const histogram = cpuHistogram(d);
  // Whole millicores either way: the right-sizing rows keep the window means rounded up, and
  // rounding up is monotonic, so the rounded p95 is the same from them as from the raw means.
  const exact = histogram ? histogramRank(histogram, CPU_PERCENTILE) : nearestRank(d.cpuWindows, CPU_PERCENTILE);
  const p95 = exact === undefined ? undefined : roundUp(exact, 1);
  const cpuRec = p95 === undefined ? undefined : Math.max(1, p95);
  const memRec = memoryRecommendation(d, notes);
  const cpuRequest = setOrNull(d.cpuRequest);
  const memRequest = setOrNull(d.memoryRequest);
  const cpuDiff = cpuRec === undefined ? null : (cpuRequest ?? 0) - cpuRec;
  const memDiff = memRec === undefined ? null : (memRequest ?? 0) - memRec;
  if (d.lastWindowMs + WINDOW_MS - d.firstWindowMs < DAY_MS) notes.unshift('not enough history');
  if (cpuRequest === null) notes.push('no cpu request');
  if (memRequest === null) notes.push('no memory request');
  if (cpuDiff !== null && cpuDiff !== 0) notes.push(cpuDiff > 0 ? 'cpu reclaimable' : 'cpu short');
  if (memDiff !== null && memDiff !== 0) notes.push(memDiff > 0 ? 'memory reclaimable' : 'memory short');
  return {
    name: d.name,
    pods: d.pods.size,
    windows: cpuWindowCount(d),
    start: new Date(d.firstWindowMs).toISOString(),
    end: new Date(d.lastWindowMs + WINDOW_MS).toISOString(),
    cpu: {
      requestMillicores: cpuRequest,
      limitMillicores: setOrNull(d.cpuLimit),
      p95Millicores: p95 ?? null,
      recommendedMillicores: cpuRec ?? null,
      differenceMillicores: cpuDiff,
    },
    memory: {
      requestBytes: memRequest,
      limitBytes: setOrNull(d.memoryLimit),
      maxBytes: d.maxWorkingSetBytes ?? null,
      recommendedBytes: memRec ?? null,
      differenceBytes: memDiff,
      oomKills: d.oomKills,
    },
    notes,
  };
}

function memoryRecommendation(d: ContainerData, notes: string[]): number | undefined {
  if (d.maxWorkingSetBytes === undefined) return undefined;
  let rec = Math.max(MIB, mebibytesUp(d.maxWorkingSetBytes, MEMORY_MARGIN));
  const limit = setOrNull(d.memoryLimit);
  if (d.oomKills > 0) {
    notes.push('oom-killed');
    if (limit !== null) rec = Math.max(rec, mebibytesUp(limit, OOM_LIMIT_FACTOR));
  }
  return rec;
}
