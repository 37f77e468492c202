/**
 * @module rollup/rightsizing-run
 * The rollup run's right-sizing rows (rollup/rightsizing), after the levels: the 5-minute span
 * from the raw points of every pod container (whatever ROLLUP_TYPES says: the pod and container
 * levels are not needed), the hour from the 5-minute rows, the day from the hours. Progress per
 * span in `heapless_rollup` (measurement `heapless_rightsizing/<span>`), like the levels'; a
 * window done twice writes the same points at the same timestamps, so it overwrites.
 */
import type { InfluxClient } from '#shared/influx/client';
import { ident, literal, timeLiteral } from '#shared/influx/influxql';
import { escapeMeasurement, escapeTag, quoteString } from '#shared/encode/escape';
import { tagString } from '#shared/encode/line-protocol';
import { forEachRow, num, str } from '#shared/query/rows';
import { type DueOptions, dueWindows, type Level } from '#shared/rollup/levels';
import { doneFor, markDone, type Progress, writeProgress } from '#shared/rollup/progress';
import {
  addCpu,
  addWorkingSet,
  CURRENT_FIELDS,
  emptyRow,
  mergeRow,
  parseRow,
  RIGHTSIZING,
  ROW_TAGS,
  type RightsizingRow,
  rowFields,
  SPAN_MS,
  SPANS,
  type Span,
} from '#shared/rollup/rightsizing';

export interface RightsizingJob {
  client: InfluxClient;
  /** The 5-minute level: the rows live in its policy and last as long as it does. */
  level: Level;
  rawRp: string;
  progress: Progress;
  due: Omit<DueOptions, 'sourceDoneMs'>;
  deadline: number;
}

const LINES_PER_WRITE = 5_000;
/**
 * The `level` tag of the rows' progress (`heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/5m`):
 * apart from the levels', so no level-wide point of an older version stands for it.
 */
export const PROGRESS_LEVEL = 'rightsizing';
export const progressKey = (span: Span): string => `${RIGHTSIZING}/${span}`;
/** Where the rows begin (their first run's first window): before it the routes read what they read without rows. */
export const FROM_KEY = `${RIGHTSIZING}/from`;

/** The rows' progress entries, as a pseudo-level of the 5-minute one (its policy, its window). */
export function progressLevel(fiveMinutes: Level): Level {
  return { ...fiveMinutes, name: PROGRESS_LEVEL };
}
const BY = ROW_TAGS.map(ident).join(',');
/** Requests and limits are floats whatever their value, so a whole one and a fraction never conflict. */
const FLOATS = new Set(Object.values(CURRENT_FIELDS));

/** Rolls each span up in turn; the points written. Throws when a statement or write failed. */
export async function rollRightsizing(job: RightsizingJob): Promise<number> {
  let points = 0;
  let sourceDone: number | undefined;
  const level = progressLevel(job.level);
  for (const [i, span] of SPANS.entries()) {
    const spanLevel: Level = { ...job.level, name: span, windowMs: SPAN_MS[span] };
    const key = progressKey(span);
    const options: DueOptions = { ...job.due, ...(i > 0 ? { sourceDoneMs: sourceDone ?? -SPAN_MS[span] } : {}) };
    const done = doneFor(job.progress, level.name, key);
    const due = dueWindows(spanLevel, done, options);
    if (due.toMs > due.fromMs) {
      if (Date.now() >= job.deadline) return points;
      const rows = i === 0 ? await fromRaw(job, due.fromMs, due.toMs) : await fromSpan(job, SPANS[i - 1]!, span, due);
      points += await writeRows(job, span, rows);
      if (i === 0 && done === undefined && doneFor(job.progress, level.name, FROM_KEY) === undefined)
        await writeProgress(job.client, level, due.fromMs, FROM_KEY, job.due.nowMs);
      await writeProgress(job.client, level, due.toMs, key, job.due.nowMs);
      markDone(job.progress, level.name, key, due.toMs);
    }
    sourceDone = doneFor(job.progress, level.name, key);
  }
  return points;
}

type Rows = Map<string, { tags: Record<string, string>; timeMs: number; row: RightsizingRow }>;

function rowOf(rows: Rows, tags: Readonly<Record<string, string>>, timeMs: number): RightsizingRow {
  const kept: Record<string, string> = {};
  for (const t of ROW_TAGS) if (tags[t]) kept[t] = tags[t]!;
  const key = `${timeMs}\u0000${ROW_TAGS.map((t) => kept[t] ?? '').join('\u0000')}`;
  let r = rows.get(key);
  if (!r) rows.set(key, (r = { tags: kept, timeMs, row: emptyRow() }));
  return r.row;
}

