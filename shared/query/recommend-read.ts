/**
 * @module query/recommend-read
 * Reads what right-sizing needs for a selection of workloads over `[end − window, end]` and turns
 * it into recommendations: one round trip for the rollup's progress, one for the data.
 */
import type { Context } from 'hono';
import { InfluxError } from '#shared/errors';
import type { QueryResult } from '#shared/influx/client';
import type { QueryDeps } from '#shared/query/deps';
import { parseDurationMs } from '#shared/config/parsers';
import { ParamError } from '#shared/query/errors';
import { retentionMs } from '#shared/query/resolution';
import { cpuWindowCount, recommend, WINDOW_MS, type Recommendation } from '#shared/query/recommend';
import {
  alignStart,
  foldRecommendationData,
  progressStatement,
  recommendationStatements,
  samplesTailRange,
  type Ranges,
  type Selection,
  type WorkloadData,
} from '#shared/query/recommend-query';
import { forEachRow, num, str } from '#shared/query/rows';
import {
  readSamplesTail,
  type SamplesTail,
  samplesBegin,
  samplesBeginStatement,
} from '#shared/query/recommend-samples';
import { SPANS } from '#shared/rollup/rightsizing';
import { EDGES, type Edge, type Kind } from '#shared/rollup/rightsizing-edges';
import { FROM_KEY, PROGRESS_LEVEL, progressKey } from '#shared/rollup/rightsizing-run';

export const DEFAULT_WINDOW = '7d';

export interface WorkloadRecommendation {
  namespace: string;
  kind: string;
  name: string;
  /** Pods in the workload's latest window: its current replicas. */
  replicas: number;
  /** Σ over containers of (request − recommended) × replicas; negative = short. */
  reclaimableMillicores: number;
  reclaimableBytes: number;
  containers: Recommendation[];
}

export interface RecommendationSet {
  window: string;
  start: string;
  end: string;
  workloads: WorkloadRecommendation[];
}

/** The `window` parameter: a duration of at least 5 minutes, at most what the history keeps. */
export function windowParam(deps: QueryDeps, raw: string | undefined): { text: string; ms: number } {
  const text = raw === undefined || raw === '' ? DEFAULT_WINDOW : raw;
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch {
    throw new ParamError('window', 'expected a duration such as 1d or 7d');
  }
  const kept = keptMs(deps);
  if (ms < WINDOW_MS || ms > kept)
    throw new ParamError(
      'window',
      `expected a duration from 5m to ${Math.floor(kept / 86_400_000)}d (what the history keeps)`,
    );
  return { text, ms };
}

/** The 5-minute level: it holds the right-sizing rows, and the containers' rollups when ROLLUP_TYPES keeps them. */
function fiveMinuteLevel(deps: QueryDeps) {
  return deps.settings.rollupLevels.find((l) => l.windowMs === WINDOW_MS);
}

function keptMs(deps: QueryDeps): number {
  const level = fiveMinuteLevel(deps);
  return Math.max(retentionMs(deps.settings.influxRetention), level ? retentionMs(level.retention) : 0);
}

