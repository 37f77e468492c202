/**
 * @module test/helpers/collected
 * A simulated cluster collected into a fresh database of the suite's real influxd: the setup
 * most end-to-end tests share. Runs are driven by the simulator's clock, so values are exact.
 */
import { inject } from 'vitest';
import { readCollectConfig, type CollectConfig } from '#shared/collect/settings';
import { runCollect, type RunResult } from '#shared/collect/run';
import type { InfluxClient } from '#shared/influx/client';
import { createLogger, type Logger } from '#shared/log';
import { startCluster, type SimCluster, type SimOptions } from '#test/sim/cluster';
import { freshDatabase } from '#test/helpers/influx';

const DAY_MS = 86_400_000;

export interface Collected {
  sim: SimCluster;
  client: InfluxClient;
  config: CollectConfig;
  /** Log lines of every run so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** One collect run at the simulator's current time. */
  run(overrides?: Record<string, string>): Promise<RunResult>;
  /** Advance the simulator by `seconds`, then run. */
  next(seconds?: number): Promise<RunResult>;
  stop(): Promise<void>;
}

export async function collected(
  name: string,
  sim: SimOptions = {},
  env: Record<string, string> = {},
): Promise<Collected> {
  // InfluxDB drops points older than its retention policy: a clock started at a fixed date
  // passes for a week, then fails. Start near the wall clock (#test/helpers/any-day).
  if (sim.startTimeMs !== undefined && Math.abs(sim.startTimeMs - Date.now()) > DAY_MS) {
    throw new Error(
      `simulated cluster "${name}" starts ${new Date(sim.startTimeMs).toISOString()}, more than a day from the wall clock;` +
        ' InfluxDB would drop its points once they are older than the retention policy: use anyDayStartMs()',
    );
  }
  const cluster = await startCluster(sim);
  const client = await freshDatabase(name);
  const baseEnv = {
    KUBECONFIG: cluster.kubeconfigPath,
    KUBELET_CA_FILE: cluster.caFile,
    INFLUX_URL: inject('influxUrl'),
    INFLUX_DB: client.options.db,
    INTERVAL: '60s',
    ...env,
  };
  const config = readCollectConfig(baseEnv);
  const logs: Array<Record<string, unknown>> = [];
  const log: Logger = createLogger({
    fn: 'collect',
    level: 'debug',
    sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  const run = (overrides: Record<string, string> = {}): Promise<RunResult> =>
    runCollect(Object.keys(overrides).length ? readCollectConfig({ ...baseEnv, ...overrides }) : config, {
      log,
      now: () => cluster.clock.nowMs(),
    });
  return {
    sim: cluster,
    client,
    config,
    logs,
    run,
    next: (seconds = 60) => {
      cluster.clock.advance(seconds);
      return run();
    },
    stop: () => cluster.stop(),
  };
}

/** Collected twice, one interval apart: every rate exists. */
export async function collectedTwice(
  name: string,
  sim: SimOptions = {},
  env: Record<string, string> = {},
): Promise<Collected> {
  const c = await collected(name, sim, env);
  await c.run();
  await c.next(60);
  return c;
}
