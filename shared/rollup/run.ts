/**
 * @module rollup/run
 * One rollup run: prepare the levels' retention policies → read what to roll up and how far each
 * measurement of each level got → set that back where late points arrived (rollup/late) → for
 * each level, finest first, each measurement's due windows (bounded), its statements and its
 * progress (rollup/level-run) → the run's own figures. Stateless
 * between runs: progress lives in InfluxDB, and a window done twice is written twice at the same
 * timestamps with the same values, so it overwrites and never double counts.
 * Exit code 0, or 1 when a statement failed (the next run redoes that measurement's range).
 */
import type { Logger } from '#shared/log';
import { readInfluxAuth } from '#shared/config/common';
import { asError } from '#shared/errors';
import { InfluxClient } from '#shared/influx/client';
import { escapeTag } from '#shared/encode/escape';
import type { Level } from '#shared/rollup/levels';
import { preparePolicies, readPlans } from '#shared/rollup/catalog';
import { readProgress } from '#shared/rollup/progress';
import { catchLate } from '#shared/rollup/late';
import { type LevelStats, rollLevel } from '#shared/rollup/level-run';
import type { RollupConfig } from '#shared/rollup/settings';
import { progressKeys, progressLevel, rollRightsizing } from '#shared/rollup/rightsizing-run';

export interface RollupDeps {
  log: Logger;
  /** The run's time in ms (which windows are due); injectable so tests can drive a clock. */
  now?: () => number;
}

export interface RollupStats {
  levels: LevelStats[];
  measurements: number;
  points: number;
  failedStatements: number;
  /** Where late points (a replayed spool) were found: the first window redone for them. */
  lateFromMs?: number;
  /** Progress of (level, measurement) pairs set back to redo late points. */
  rewound: number;
  /** The deadline stopped the run; the measurements it did not reach are done by the next. */
  cut: boolean;
  durationMs: number;
}

export interface RollupResult {
  exitCode: number;
  stats: RollupStats;
}

export async function runRollup(config: RollupConfig, deps: RollupDeps): Promise<RollupResult> {
  const started = Date.now();
  const nowMs = (deps.now ?? Date.now)();
  const stats: RollupStats = {
    levels: [],
    measurements: 0,
    points: 0,
    failedStatements: 0,
    rewound: 0,
    cut: false,
    durationMs: 0,
  };
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
    const fiveMinutes = config.rollupLevels.find((l) => l.windowMs === 300_000);
    const rowsLevel = fiveMinutes ? [progressLevel(fiveMinutes)] : [];
    const [plans, progress] = await Promise.all([
      readPlans(client, rawRp, config.influxSchema),
      readProgress(client, [...config.rollupLevels, ...rowsLevel]),
    ]);
    stats.measurements = plans.length;
    const late = await catchLate(client, {
      rawRp,
      // The right-sizing rows' progress too (its own pseudo-level): each kind's rows are redone
      // from the window floored to it.
      levels: [...config.rollupLevels, ...rowsLevel],
      measurements: [...plans.map((p) => p.measurement), ...progressKeys()],
      progress,
      nowMs,
      delayMs: config.rollupDelay,
      lookbackMs: config.rollupLateLookback,
    });
    Object.assign(stats, late);
    if (late.lateFromMs !== undefined)
      deps.log.info('rollup_late_points', {
        from: new Date(late.lateFromMs).toISOString(),
        rewound: late.rewound,
        hint: 'collect runs arrived after their windows were rolled up (a replayed spool): those windows are redone',
      });
    // Which windows are due: the same rule for every level and for the right-sizing rows.
    const due = {
      nowMs,
      delayMs: config.rollupDelay,
      maxWindows: config.rollupMaxWindows,
      backfillMs: config.rollupBackfill,
    };
    let source: { rp: string; level?: Level } = { rp: rawRp };
    for (const level of config.rollupLevels) {
      const r = await rollLevel({
        client,
        plans,
        level,
        source,
        progress,
        due,
        into: config.rollupMode === 'into',
        types: config.rollupTypes,
        deadline: started + config.runDeadline,
        log: deps.log,
      });
      stats.levels.push(r.stats);
      stats.points += r.stats.points;
      stats.failedStatements += r.stats.failed;
      stats.cut = r.cut;
      if (r.cut) break;
      source = { rp: level.rp, level };
    }
    if (!stats.cut && fiveMinutes) {
      const oom = plans.find((p) => p.measurement === 'restart/oom_kill');
      stats.points += await rollRightsizing({
        client,
        level: fiveMinutes,
        rawRp,
        progress,
        due: { ...due, ...(oom?.redoMs ? { redoMs: oom.redoMs } : {}) },
        deadline: started + config.runDeadline,
      });
    }
  } catch (err) {
    error = asError(err);
    stats.failedStatements++;
  }
  stats.durationMs = Date.now() - started;
  await client.postBody(encodeRollupRun(stats, nowMs)).catch(() => undefined);
  if (error) deps.log.error('rollup_failed', { error, hint: 'the next run redoes the windows not recorded as done' });
  deps.log.info('rollup_run', { ...stats });
  return { exitCode: error || stats.failedStatements > 0 ? 1 : 0, stats };
}

/** `heapless_run,fn=rollup …`: the run's figures beside the collector's and the exporter's. */
function encodeRollupRun(s: RollupStats, timeMs: number): string {
  const windows = s.levels.reduce((a, l) => a + l.windows, 0);
  const fields = [
    `windows=${windows}i`,
    `measurements=${s.measurements}i`,
    `points=${s.points}i`,
    `failed_statements=${s.failedStatements}i`,
    `rewound=${s.rewound}i`,
    `cut=${s.cut}`,
    `duration_ms=${s.durationMs}i`,
  ];
  return `heapless_run,fn=${escapeTag('rollup')} ${fields.join(',')} ${timeMs}`;
}
