/**
 * @module rollup/rightsizing-run
 * The rollup run's right-sizing rows (rollup/rightsizing), after the levels: the 5-minute span
 * from the raw points of every pod container (whatever ROLLUP_TYPES says: the pod and container
 * levels are not needed), the hour from the 5-minute rows, the day from the hours; beside them the
 * edge rows (rollup/rightsizing-edges): each span's windows just done give their parent's heads
 * (with the parent's earlier rows, read back), each parent's windows just done its tails (from
 * the rows they were merged from), weeks' tails from the day rows. Progress per kind in
 * `heapless_rollup` (measurement `heapless_rightsizing/<kind>`, and `…/<edge>/from` where an
 * edge kind begins), like the levels'; a window done twice writes the same points at the same
 * timestamps, so it overwrites.
 */
import type { InfluxClient } from '#shared/influx/client';
import { ident, literal, timeLiteral } from '#shared/influx/influxql';
import { escapeMeasurement, escapeTag, quoteString } from '#shared/encode/escape';
import { tagString } from '#shared/encode/line-protocol';
import { forEachRow, num, str } from '#shared/query/rows';
import { type Due, type DueOptions, dueWindows, type Level } from '#shared/rollup/levels';
import { doneFor, markDone, type Progress, writeProgress } from '#shared/rollup/progress';
import {
  addCpu,
  addWorkingSet,
  CURRENT_FIELDS,
  emptyRow,
  mergeRow,
  packRow,
  parseRow,
  RIGHTSIZING,
  ROW_TAGS,
  type RightsizingRow,
  rowFields,
  SPAN_MS,
  SPANS,
  type Span,
} from '#shared/rollup/rightsizing';
import {
  EDGES,
  type Edge,
  heads,
  head,
  type Kind,
  PARENT_MS,
  PARENT_OF,
  type Parent,
  tail,
  tails,
  type Timed,
} from '#shared/rollup/rightsizing-edges';

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
export const progressKey = (span: Kind): string => `${RIGHTSIZING}/${span}`;
/** Where the rows begin (their first run's first window): before it the routes read what they read without rows. */
export const FROM_KEY = `${RIGHTSIZING}/from`;

/** The rows' progress entries, as a pseudo-level of the 5-minute one (its policy, its window). */
export function progressLevel(fiveMinutes: Level): Level {
  return { ...fiveMinutes, name: PROGRESS_LEVEL };
}
const BY = ROW_TAGS.map(ident).join(',');
/** Requests and limits are floats whatever their value, so a whole one and a fraction never conflict. */
const FLOATS = new Set(Object.values(CURRENT_FIELDS));

/** Every progress key of the rows: each span's and each edge kind's (rollup/late sets them back). */
export function progressKeys(): string[] {
  return [...SPANS, ...EDGES].map(progressKey);
}

/** Rolls each span up in turn, with the edge rows beside; the points written. Throws when a statement or write failed. */
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
      let rows: Rows;
      if (i === 0) rows = await fromRaw(job, due.fromMs, due.toMs);
      else {
        const finer = SPANS[i - 1]!;
        const read = await readRows(job, finer, due.fromMs, due.toMs);
        rows = parentRows(read, span);
        points += await writeEdge(
          job,
          tail(span as Parent),
          edgeRows(read, (r) => tails(r, finer, due.fromMs, due.toMs)),
          due,
        );
      }
      points += await writeRows(job, span, rows);
      if (i === 0 && done === undefined && doneFor(job.progress, level.name, FROM_KEY) === undefined)
        await writeProgress(job.client, level, due.fromMs, FROM_KEY, job.due.nowMs);
      points += await writeHeads(job, span, rows, due);
      await writeProgress(job.client, level, due.toMs, key, job.due.nowMs);
      markDone(job.progress, level.name, key, due.toMs);
    }
    sourceDone = doneFor(job.progress, level.name, key);
  }
  return points + (await rollWeekTails(job, sourceDone));
}

/** `7d-tail`: whole weeks from the day rows (there are no `7d` rows of their own). */
async function rollWeekTails(job: RightsizingJob, daysDone: number | undefined): Promise<number> {
  const level = progressLevel(job.level);
  const kind = tail('7d');
  const weekLevel: Level = { ...job.level, name: kind, windowMs: PARENT_MS['7d'] };
  const options: DueOptions = { ...job.due, sourceDoneMs: daysDone ?? -PARENT_MS['7d'] };
  const due = dueWindows(weekLevel, doneFor(job.progress, level.name, progressKey(kind)), options);
  if (due.toMs <= due.fromMs || Date.now() >= job.deadline) return 0;
  const read = await readRows(job, '1d', due.fromMs, due.toMs);
  return writeEdge(
    job,
    kind,
    edgeRows(read, (r) => tails(r, '1d', due.fromMs, due.toMs)),
    due,
  );
}

/**
 * The parent's heads at `span`'s windows just rolled up (`rows`, over `due`): from those rows and
 * what the parent window held before them, read back: the head of the window before (one row a
 * container) where it was written, else the span's own rows (at a day's last hour, 23 a container).
 */
