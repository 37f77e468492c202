/**
 * @module start/schedule
 * The collector, the rollup and the events export on one schedule (croner, every INTERVAL, 15 s
 * here): each run logs its own one-line summary (`"fn":"collect","event":"run"`,
 * `"fn":"rollup","event":"rollup_run"`, `"fn":"events","event":"run"`). The rollup runs after the
 * collector, so on the first tick the collector has created the database and its raw default
 * policy before the rollup reads it. A run still going when the next is due is skipped
 * (`protect`), as `concurrencyPolicy: Forbid` does. Once Ctrl-C has come, a run still going
 * loses the simulator and influxd under it (the terminal's SIGINT reaches influxd too): its
 * warnings and errors then say nothing the user must act on, and are dropped (its summary stays).
 */
import { Cron } from 'croner';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { failed } from '#shared/entry';
import { createLogger, type Level } from '#shared/log';
import { quietWhen } from '#test/start/lifecycle';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';

/**
 * Rollup windows short enough that a newcomer sees rolled-up points within minutes (the first 1m
 * window is done ~1m20s after start); the query service is given the same ROLLUP_LEVELS.
 */
export const START_ROLLUP_ENV = {
  ROLLUP_LEVELS: '1m:1d,5m:7d',
  ROLLUP_DELAY: '20s',
  ROLLUP_BACKFILL: '10m',
};

export interface Schedule {
  /** The first runs, started at once; resolves when both have finished. */
  first: Promise<void>;
  stop(): void;
}

export function startSchedule(
  env: Record<string, string | undefined>,
  beforeRun: () => void,
  stopping: () => boolean = () => false,
): Schedule {
  const collectConfig = readCollectConfig(env, []);
  const eventsConfig = readEventsConfig(env, []);
  const rollupConfig = readRollupConfig(env, []);
  // Each function's logger as its entry point makes it, quiet from Ctrl-C on.
  const logFor = (fn: string, c: { logLevel: Level; influxPassword: string; influxToken: string }) =>
    quietWhen(stopping, createLogger({ fn, level: c.logLevel, secrets: [c.influxPassword, c.influxToken] }));
  const collectLog = logFor('collect', collectConfig);
  const eventsLog = logFor('events', eventsConfig);
  const rollupLog = logFor('rollup', rollupConfig);
  const collectThenRollup = async (): Promise<void> => {
    // As the CronJobs' entries log them: an operator's problem (kubeconfig, API server, InfluxDB) with its hint.
    await runCollect(collectConfig, { log: collectLog }).catch((error: unknown) =>
      failed(collectLog, 'run_failed', error),
    );
    await runRollup(rollupConfig, { log: rollupLog }).catch((error: unknown) => failed(rollupLog, 'run_failed', error));
  };
  const once = async (): Promise<void> => {
    beforeRun();
    await Promise.all([
      collectThenRollup(),
      runEvents(eventsConfig, { log: eventsLog }).catch((error: unknown) => failed(eventsLog, 'run_failed', error)),
    ]);
  };
  const seconds = Math.max(1, Math.round(collectConfig.interval / 1000));
  const job = new Cron(`*/${seconds} * * * * *`, { protect: true }, once);
  return { first: once(), stop: () => job.stop() };
}
