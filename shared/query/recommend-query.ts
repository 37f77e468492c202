/**
 * @module query/recommend-query
 * What right-sizing reads from InfluxDB, per workload and container name: the rollup's
 * right-sizing rows (the fewest that cover the window: rollup/rightsizing-edges), the raw points
 * after them grouped into 5-minute windows, and, before the rows begin, the container's mean CPU
 * per pod and 5-minute window from the 5-minute rollup level (or raw points), its largest working
 * set, its latest requests and limits, and its OOM kills. CPU points tagged `sampled=true` (a 10 s
 * sample, not a mean) are left out. Every value is validated by the route, then quoted here.
 */
import { ident, literal, timeLiteral } from '#shared/influx/influxql';
import { tagEquals } from '#shared/query/where';
import { WINDOW_MS } from '#shared/query/recommend';
import { readEdgeStatement, readRowsStatement } from '#shared/rollup/rightsizing-run';
import { SPAN_MS, SPANS, type Span } from '#shared/rollup/rightsizing';
import { cover, EDGES, type Edge, type Kind, type Piece } from '#shared/rollup/rightsizing-edges';
import { BARE_PODS } from '#shared/query/recommend-fold';
import { samplesKillsStatement, samplesStatement } from '#shared/query/recommend-samples';

export { BARE_PODS, foldRecommendationData, type WorkloadData } from '#shared/query/recommend-fold';

export interface Selection {
  namespaces?: readonly string[];
  kind?: string;
  name?: string;
  clusterName?: string | undefined;
}

const WORKLOAD_TAGS = ['namespace_name', 'workload_kind', 'workload_name'];
const BY_CONTAINER = [...WORKLOAD_TAGS, 'container_name'].map(ident).join(',');
const BY_POD_CONTAINER = [...WORKLOAD_TAGS, 'pod_name', 'container_name'].map(ident).join(',');

/** The selection's tag conditions, each preceded by ` AND ` (the right-sizing rows carry no `type`). */
export function selectionFilter(sel: Selection): string {
  const parts: string[] = [];
  if (sel.namespaces?.length === 1) parts.push(tagEquals('namespace_name', sel.namespaces[0]!));
  else if (sel.namespaces && sel.namespaces.length > 1)
    parts.push(`(${sel.namespaces.map((n) => tagEquals('namespace_name', n)).join(' OR ')})`);
  if (sel.kind) parts.push(tagEquals('workload_kind', sel.kind));
  if (sel.name && sel.name !== BARE_PODS) parts.push(tagEquals('workload_name', sel.name));
  if (sel.clusterName) parts.push(tagEquals('cluster_name', sel.clusterName));
  return parts.map((p) => ` AND ${p}`).join('');
}

function conditions(sel: Selection, startMs: number, endMs: number, endExclusive = false): string {
  const parts = [`${tagEquals('type', 'pod_container')}${selectionFilter(sel)}`];
  parts.push(`time >= ${timeLiteral(startMs)}`, `time ${endExclusive ? '<' : '<='} ${timeLiteral(endMs)}`);
  return `WHERE ${parts.join(' AND ')}`;
}

const NOT_SAMPLED = `${ident('sampled')} != ${literal('true')}`;
const from = (rp: string | undefined, m: string): string => (rp ? `${ident(rp)}.${ident(m)}` : ident(m));

/** How far the rollup's 5-minute level got for the two measurements read from it. */
export function progressStatement(rp: string, levelName: string): string {
  return `SELECT last(${ident('done')}) FROM ${ident(rp)}.${ident('heapless_rollup')} WHERE ${tagEquals('level', levelName)} GROUP BY ${ident('measurement')}`;
}

export interface Ranges {
  startMs: number;
  endMs: number;
  /** The 5-minute level's policy, and where it ends per measurement (undefined: raw only). */
  rp?: string | undefined;
  cpuDoneMs?: number | undefined;
  memoryDoneMs?: number | undefined;
  /** Where the raw points begin (end − INFLUX_RETENTION); OOM kills before it are read from the level. */
  rawFromMs?: number | undefined;
  /** The right-sizing rows' policy, where they begin, and how far each span is done (rollup/rightsizing). */
  rowsRp?: string | undefined;
  rowsFromMs?: number | undefined;
  rowsDone?: Partial<Record<Kind, number>> | undefined;
  /** Where each kind of edge row begins (rollup/rightsizing-edges); absent: none yet. */
  rowsEdgeFrom?: Partial<Record<Edge, number>> | undefined;
  /** Where the collector's right-sizing samples begin (query/recommend-samples); absent: none yet. */
  samplesFromMs?: number | undefined;
}

