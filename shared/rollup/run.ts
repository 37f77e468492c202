/**
 * @module rollup/run
 * One rollup run: prepare the levels' retention policies → read what to roll up and how far each
 * level got → for each level, finest first, the windows due (bounded) → one or two statements per
 * measurement → record the progress → the run's own figures. Stateless between runs: progress
 * lives in InfluxDB, and a window done twice is written twice at the same timestamps with the
 * same values, so it overwrites and never double counts.
 * Exit code 0, or 1 when a statement failed (the next run redoes that range).
 */
import type { Logger } from '#shared/log';
import { readInfluxAuth } from '#shared/config/common';
import { asError } from '#shared/errors';
import { InfluxClient, type QueryResult } from '#shared/influx/client';
import { escapeTag } from '#shared/encode/escape';
import { dueWindows, type Level } from '#shared/rollup/levels';
import { type Plan, preparePolicies, readPlans } from '#shared/rollup/catalog';
import { readProgress, writeProgress } from '#shared/rollup/progress';
import { rollupStatements, type RangeSpec } from '#shared/rollup/statements';
import { rowsToLines } from '#shared/rollup/write-back';
import type { RollupConfig } from '#shared/rollup/settings';

export interface RollupDeps {
  log: Logger;
  /** The run's time in ms (which windows are due); injectable so tests can drive a clock. */
  now?: () => number;
}

export interface LevelStats {
  level: string;
  fromMs: number;
  toMs: number;
  windows: number;
  statements: number;
  points: number;
}

export interface RollupStats {
  levels: LevelStats[];
  measurements: number;
  points: number;
  failedStatements: number;
  /** A level stopped at the deadline; its range is redone by the next run. */
  cut: boolean;
  durationMs: number;
}

export interface RollupResult {
  exitCode: number;
  stats: RollupStats;
}

const LINES_PER_WRITE = 5_000;

export async function runRollup(config: RollupConfig, deps: RollupDeps): Promise<RollupResult> {
  const started = Date.now();
  const deadline = started + config.runDeadline;
  const nowMs = (deps.now ?? Date.now)();
  const stats: RollupStats = { levels: [], measurements: 0, points: 0, failedStatements: 0, cut: false, durationMs: 0 };
  // A statement over hours of a large cluster's points runs long: it gets the run's whole budget.
  const client = new InfluxClient({
    url: config.influxUrl,
    db: config.influxDb,
    auth: readInfluxAuth(config),
    timeoutMs: Math.max(config.influxTimeout, config.runDeadline),
  });
  let error: Error | undefined;
  try {
    const rawRp = await preparePolicies(client, config.rollupLevels, config.influxCreateDb);
    const [plans, progress] = await Promise.all([
      readPlans(client, rawRp, config.influxSchema),
      readProgress(client, config.rollupLevels),
    ]);
    stats.measurements = plans.length;
    let source = { rp: rawRp, doneMs: undefined as number | undefined, raw: true };
    for (const level of config.rollupLevels) {
      const due = dueWindows(level, progress.get(level.name), {
        nowMs,
        delayMs: config.rollupDelay,
        maxWindows: config.rollupMaxWindows,
        backfillMs: config.rollupBackfill,
        ...(source.raw ? {} : { sourceDoneMs: source.doneMs ?? due0(level) }),
      });
      const range: RangeSpec = {
        ...due,
        level,
        sourceRp: source.rp,
        fromRaw: source.raw,
        into: config.rollupMode === 'into',
        types: config.rollupTypes,
      };
      const done = await rollLevel(client, plans, range, deadline, stats);
      if (done) {
        if (due.toMs > due.fromMs) await writeProgress(client, level, due.toMs);
        progress.set(level.name, Math.max(due.toMs, progress.get(level.name) ?? due.toMs));
      }
      if (!done) break;
      source = { rp: level.rp, doneMs: progress.get(level.name), raw: false };
    }
  } catch (err) {
    error = asError(err);
    stats.failedStatements++;
  }
  stats.durationMs = Date.now() - started;
  const timeMs = nowMs;
  await client.postBody(encodeRollupRun(stats, timeMs)).catch(() => undefined);
  if (error) deps.log.error('rollup_failed', { error, hint: 'the next run redoes the windows not recorded as done' });
  deps.log.info('rollup_run', { ...stats });
  return { exitCode: error || stats.failedStatements > 0 ? 1 : 0, stats };
}

/** A coarser level with no finer progress yet has nothing to read. */
function due0(level: Level): number {
  return -level.windowMs;
}

/** Rolls every measurement up over `range`; false when the deadline cut it (progress stays). */
async function rollLevel(
  client: InfluxClient,
  plans: readonly Plan[],
  range: RangeSpec,
  deadline: number,
  stats: RollupStats,
): Promise<boolean> {
  const s: LevelStats = {
    level: range.level.name,
    fromMs: range.fromMs,
    toMs: range.toMs,
    windows: (range.toMs - range.fromMs) / range.level.windowMs,
    statements: 0,
    points: 0,
  };
  stats.levels.push(s);
  // Nothing due: no statement at all. An INTO over an empty range still costs influxd a pass over
  // every series of the measurement (its GROUP BY *), which at 1,000 nodes is most of a run's CPU.
  if (range.toMs <= range.fromMs) return true;
  // INTO does every window of the range in one statement; rows copied back go one window at a
  // time, so a response holds one row per series.
  const slices = range.into ? [range] : windowsOf(range);
  for (const slice of slices) {
    for (const plan of plans) {
      for (const statement of rollupStatements(plan, slice)) {
        if (Date.now() >= deadline) {
          stats.cut = true;
          return false;
        }
        const [result] = await client.query(statement);
        s.statements++;
        const written = range.into ? writtenBy(result) : await writeBack(client, plan, result, range.level.rp);
        s.points += written;
        stats.points += written;
      }
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

/** `heapless_run,fn=rollup …`: the run's figures beside the collector's and the exporter's. */
function encodeRollupRun(s: RollupStats, timeMs: number): string {
  const windows = s.levels.reduce((a, l) => a + l.windows, 0);
  const fields = [
    `windows=${windows}i`,
    `measurements=${s.measurements}i`,
    `points=${s.points}i`,
    `failed_statements=${s.failedStatements}i`,
    `cut=${s.cut}`,
    `duration_ms=${s.durationMs}i`,
  ];
  return `heapless_run,fn=${escapeTag('rollup')} ${fields.join(',')} ${timeMs}`;
}
