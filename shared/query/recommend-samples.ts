/**
 * @module query/recommend-samples
 * The right-sizing routes' tail (the stretch since the rollup's rows end) from the collector's
 * `heapless_rightsizing_samples` (families/rightsizing-samples): one statement over ~6,000
 * workload containers' series at 1,000 × 30, instead of three passes over 60,000 pod containers'.
 * Its points are turned here into exactly what the three raw statements answer (results 7–9 of
 * query/recommend-query), so the fold is the same either way:
 * - CPU: per pod, container and 5-minute window, the mean of the run values in time order (sum ÷
 *   count, as influxd's `mean()`), the `sampled=true` fallbacks left out (null in the samples);
 * - working set: the largest per container; OOM kills: the distinct kill times per pod and
 *   container (every run within the hour repeats a kill), counted where the kill's time falls.
 */
import type { QueryResult, QuerySeries } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { forEachRow, num, str } from '#shared/query/rows';
import { tagEquals } from '#shared/query/where';
import { podName, SAMPLES_MEASUREMENT, SAMPLES_RUN_FIELD, unpackEntries } from '#shared/families/rightsizing-samples';

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

/**
 * The samples of `[fromMs − 5 min, endMs]`, tags as columns (no GROUP BY: influxd builds no tag
 * sets). The window before `fromMs` is read for kills only: a run stamped before it can carry a
 * kill after it (a run's time is aligned down; its scrape, and the kill, come later).
 */
export function samplesStatement(filter: string, fromMs: number, endMs: number): string {
  return (
    `SELECT ${ident('v')},${TAGS.map(ident).join(',')} FROM ${ident(SAMPLES_MEASUREMENT)}` +
    ` WHERE time >= ${timeLiteral(fromMs - WINDOW_MS)} AND time <= ${timeLiteral(endMs)}${filter}`
  );
}

interface Acc {
  tags: Record<string, string>;
  wsMax: number | undefined;
  kills: Set<string>;
}

/** The samples' answer as the three raw statements' answers: [CPU means, largest working set, OOM kills]. */
export function samplesTail(
  result: QueryResult | undefined,
  fromMs: number,
  endMs: number,
): [QueryResult, QueryResult, QueryResult] {
  const containers = new Map<string, Acc>();
  /** By container key + pod: window start → [sum, count], windows in time order. */
  const cpu = new Map<string, { tags: Record<string, string>; windows: Map<number, [number, number]> }>();
  forEachRow(result, ({ cell }) => {
    const t = num(cell('time'));
    if (t === undefined) return;
    const tags: Record<string, string> = {};
    for (const k of TAGS) tags[k] = str(cell(k));
    const key = TAGS.map((k) => tags[k]).join('\u0000');
    let c = containers.get(key);
    if (!c) containers.set(key, (c = { tags, wsMax: undefined, kills: new Set() }));
    const window = Math.floor(t / WINDOW_MS) * WINDOW_MS;
    for (const [code, millicores, bytes, killMs] of unpackEntries(cell('v'))) {
      const pod = podName(code, tags['workload_name'] ?? '');
      if (killMs !== undefined && killMs >= fromMs && killMs <= endMs) c.kills.add(`${pod}\u0000${killMs}`);
      if (t < fromMs) continue;
      if (typeof bytes === 'number') c.wsMax = Math.max(c.wsMax ?? bytes, bytes);
      if (typeof millicores !== 'number') continue;
      const podKey = `${key}\u0000${pod}`;
      let p = cpu.get(podKey);
      if (!p) cpu.set(podKey, (p = { tags: { ...tags, pod_name: pod }, windows: new Map() }));
      const sum = p.windows.get(window);
      if (sum) {
        sum[0] += millicores;
        sum[1]++;
      } else p.windows.set(window, [millicores, 1]);
    }
  });
  const cpuSeries: QuerySeries[] = [...cpu.values()].map(({ tags, windows }) => ({
    name: 'cpu/usage_rate',
    tags,
    columns: ['time', 'mean'],
    values: [...windows].map(([w, [sum, n]]) => [w, sum / n]),
  }));
  const per = (column: string, pick: (c: Acc) => number | undefined): QueryResult => ({
    series: [...containers.values()].flatMap(({ tags, ...c }) => {
      const v = pick({ tags, ...c });
      return v === undefined
        ? []
        : [{ name: SAMPLES_MEASUREMENT, tags, columns: ['time', column], values: [[fromMs, v]] }];
    }),
  });
  return [
    { series: cpuSeries },
    per('max', (c) => c.wsMax),
    per('count', (c) => (c.kills.size > 0 ? c.kills.size : undefined)),
  ];
}