/**
 * The tail `[fromMs, endMs]` after the rows, when the collector's samples cover it (they began at
 * or before its start); undefined: the raw points are read (no rows, an upgrade's first minutes).
 */
export function samplesTailRange(r: Ranges): { fromMs: number; endMs: number } | undefined {
  const rows = rowsSpan(r);
  if (!rows || r.samplesFromMs === undefined || r.samplesFromMs > rows.toMs) return undefined;
  return { fromMs: rows.toMs, endMs: r.endMs };
}

/** Where the right-sizing rows begin and end within the range (raw points after); undefined without rows. */
function rowsSpan(r: Ranges): { fromMs: number; toMs: number } | undefined {
  const done = r.rowsDone?.['5m'];
  if (!r.rowsRp || done === undefined || r.rowsFromMs === undefined) return undefined;
  const clamp = (ms: number): number => Math.min(Math.max(alignStart(ms), r.startMs), alignStart(r.endMs));
  const fromMs = clamp(Math.ceil(r.rowsFromMs / WINDOW_MS) * WINDOW_MS);
  return { fromMs, toMs: Math.max(fromMs, clamp(done)) };
}

/**
 * With right-sizing rows: before they begin, the seven statements of levelStatements (the range
 * cut there; all empty when the rows cover the start); then the raw tail after the rows end (CPU,
 * working set, OOM kills: results 7–9); then the rows' own statements (10 on), the fewest span
 * windows. The requests and limits are read over the whole range.
 */
function rowsStatements(sel: Selection, r: Ranges, rows: { fromMs: number; toMs: number }): string[] {
  const before =
    rows.fromMs > r.startMs
      ? levelStatements(sel, {
          ...r,
          endMs: rows.fromMs - 1,
          // The level's OOM kills end where the rows begin too.
          rawFromMs: Math.min(r.rawFromMs ?? r.startMs, rows.fromMs),
        })
      : Array(7).fill('');
  const current = ['cpu/request', 'cpu/limit', 'memory/request', 'memory/limit'].map(ident).join(',');
  const tail = conditions(sel, rows.toMs, r.endMs);
  // Cluster-wide, one statement per span window: influxd's answer to one statement over every
  // workload's rows of a week (~100 MB at 1,000 × 30) costs it far more than ten of a tenth.
  const perWindow = !sel.namespaces?.length && !sel.name;
  // The rows keep the latest requests and limits: only those set since they end are read raw,
  // except cluster-wide, where the rows' are the answer's (as of the rollup's last run): that read
  // costs influxd a pass over every pod container's four series (~4 CPU-s at 1,000 × 30, twice
  // what the rows themselves cost), even over the few minutes since the rows end.
  before[4] = perWindow ? '' : `SELECT last(${ident('value')}) FROM ${current} ${tail} GROUP BY ${BY_CONTAINER}`;
  const read = cover(rows.fromMs, rows.toMs, { done: r.rowsDone ?? {}, from: r.rowsEdgeFrom ?? {} })
    .flatMap((g) => (perWindow ? windowsOf(g) : [g]))
    .map((g) =>
      (EDGES.includes(g.kind as Edge) ? readEdgeStatement : readRowsStatement)(
        r.rowsRp!,
        g.kind,
        g.fromMs,
        g.toMs,
        selectionFilter(sel),
      ),
    );
  // The tail from the collector's samples where they cover it (query/recommend-samples turns its
  // one answer into results 7–9); else three passes over every selected pod container's series.
  const samples = samplesTailRange(r);
  return [
    ...before,
    ...(samples
      ? [
          samplesStatement(selectionFilter(sel), samples.fromMs, samples.endMs),
          samplesKillsStatement(selectionFilter(sel), samples.fromMs),
          '',
        ]
      : [
          `SELECT mean(${ident('value')}) FROM ${ident('cpu/usage_rate')} ${tail} AND ${NOT_SAMPLED} GROUP BY time(5m),${BY_POD_CONTAINER}`,
          `SELECT max(${ident('value')}) FROM ${ident('memory/working_set')} ${tail} GROUP BY ${BY_CONTAINER}`,
          `SELECT count(${ident('value')}) FROM ${ident('restart/oom_kill')} ${tail} GROUP BY ${BY_CONTAINER}`,
        ]),
    ...read,
  ];
}

