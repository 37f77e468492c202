/**
 * @module query/recommend-samples
 * The right-sizing routes' tail (the stretch since the rollup's rows end) from the collector's
 * `heapless_rightsizing_samples` (families/rightsizing-samples): one statement over ~6,000
 * workload containers' series at 1,000 × 30, instead of three passes over 60,000 pod containers'.
 * Its points are turned here into what the three raw statements answer (results 7–9 of
 * query/recommend-query), per workload container, which query/recommend-fold folds in their place:
 * - CPU: per pod, container and 5-minute window, the mean of the run values in time order (sum ÷
 *   count, as influxd's `mean()`), the `sampled=true` fallbacks left out (null in the samples);
 * - working set: the largest per container; OOM kills: the distinct kill times per pod and
 *   container (every run within the hour repeats a kill), counted where the kill's time falls.
 */
import type { QueryResult } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { forEachRow, num, str } from '#shared/query/rows';
import { tagEquals } from '#shared/query/where';
import {
  SAMPLES_MEASUREMENT,
  SAMPLES_RUN_FIELD,
  unpackColumns,
  unpackKills,
} from '#shared/families/rightsizing-samples';

const WINDOW_MS = 300_000;
const TAGS = ['namespace_name', 'workload_kind', 'workload_name', 'container_name'] as const;

/**
 * Where the samples begin: the latest, over shards, of the first collect run whose `heapless_run`
 * point has the samples field (one series per shard, however many pods).
 */
export function samplesBeginStatement(clusterName: string | undefined): string {
  const cluster = clusterName ? ` AND ${tagEquals('cluster_name', clusterName)}` : '';
  return `SELECT first(${ident(SAMPLES_RUN_FIELD)}) FROM ${ident('heapless_run')} WHERE ${tagEquals('fn', 'collect')}${cluster} GROUP BY ${ident('shard')}`;
}

/** The begin statement's answer: the latest first run over the shards; undefined when none has samples. */
export function samplesBegin(result: QueryResult | undefined): number | undefined {
  let out: number | undefined;
  forEachRow(result, ({ cell }) => {
    const t = num(cell('time'));
    if (t !== undefined) out = Math.max(out ?? t, t);
  });
  return out;
}

/** The samples of `[fromMs, endMs]`, tags as columns (no GROUP BY: influxd builds no tag sets). */
export function samplesStatement(filter: string, fromMs: number, endMs: number): string {
  return `SELECT ${ident('v')},${ident('k')},${COLUMNS} FROM ${ident(SAMPLES_MEASUREMENT)} WHERE ${range(fromMs, endMs)}${filter}`;
}

/**
 * The kills of the window before `fromMs`: a run stamped there can carry a kill after it (a run's
 * time is aligned down; its scrape, and the kill, come later). `k` alone: rows only where a kill is.
 */
export function samplesKillsStatement(filter: string, fromMs: number): string {
  return `SELECT ${ident('k')},${COLUMNS} FROM ${ident(SAMPLES_MEASUREMENT)} WHERE time >= ${timeLiteral(fromMs - WINDOW_MS)} AND time < ${timeLiteral(fromMs)}${filter}`;
}

const COLUMNS = TAGS.map(ident).join(',');
const range = (fromMs: number, endMs: number): string =>
  `time >= ${timeLiteral(fromMs)} AND time <= ${timeLiteral(endMs)}`;

/** One pod of one container: its 5-minute windows in time order, flat: [start, sum, count, …]. */
export type PodWindows = number[];

/** One workload container's tail, from its samples. */
export interface TailContainer {
  tags: Record<string, string>;
  /** Largest working set (bytes); undefined: none. */
  wsMax: number | undefined;
  /** Distinct kills (`pod\0time`) whose time falls in the tail. */
  kills: Set<string>;
  /** By the pod's code in the samples (families/rightsizing-samples): windows with a CPU value. */
  pods: Map<string, PodWindows>;
}

/** By `namespace\0kind\0name\0container`. */
export type SamplesTail = Map<string, TailContainer>;

/**
 * The samples' answers (the tail, and the kills just before it) per workload container: what the
 * three raw statements would answer, for query/recommend-fold. A pod's window mean is its sum ÷
 * count (recommend-fold divides), added up in time order as influxd's `mean()` adds its points.
 */
export function readSamplesTail(
  tail: QueryResult | undefined,
  before: QueryResult | undefined,
  fromMs: number,
  endMs: number,
): SamplesTail {
  const containers: SamplesTail = new Map();
  const accOf = (cell: (c: string) => unknown): TailContainer => {
    const [ns, kind, name, container] = TAGS.map((k) => str(cell(k)));
    const key = `${ns}\u0000${kind}\u0000${name}\u0000${container}`;
    let c = containers.get(key);
    if (!c) {
      const tags = { namespace_name: ns!, workload_kind: kind!, workload_name: name!, container_name: container! };
      containers.set(key, (c = { tags, wsMax: undefined, kills: new Set(), pods: new Map() }));
    }
    return c;
  };
  const kills = (c: TailContainer, k: unknown): void => {
    if (k === null || k === undefined) return;
    for (const [pod, killMs] of unpackKills(k))
      if (killMs >= fromMs && killMs <= endMs) c.kills.add(`${pod}\u0000${killMs}`);
  };
  forEachRow(before, ({ cell }) => kills(accOf(cell), cell('k')));
  forEachRow(tail, ({ cell }) => {
    const t = num(cell('time'));
    const columns = unpackColumns(cell('v'));
    if (t === undefined || !columns) return;
    const c = accOf(cell);
    kills(c, cell('k'));
    const window = Math.floor(t / WINDOW_MS) * WINDOW_MS;
    const { pods, millicores, bytes } = columns;
    for (let i = 0; i < pods.length; i++) {
      const b = bytes[i];
      if (typeof b === 'number' && (c.wsMax === undefined || b > c.wsMax)) c.wsMax = b;
      const m = millicores[i];
      if (typeof m === 'number') addWindow(c.pods, pods[i]!, window, m);
    }
  });
  return containers;
}

/** Adds one value to the pod's window; rows come in time order, so a pod's current window is its last. */
function addWindow(pods: Map<string, PodWindows>, code: string, window: number, value: number): void {
  let w = pods.get(code);
  if (!w) pods.set(code, (w = []));
  let at = w.length - 3;
  while (at >= 0 && (w[at] as number) > window) at -= 3;
  if (at >= 0 && w[at] === window) {
    w[at + 1] = (w[at + 1] as number) + value;
    w[at + 2] = (w[at + 2] as number) + 1;
  } else w.splice(at + 3, 0, window, value, 1);
}
