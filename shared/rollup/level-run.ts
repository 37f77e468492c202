/**
 * @module rollup/level-run
 * One level of a rollup run, measurement by measurement: each one's due windows from its own
 * progress (a coarser level's bounded by the finer level's progress for that same measurement),
 * furthest behind first; its statements; its progress recorded as soon as they succeeded. A failed
 * statement costs only its measurement (logged, counted, retried by the next run) and the level
 * goes on with the next; the deadline stops the run, and what was done stays done.
 */
import type { Logger } from '#shared/log';
import { asError } from '#shared/errors';
import type { InfluxClient, QueryResult } from '#shared/influx/client';
import type { ObjectType } from '#shared/model';
import { type Due, type DueOptions, dueWindows, type Level } from '#shared/rollup/levels';
import type { Plan } from '#shared/rollup/catalog';
import { doneFor, markDone, type Progress, writeProgress } from '#shared/rollup/progress';
import { rollupStatements, type RangeSpec } from '#shared/rollup/statements';
import { rowsToLines } from '#shared/rollup/write-back';

export interface LevelStats {
  level: string;
  /** The union of the measurements' due ranges; fromMs = toMs when nothing was due. */
  fromMs: number;
  toMs: number;
  windows: number;
  /** Measurements rolled up and their progress recorded. */
  measurements: number;
  /** Measurements whose statement failed (the next run retries them). */
  failed: number;
  /** Statements sent to InfluxDB, failed ones included. */
  statements: number;
  points: number;
}

export interface LevelJob {
  client: InfluxClient;
  plans: readonly Plan[];
  level: Level;
  /** Where the level reads from: the raw policy, or the finer level (whose progress bounds it). */
  source: { rp: string; level?: Level };
  /** Read at the run's start; updated as measurements are done. */
  progress: Progress;
  due: Omit<DueOptions, 'sourceDoneMs'>;
  into: boolean;
  types: readonly ObjectType[];
  /** Epoch ms after which no statement starts. */
  deadline: number;
  log: Logger;
}

const LINES_PER_WRITE = 5_000;
const HINT =
  'the next run retries this measurement, the others stay done; an INTO of a large measurement can outlast ' +
  "influxd's [coordinator] write-timeout (10 s by default): raise it (INFLUXDB_COORDINATOR_WRITE_TIMEOUT), or " +
  'narrow ROLLUP_TYPES to the types worth keeping';

/** Rolls every measurement of one level up; `cut` when the deadline stopped it. */
export async function rollLevel(job: LevelJob): Promise<{ stats: LevelStats; cut: boolean }> {
  const { level, source, progress } = job;
  const work = job.plans.map((plan) => {
    const sourceDoneMs = source.level ? doneFor(progress, source.level.name, plan.measurement) : undefined;
    const options: DueOptions = {
      ...job.due,
      redoMs: plan.redoMs,
      // A coarser level reads only what the finer level did for this measurement (nothing yet: none).
      ...(source.level ? { sourceDoneMs: sourceDoneMs ?? -level.windowMs } : {}),
    };
    return { plan, due: dueWindows(level, doneFor(progress, level.name, plan.measurement), options) };
  });
  // Nothing due: no statement at all. An INTO over an empty range still costs influxd a pass over
  // every series of the measurement (its GROUP BY *), which at 1,000 nodes is most of a run's CPU.
  // The furthest behind go first, so a run cut by its deadline leaves the most recent ones.
  const due = work.filter((w) => w.due.toMs > w.due.fromMs).sort((a, b) => a.due.fromMs - b.due.fromMs);
  const stats = levelStats(level, due.length ? due.map((w) => w.due) : work.map((w) => w.due));
  for (const { plan, due: d } of due) {
    const range: RangeSpec = {
      ...d,
      level,
      sourceRp: source.rp,
      fromRaw: !source.level,
      into: job.into,
      types: job.types,
    };
    try {
      if (!(await rollMeasurement(job, plan, range, stats))) return { stats, cut: true };
      await writeProgress(job.client, level, range.toMs, plan.measurement, job.due.nowMs);
      markDone(progress, level.name, plan.measurement, range.toMs);
      stats.measurements++;
    } catch (err) {
      stats.failed++;
      job.log.error('rollup_statement_failed', {
        rollupLevel: level.name,
        measurement: plan.measurement,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        error: asError(err),
        hint: HINT,
      });
    }
  }
  return { stats, cut: false };
}

function levelStats(level: Level, dues: readonly Due[]): LevelStats {
  const fromMs = dues.length ? Math.min(...dues.map((d) => d.fromMs)) : 0;
  const toMs = dues.length ? Math.max(fromMs, ...dues.map((d) => d.toMs)) : 0;
  const windows = (toMs - fromMs) / level.windowMs;
  return { level: level.name, fromMs, toMs, windows, measurements: 0, failed: 0, statements: 0, points: 0 };
}

/** One measurement's statements over its range; false when the deadline came first. Throws on a failure. */
async function rollMeasurement(job: LevelJob, plan: Plan, range: RangeSpec, s: LevelStats): Promise<boolean> {
  // INTO does every window of the range in one statement; rows copied back go one window at a
  // time, so a response holds one row per series.
  const slices = range.into ? [range] : windowsOf(range);
  for (const slice of slices) {
    for (const statement of rollupStatements(plan, slice)) {
      if (Date.now() >= job.deadline) return false;
      s.statements++;
      const [result] = await job.client.query(statement);
      s.points += range.into ? writtenBy(result) : await writeBack(job.client, plan, result, range.level.rp);
    }
  }
  return true;
}

function windowsOf(range: RangeSpec): RangeSpec[] {
  const out: RangeSpec[] = [];
  for (let t = range.fromMs; t < range.toMs; t += range.level.windowMs)
    out.push({ ...range, fromMs: t, toMs: t + range.level.windowMs });
  return out;
}

/** `SELECT … INTO` answers one row `[0, written]`. */
function writtenBy(result: QueryResult | undefined): number {
  const v = result?.series?.[0]?.values[0]?.[1];
  return typeof v === 'number' ? v : 0;
}

async function writeBack(
  client: InfluxClient,
  plan: Plan,
  result: QueryResult | undefined,
  rp: string,
): Promise<number> {
  const lines: string[] = [];
  rowsToLines(plan, result, lines);
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE) {
    const status = await client.postBody(lines.slice(i, i + LINES_PER_WRITE).join('\n'), rp);
    if (status !== 204) throw new Error(`InfluxDB answered ${status} to rollup points for ${rp}.${plan.measurement}`);
  }
  return lines.length;
}
