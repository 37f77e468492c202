/**
 * @module test/helpers/events
 * The events tests' shared setup: a simulated API server and a fresh database, and one events
 * run against them with its log lines captured.
 */
import { afterEach } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents, type EventsRunResult } from '#shared/events/run';
import { createLogger } from '#shared/log';
import { freshDatabase } from '#test/helpers/influx';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { anyDayStartMs } from '#test/helpers/any-day';

export type Json = Record<string, unknown>;

/** The simulated events' reference time: the wall clock's hour, so any retention keeps them. */
export const BASE = anyDayStartMs();
/** RFC 3339 with whole seconds, as core/v1 events carry them. */
export { iso } from '#test/helpers/any-day';

let current: SimCluster | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** A one-node simulated cluster (stopped after the test) and a fresh database. */
export async function eventsSetup(prefix: string, dir?: string): Promise<{ sim: SimCluster; client: InfluxClient }> {
  current = await startCluster({ nodes: 1, podsPerNode: 1, ...(dir ? { dir } : {}) });
  return { sim: current, client: await freshDatabase(prefix) };
}

/** One run; retention is unlimited unless `env` says otherwise, so events of any date are kept. */
export async function eventsRun(
  s: SimCluster,
  client: InfluxClient,
  o: { env?: Record<string, string>; nowMs?: number } = {},
): Promise<EventsRunResult & { logs: Json[] }> {
  const logs: Json[] = [];
  const log = createLogger({ fn: 'events', sink: (line) => logs.push(JSON.parse(line) as Json) });
  const config = readEventsConfig({
    KUBECONFIG: s.kubeconfigPath,
    INFLUX_URL: client.options.url,
    INFLUX_DB: client.options.db,
    INFLUX_RETENTION: '0',
    ...o.env,
  });
  const nowMs = o.nowMs;
  return { ...(await runEvents(config, { log, ...(nowMs !== undefined ? { now: () => nowMs } : {}) })), logs };
}