/** A piece of a span's own rows as one piece per window (an edge piece is one window already). */
function windowsOf(g: Piece): Piece[] {
  if (!(SPANS as readonly string[]).includes(g.kind)) return [g];
  const w = SPAN_MS[g.kind as Span];
  return Array.from({ length: Math.ceil((g.toMs - g.fromMs) / w) }, (_, i) => ({
    ...g,
    fromMs: g.fromMs + i * w,
    toMs: Math.min(g.toMs, g.fromMs + (i + 1) * w),
  }));
}

/** The statements, in the order foldRecommendationData takes their results. */
export function recommendationStatements(sel: Selection, r: Ranges): string[] {
  const rows = rowsSpan(r);
  return rows ? rowsStatements(sel, r, rows) : levelStatements(sel, r);
}

/** Without rows: the 5-minute level's container rollups (when kept) and raw points after. */
function levelStatements(sel: Selection, r: Ranges): string[] {
  const split = (doneMs: number | undefined): number =>
    r.rp && doneMs !== undefined ? Math.min(Math.max(doneMs, r.startMs), r.endMs) : r.startMs;
  const [cpuSplit, memSplit] = [split(r.cpuDoneMs), split(r.memoryDoneMs)];
  const cpu = 'cpu/usage_rate';
  const ws = 'memory/working_set';
  const current = ['cpu/request', 'cpu/limit', 'memory/request', 'memory/limit'].map(ident).join(',');
  const whole = conditions(sel, r.startMs, r.endMs);
  const out = [
    `SELECT ${ident('value')} FROM ${from(r.rp, cpu)} ${conditions(sel, r.startMs, cpuSplit, true)} AND ${NOT_SAMPLED}` +
      ` GROUP BY ${BY_POD_CONTAINER}`,
    `SELECT mean(${ident('value')}) FROM ${ident(cpu)} ${conditions(sel, cpuSplit, r.endMs)} AND ${NOT_SAMPLED}` +
      ` GROUP BY time(5m),${BY_POD_CONTAINER}`,
    `SELECT max(${ident('value_max')}) FROM ${from(r.rp, ws)} ${conditions(sel, r.startMs, memSplit, true)} GROUP BY ${BY_CONTAINER}`,
    `SELECT max(${ident('value')}) FROM ${ident(ws)} ${conditions(sel, memSplit, r.endMs)} GROUP BY ${BY_CONTAINER}`,
    `SELECT last(${ident('value')}) FROM ${current} ${whole} GROUP BY ${BY_CONTAINER}`,
    `SELECT count(${ident('value')}) FROM ${ident('restart/oom_kill')} ${whole} GROUP BY ${BY_CONTAINER}`,
  ];
  // A window starts on a 5-minute boundary: the level counts the kills before it, raw points the rest.
  const rawFrom = Math.ceil((r.rawFromMs ?? r.startMs) / WINDOW_MS) * WINDOW_MS;
  if (r.rp && rawFrom > r.startMs) {
    out[5] = `SELECT count(${ident('value')}) FROM ${ident('restart/oom_kill')} ${conditions(sel, rawFrom, r.endMs)} GROUP BY ${BY_CONTAINER}`;
    out.push(
      `SELECT sum(${ident('value_count')}) FROM ${from(r.rp, 'restart/oom_kill')} ${conditions(sel, r.startMs, rawFrom, true)}` +
        ` GROUP BY ${BY_CONTAINER}`,
    );
  } else out.push('');
  // Without a level, the first and third read nothing (an empty range): skip the round trip.
  return r.rp ? out : out.map((s, i) => (i === 0 || i === 2 ? '' : s));
}

/** Aligns a range's start down to a 5-minute window, as the rollup and `GROUP BY time(5m)` do. */
export function alignStart(ms: number): number {
  return Math.floor(ms / WINDOW_MS) * WINDOW_MS;
}
