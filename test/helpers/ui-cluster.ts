/**
 * @module test/helpers/ui-cluster
 * What the browser tests look at: one simulated cluster collected every 3 minutes over the last
 * hour twice, into one database by one collector and into another by two shards (the page must
 * read the same from both), its events exported and rolled up into both (npm start's short
 * levels); the query service's app over each on a loopback port; and the first registered with
 * the simulated API server as metrics.k8s.io, so the real kubectl's `top` reads the same moment.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { createLogger } from '#shared/log';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';
import { closeAll, listen, type Listener } from '#shared/query/server';
import { collected, type Collected } from '#test/helpers/collected';
import { freshDatabase } from '#test/helpers/influx';
import { queryDeps } from '#test/helpers/query-fixture';
import { aggregate, type Aggregated } from '#test/sim/aggregator';
import { createApp } from '../../functions/query/app';

const run = promisify(execFile);
const RUN_EVERY_S = 180;
const RUNS = 21;
/** npm start's levels: the 7- and 30-day ranges read the coarsest, 5 minutes. */
export const ROLLUP_LEVELS = '1m:1d,5m:7d';

export interface UiCluster {
  c: Collected;
  /** The database the two shards wrote. */
  sharded: InfluxClient;
  /** Page over the one-collector database, and over the two-shard one. */
  base: string;
  shardedBase: string;
  /** `kubectl top …` against the first, split into words per line (header first). */
  kubectl(...args: string[]): Promise<string[][]>;
  stop(): Promise<void>;
}

/** A pod's event and a node's event (core/v1 shape), for the events tables and the drill-down views. */
export const EVENTS: object[] = [
  {
    metadata: { namespace: 'ns-1', name: 'pod-0-1.unhealthy' },
    involvedObject: { kind: 'Pod', namespace: 'ns-1', name: 'pod-0-1' },
    type: 'Warning',
    reason: 'Unhealthy',
    message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    source: { component: 'kubelet', host: 'node-0' },
    count: 3,
  },
  {
    metadata: { namespace: 'default', name: 'node-0.pressure' },
    involvedObject: { kind: 'Node', name: 'node-0' },
    type: 'Warning',
    reason: 'SystemOOM',
    message: 'System OOM encountered, victim process: worker, pid: 4242',
    source: { component: 'kubelet', host: 'node-0' },
    count: 1,
  },
];

export async function uiCluster(name: string): Promise<UiCluster> {
  // An hour ago, then a run every 3 minutes up to now: the page asks for its ranges by the wall clock.
  const c = await collected(name, { startTimeMs: Date.now() - RUNS * RUN_EVERY_S * 1000, namespaces: 3 });
  const sharded = await freshDatabase(`${name}_sharded`);
  const shards = ['0', '1'].map((i) => ({ INFLUX_DB: sharded.options.db, SHARD_COUNT: '2', SHARD_INDEX: i }));
  for (let i = 0; i < RUNS; i++) {
    c.sim.clock.advance(RUN_EVERY_S);
    const runs = await Promise.all([{}, ...shards].map((env) => c.run(env)));
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0]);
  }
  c.sim.addEvents(EVENTS);
  const listeners: Listener[] = [];
  const bases: string[] = [];
  let agg: Aggregated | undefined;
  for (const client of [c.client, sharded]) {
    await exportAndRollUp(c, client);
    const deps = queryDeps(client, () => c.sim.clock.nowMs(), [], {
      MODEL_AUTH: 'none',
      QUERY_AUTH: 'none',
      ROLLUP_LEVELS,
    });
    const app = createApp(deps);
    const listener = await listen(app, { port: 0, host: '127.0.0.1' });
    listeners.push(listener);
    bases.push(`http://127.0.0.1:${listener.port}`);
    agg ??= await aggregate(c.sim, app);
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'heapless-ui-kubectl-'));
  return {
    c,
    sharded,
    base: bases[0] ?? '',
    shardedBase: bases[1] ?? '',
    kubectl: async (...args) => {
      const { stdout } = await run(
        'kubectl',
        ['--kubeconfig', c.sim.kubeconfigPath, '--cache-dir', cacheDir, ...args],
        { timeout: 30_000 },
      );
      return stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/));
    },
    stop: async () => {
      await agg?.stop();
      await closeAll(listeners, 1_000);
      await c.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

async function exportAndRollUp(c: Collected, client: InfluxClient): Promise<void> {
  const now = () => c.sim.clock.nowMs();
  const influx = { INFLUX_URL: client.options.url, INFLUX_DB: client.options.db };
  const events = await runEvents(readEventsConfig({ KUBECONFIG: c.sim.kubeconfigPath, ...influx, INTERVAL: '60s' }), {
    log: createLogger({ fn: 'events', level: 'error', sink: () => {} }),
    now,
  });
  expect(events.stats.points).toBeGreaterThan(0);
  const rolled = await runRollup(
    readRollupConfig({ ...influx, ROLLUP_BACKFILL: '2h', ROLLUP_MAX_WINDOWS: '200', ROLLUP_LEVELS }),
    { log: createLogger({ fn: 'rollup', level: 'error', sink: () => {} }), now },
  );
  expect(rolled.exitCode).toBe(0);
}