async function writeHeads(job: RightsizingJob, span: Span, rows: Rows, due: Due): Promise<number> {
  const parent = PARENT_OF[span];
  const start = Math.floor(due.fromMs / PARENT_MS[parent]) * PARENT_MS[parent];
  const level = progressLevel(job.level).name;
  const [headFrom, headDone] = [head(parent), head(parent)].map((k, i) =>
    doneFor(job.progress, level, i === 0 ? `${progressKey(k)}/from` : progressKey(k)),
  );
  const prior = due.fromMs - SPAN_MS[span];
  const hasPrior = headFrom !== undefined && headDone !== undefined && prior >= headFrom && due.fromMs <= headDone;
  const before =
    start >= due.fromMs
      ? new Map()
      : hasPrior
        ? await readRows(job, head(parent), prior, due.fromMs)
        : await readRows(job, span, start, due.fromMs);
  for (const { tags, timeMs, row } of rows.values()) byContainer(before, tags).push({ timeMs, row });
  const out = edgeRows(before, (r) =>
    heads(
      r.sort((a, b) => a.timeMs - b.timeMs),
      span,
      due.fromMs,
      due.toMs,
    ),
  );
  return writeEdge(job, head(parent), out, due);
}

/** Writes one edge kind's rows and its progress (and, the first time, where it begins). */
async function writeEdge(job: RightsizingJob, kind: Edge, rows: Rows, due: Due): Promise<number> {
  const level = progressLevel(job.level);
  const points = await writeRows(job, kind, rows);
  const key = progressKey(kind);
  if (doneFor(job.progress, level.name, `${key}/from`) === undefined) {
    await writeProgress(job.client, level, due.fromMs, `${key}/from`, job.due.nowMs);
    markDone(job.progress, level.name, `${key}/from`, due.fromMs);
  }
  await writeProgress(job.client, level, due.toMs, key, job.due.nowMs);
  markDone(job.progress, level.name, key, due.toMs);
  return points;
}

type Rows = Map<string, { tags: Record<string, string>; timeMs: number; row: RightsizingRow }>;

/** The tags a row is kept under (ROW_TAGS that are set), and the workload container's key from them. */
function containerOf(tags: Readonly<Record<string, string>>): { tags: Record<string, string>; key: string } {
  const kept: Record<string, string> = {};
  for (const t of ROW_TAGS) if (tags[t]) kept[t] = tags[t]!;
  return { tags: kept, key: ROW_TAGS.map((t) => kept[t] ?? '').join('\u0000') };
}

function rowOf(rows: Rows, tags: Readonly<Record<string, string>>, timeMs: number): RightsizingRow {
  const c = containerOf(tags);
  const key = `${timeMs}\u0000${c.key}`;
  let r = rows.get(key);
  if (!r) rows.set(key, (r = { tags: c.tags, timeMs, row: emptyRow() }));
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

/** One container's stored rows, oldest first, by its tags' key. */
type Grouped = Map<string, { tags: Record<string, string>; rows: Timed[] }>;

function byContainer(g: Grouped, tags: Readonly<Record<string, string>>): Timed[] {
  const c = containerOf(tags);
  let e = g.get(c.key);
  if (!e) g.set(c.key, (e = { tags: c.tags, rows: [] }));
  return e.rows;
}

/** One span's stored rows over `[fromMs, toMs)`, by container (influxd answers each series oldest first). */
async function readRows(job: RightsizingJob, span: Kind, fromMs: number, toMs: number): Promise<Grouped> {
  const [result] = await job.client.query(readRowsStatement(job.level.rp, span, fromMs, toMs));
  const out: Grouped = new Map();
  forEachRow(result, ({ tags, cell }) => {
    const t = num(cell('time'));
    if (t !== undefined) byContainer(out, tags).push({ timeMs: t, row: parseRow(cell) });
  });
  return out;
}

/** The `span` rows, each the merge of the finer rows within its window. */
function parentRows(read: Grouped, span: Span): Rows {
  const rows: Rows = new Map();
  const w = SPAN_MS[span];
  for (const { tags, rows: list } of read.values())
    for (const { timeMs, row } of list) mergeRow(rowOf(rows, tags, Math.floor(timeMs / w) * w), row);
  return rows;
}

/** `make`'s rows of every container, as rows to write. */
function edgeRows(read: Grouped, make: (rows: Timed[]) => Timed[]): Rows {
  const out: Rows = new Map();
  for (const [key, { tags, rows }] of read)
    for (const { timeMs, row } of make(rows)) out.set(`${timeMs}\u0000${key}`, { tags, timeMs, row });
  return out;
}

/**
 * One edge kind's rows over `[fromMs, toMs)`: the one field and the tags as columns, in one series
 * (no GROUP BY: influxd builds no tag sets, about half its cost over 6,000 workload containers).
 */
export function readEdgeStatement(rp: string, kind: Kind, fromMs: number, toMs: number, extra = ''): string {
  return (
    `SELECT ${ident('v')},${BY} FROM ${ident(rp)}.${ident(RIGHTSIZING)} WHERE ${ident('span')} = ${literal(kind)}${extra}` +
    ` AND time >= ${timeLiteral(fromMs)} AND time < ${timeLiteral(toMs)}`
  );
}

/** Every field of one span's rows over `[fromMs, toMs)`, by workload container. */
export function readRowsStatement(rp: string, span: Kind, fromMs: number, toMs: number, extra = ''): string {
  return (
    `SELECT * FROM ${ident(rp)}.${ident(RIGHTSIZING)} WHERE ${ident('span')} = ${literal(span)}${extra}` +
    ` AND time >= ${timeLiteral(fromMs)} AND time < ${timeLiteral(toMs)} GROUP BY ${BY}`
  );
}

async function writeRows(job: RightsizingJob, span: Kind, rows: Rows): Promise<number> {
  const lines: string[] = [];
  const m = escapeMeasurement(RIGHTSIZING);
  const edge = (EDGES as readonly string[]).includes(span);
  for (const { tags, timeMs, row } of rows.values()) {
    const fields = edge
      ? [`v=${quoteString(packRow(row))}`]
      : Object.entries(rowFields(row)).map(
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