function rawWhere(fromMs: number, toMs: number): string {
  return `WHERE ${ident('type')} = ${literal('pod_container')} AND time >= ${timeLiteral(fromMs)} AND time < ${timeLiteral(toMs)}`;
}

/** The 5-minute rows of `[fromMs, toMs)` from the raw points, one round trip. */
async function fromRaw(job: RightsizingJob, fromMs: number, toMs: number): Promise<Rows> {
  const rp = ident(job.rawRp);
  const where = rawWhere(fromMs, toMs);
  const group = `GROUP BY time(5m),${BY}`;
  const [cpu, ws, oom, current] = await job.client.query(
    [
      `SELECT mean(${ident('value')}) FROM ${rp}.${ident('cpu/usage_rate')} ${where} AND ${ident('sampled')} != ${literal('true')} ${group},${ident('pod_name')} fill(none)`,
      `SELECT max(${ident('value')}) FROM ${rp}.${ident('memory/working_set')} ${where} ${group} fill(none)`,
      `SELECT count(${ident('value')}) FROM ${rp}.${ident('restart/oom_kill')} ${where} ${group} fill(none)`,
      `SELECT last(${ident('value')}) FROM ${Object.keys(CURRENT_FIELDS)
        .map((m) => `${rp}.${ident(m)}`)
        .join(',')} ${where} ${group} fill(none)`,
    ].join('; '),
  );
  const rows: Rows = new Map();
  forEachRow(cpu, ({ tags, cell }) => {
    const [t, v] = [num(cell('time')), num(cell('mean'))];
    if (t !== undefined && v !== undefined) addCpu(rowOf(rows, tags, t), str(tags['pod_name']), t, v);
  });
  forEachRow(ws, ({ tags, cell }) => {
    const [t, v] = [num(cell('time')), num(cell('max'))];
    if (t !== undefined && v !== undefined) addWorkingSet(rowOf(rows, tags, t), v);
  });
  forEachRow(oom, ({ tags, cell }) => {
    const [t, v] = [num(cell('time')), num(cell('count'))];
    if (t !== undefined && v !== undefined) rowOf(rows, tags, t).oom += v;
  });
  forEachRow(current, ({ measurement, tags, cell }) => {
    const [t, v] = [num(cell('time')), num(cell('last'))];
    if (t !== undefined && v !== undefined) rowOf(rows, tags, t).current[measurement] = v;
  });
  return rows;
}

/** The `span` rows of the due range, each the merge of the finer span's rows within it. */
async function fromSpan(
  job: RightsizingJob,
  finer: Span,
  span: Span,
  due: { fromMs: number; toMs: number },
): Promise<Rows> {
  const [result] = await job.client.query(readRowsStatement(job.level.rp, finer, due.fromMs, due.toMs));
  const rows: Rows = new Map();
  const w = SPAN_MS[span];
  forEachRow(result, ({ tags, cell }) => {
    const t = num(cell('time'));
    if (t !== undefined) mergeRow(rowOf(rows, tags, Math.floor(t / w) * w), parseRow(cell));
  });
  return rows;
}

/** Every field of one span's rows over `[fromMs, toMs)`, by workload container. */
export function readRowsStatement(rp: string, span: Span, fromMs: number, toMs: number, extra = ''): string {
  return (
    `SELECT * FROM ${ident(rp)}.${ident(RIGHTSIZING)} WHERE ${ident('span')} = ${literal(span)}${extra}` +
    ` AND time >= ${timeLiteral(fromMs)} AND time < ${timeLiteral(toMs)} GROUP BY ${BY}`
  );
}

async function writeRows(job: RightsizingJob, span: Span, rows: Rows): Promise<number> {
  const lines: string[] = [];
  const m = escapeMeasurement(RIGHTSIZING);
  for (const { tags, timeMs, row } of rows.values()) {
    const fields = Object.entries(rowFields(row)).map(
      ([k, v]) =>
        `${escapeTag(k)}=${typeof v === 'string' ? quoteString(v) : Number.isInteger(v) && !FLOATS.has(k) ? `${v}i` : v}`,
    );
    lines.push(`${m}${tagString({ ...tags, span })} ${fields.join(',')} ${timeMs}`);
  }
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
    const status = await job.client.postBody(lines.slice(i, i + LINES_PER_WRITE).join('\n'), job.level.rp);
    if (status !== 204)
      throw new Error(`InfluxDB answered ${status} to right-sizing rows for ${job.level.rp}.${RIGHTSIZING}`);
  }
  return lines.length;
}
