/**
 * @module start/schedule
 * The collector and the events export on one schedule (croner, every INTERVAL, 15 s here): each
 * run logs its own one-line summary (`"fn":"collect","event":"run"` and `"fn":"events","event":"run"`).
 * A run still going when the next is due is skipped (`protect`), as `concurrencyPolicy: Forbid` does.
 */
import { Cron } from 'croner';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { createLogger } from '#shared/log';

export interface Schedule {
  /** The first runs, started at once; resolves when both have finished. */
  first: Promise<void>;
  stop(): void;
}

export function startSchedule(env: Record<string, string | undefined>, beforeRun: () => void): Schedule {
  const collectConfig = readCollectConfig(env, []);
  const eventsConfig = readEventsConfig(env, []);
  const collectLog = createLogger({
    fn: 'collect',
    level: collectConfig.logLevel,
    secrets: [collectConfig.influxPassword, collectConfig.influxToken],
  });
  const eventsLog = createLogger({
    fn: 'events',
    level: eventsConfig.logLevel,
    secrets: [eventsConfig.influxPassword, eventsConfig.influxToken],
  });
  const once = async (): Promise<void> => {
    beforeRun();
    await Promise.all([
      runCollect(collectConfig, { log: collectLog }).catch((error: unknown) =>
        collectLog.error('run_failed', { error }),
      ),
      runEvents(eventsConfig, { log: eventsLog }).catch((error: unknown) => eventsLog.error('run_failed', { error })),
    ]);
  };
  const seconds = Math.max(1, Math.round(collectConfig.interval / 1000));
  const job = new Cron(`*/${seconds} * * * * *`, { protect: true }, once);
  return { first: once(), stop: () => job.stop() };
}