export async function readRecommendations(
  c: Context,
  deps: QueryDeps,
  sel: Selection,
  window: { text: string; ms: number },
): Promise<RecommendationSet> {
  const endMs = deps.now();
  const [reach, samplesFromMs] = await Promise.all([rollupReach(deps), samplesBeginMs(deps, sel)]);
  const ranges: Ranges = {
    startMs: alignStart(endMs - window.ms),
    endMs,
    rawFromMs: endMs - retentionMs(deps.settings.influxRetention),
    ...reach,
    samplesFromMs,
  };
  const statements = recommendationStatements(sel, ranges);
  const range = samplesTailRange(ranges);
  let tail: SamplesTail | undefined;
  // The samples' answers (7, 8) come first and are read while influxd answers the rows.
  const early = range && {
    indexes: [7, 8],
    run: (r: Array<QueryResult | undefined>) => {
      tail = readSamplesTail(r[7], r[8], range.fromMs, range.endMs);
      r.splice(7, 2, undefined, undefined);
    },
  };
  const results = await runAll(c, deps, statements, early);
  const workloads = [...foldRecommendationData(results, tail).values()]
    .map(toWorkload)
    .filter((w) => w.containers.length);
  workloads.sort(
    (a, b) => b.reclaimableMillicores - a.reclaimableMillicores || b.reclaimableBytes - a.reclaimableBytes,
  );
  return {
    window: window.text,
    start: new Date(ranges.startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    workloads,
  };
}

function toWorkload(w: WorkloadData): WorkloadRecommendation {
  const containers = [...w.containers.values()]
    .filter((c) => cpuWindowCount(c) > 0)
    .map(recommend)
    .sort((a, b) => a.name.localeCompare(b.name));
  const replicas = w.latestPods.size;
  const sum = (pick: (r: Recommendation) => number | null) =>
    containers.reduce((total, r) => total + (pick(r) ?? 0), 0) * replicas;
  return {
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    replicas,
    reclaimableMillicores: sum((r) => r.cpu.differenceMillicores),
    reclaimableBytes: sum((r) => r.memory.differenceBytes),
    containers,
  };
}

/**
 * Where the 5-minute level ends for CPU and working set (when it keeps containers), and where the
 * right-sizing rows begin and end; nothing when there is no such level.
 */
async function rollupReach(deps: QueryDeps): Promise<Partial<Ranges>> {
  const level = fiveMinuteLevel(deps);
  if (!level) return {};
  // Two requests: influxd answers the second statement of one "not executed" when the first found no policy.
  const results = await Promise.all([level.name, PROGRESS_LEVEL].map((name) => progressOf(deps, level.rp, name)));
  const [done, rows] = results.map((result) => {
    const out = new Map<string, number>();
    forEachRow(result, ({ tags, cell }) => {
      const v = num(cell('last'));
      if (v !== undefined) out.set(str(tags['measurement']), v);
    });
    return out;
  });
  const out: Partial<Ranges> = {};
  const rowsDone: Partial<Record<Kind, number>> = {};
  const rowsEdgeFrom: Partial<Record<Edge, number>> = {};
  for (const kind of [...SPANS, ...EDGES]) {
    const v = rows?.get(progressKey(kind));
    if (v !== undefined) rowsDone[kind] = v;
  }
  for (const kind of EDGES) {
    const v = rows?.get(`${progressKey(kind)}/from`);
    if (v !== undefined) rowsEdgeFrom[kind] = v;
  }
  if (rowsDone['5m'] !== undefined && rows?.has(FROM_KEY))
    Object.assign(out, { rowsRp: level.rp, rowsDone, rowsEdgeFrom, rowsFromMs: rows.get(FROM_KEY) });
  if (!done || !deps.settings.rollupTypes.includes('pod_container')) return out;
  const levelWide = done.get('');
  const cpuDoneMs = done.get('cpu/usage_rate') ?? levelWide;
  const memoryDoneMs = done.get('memory/working_set') ?? levelWide;
  if (cpuDoneMs === undefined && memoryDoneMs === undefined) return out;
  return { ...out, rp: level.rp, cpuDoneMs, memoryDoneMs };
}

/** Where the collector's right-sizing samples begin (query/recommend-samples); undefined: none. */
async function samplesBeginMs(deps: QueryDeps, sel: Selection): Promise<number | undefined> {
  const result = await progressQuery(deps, samplesBeginStatement(sel.clusterName));
  return samplesBegin(result);
}

async function progressOf(deps: QueryDeps, rp: string, levelName: string): Promise<QueryResult | undefined> {
  return progressQuery(deps, progressStatement(rp, levelName));
}

/** One statement's answer; undefined when its policy or database does not exist (yet). */
async function progressQuery(deps: QueryDeps, statement: string): Promise<QueryResult | undefined> {
  try {
    return (await deps.influx.query(statement))[0];
  } catch (err) {
    if (err instanceof InfluxError && /not found/.test(err.message)) return undefined;
    throw err;
  }
}

/** What to do with some results as soon as they are all in, while the others are awaited. */
interface Early<R> {
  indexes: readonly number[];
  run: (results: R[]) => void;
}

/** Runs `tasks` two at a time, in order of their index; results by index. */
async function inPairs<R>(tasks: ReadonlyArray<() => Promise<R>>, early?: Early<R>): Promise<R[]> {
  const out: R[] = new Array(tasks.length);
  const done = new Set<number>();
  let next = 0;
  let ran: Promise<void> | undefined;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
      done.add(i);
      if (early && !ran && early.indexes.every((j) => done.has(j)))
        // After this turn: the worker has sent its next request by then, so influxd keeps working.
        ran = new Promise((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(early.run(out));
            } catch (err) {
              reject(err);
            }
          }),
        );
      // Observed here too: a failed statement rejects the workers first, and `ran` is then never awaited.
      ran?.catch(() => undefined);
    }
  };
  await Promise.all([worker(), worker()]);
  await ran;
  return out;
}

/**
 * Runs each statement in its own request, two at a time: influxd runs a request's statements one
 * after the other, and the costly ones (the raw points since the rows end: a pass over every pod
 * container's series, ~1.2 CPU-s each at 1,000 × 30) then use both its cores; no answer holds
 * every row at once. An empty statement gets no result; a missing database is empty.
 */
async function runAll(
  c: Context,
  deps: QueryDeps,
  statements: string[],
  early?: Early<QueryResult | undefined>,
): Promise<Array<QueryResult | undefined>> {
  const started = performance.now();
  try {
    return await inPairs(
      statements.map((q) => async () => (q === '' ? undefined : (await deps.influx.query(q))[0])),
      early,
    );
  } catch (err) {
    if (!(err instanceof InfluxError && /database not found/.test(err.message))) throw err;
    return [];
  } finally {
    deps.metrics.influxLatency.observe({ route: c.req.routePath }, (performance.now() - started) / 1000);
  }
}
