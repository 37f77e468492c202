/**
 * Sharded installs answer as a single collector does. One simulated cluster is collected twice
 * into two databases of the real influxd: by one collector, and by two shards (SHARD_COUNT=2,
 * both run), which write the namespace, workload and cluster series as partial sums tagged
 * `shard`. Every reader must answer the same from both: the model API (what the page reads),
 * the metrics-scraper API, metrics.k8s.io, and every panel of the Grafana dashboards.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import type { InfluxClient, QueryResult } from '#shared/influx/client';
import { silentLogger } from '#shared/log';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase } from '#test/helpers/influx';
import { anyDayStartMs, iso } from '#test/helpers/any-day';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { customValuesOf, fillQuery, queriesOf, readDashboard, variablesOf } from '#test/helpers/dashboards';
import { PROJECT_DIR } from '#test/helpers/paths';
import { createApp } from '../functions/query/app';

let sim: SimCluster;
let whole: InfluxClient;
let sharded: InfluxClient;
let one: Hono;
let two: Hono;

async function collectBoth(): Promise<void> {
  const env = (db: string, extra: Record<string, string> = {}) =>
    readCollectConfig({
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: db,
      INTERVAL: '60s',
      ...extra,
    });
  const now = () => sim.clock.nowMs();
  const runs = await Promise.all([
    runCollect(env(whole.options.db), { log: silentLogger, now }),
    ...[0, 1].map((i) =>
      runCollect(env(sharded.options.db, { SHARD_COUNT: '2', SHARD_INDEX: String(i) }), { log: silentLogger, now }),
    ),
  ]);
  for (const r of runs) expect(r.exitCode).toBe(0);
  // Both shards hold nodes, so every aggregate is really split in two.
  expect(runs.slice(1).map((r) => r.stats.nodes > 0)).toEqual([true, true]);
}

beforeAll(async () => {
  sim = await startCluster({ nodes: 6, podsPerNode: 3, namespaces: 2, startTimeMs: anyDayStartMs() });
  whole = await freshDatabase('q_shards_whole');
  sharded = await freshDatabase('q_shards_two');
  await collectBoth();
  sim.clock.advance(60);
  await collectBoth();
  const now = () => sim.clock.nowMs();
  one = createApp(queryDeps(whole, now, []));
  two = createApp(queryDeps(sharded, now, []));
});
afterAll(() => sim?.stop());

const M = '/api/v1/model';

/** The routes a client walks: names, then every metric of every object the names lead to. */
async function modelRoutes(): Promise<string[]> {
  const get = async (path: string): Promise<string[]> => (await answer(one, path)).json as string[];
  const hourAgo = `start=${encodeURIComponent(iso(sim.clock.nowMs() - 3_600_000))}`;
  const objects = [M];
  for (const ns of await get(`${M}/namespaces`)) {
    objects.push(`${M}/namespaces/${ns}`);
    for (const kind of await get(`${M}/namespaces/${ns}/workloads`))
      for (const name of await get(`${M}/namespaces/${ns}/workloads/${kind}`))
        objects.push(`${M}/namespaces/${ns}/workloads/${kind}/${name}`);
  }
  const routes: string[] = [`${M}/nodes`, `${M}/namespaces`];
  for (const o of objects) {
    routes.push(`${o}/metrics`);
    for (const metric of await get(`${o}/metrics`))
      routes.push(`${o}/metrics/${metric}`, `${o}/metrics/${metric}?${hourAgo}`);
  }
  return routes;
}

function otherRoutes(): string[] {
  const nodes = sim.truth.nodes.map((n) => n.name).join(',');
  const routes = [`${M}/nodes/${sim.truth.nodes[0]!.name}/metrics/cpu/usage_rate`];
  for (const ns of ['ns-0', 'ns-1']) {
    const pods = sim.truth.nodes
      .flatMap((n) => n.pods)
      .filter((p) => p.namespace === ns)
      .map((p) => p.name)
      .join(',');
    routes.push(
      `${M}/namespaces/${ns}/pods`,
      `${M}/namespaces/${ns}/pod-list/${pods}/metrics/memory/working_set`,
      `/api/v1/dashboard/namespaces/${ns}/pod-list/${pods}/metrics/cpu/usage_rate`,
    );
  }
  routes.push(
    `/api/v1/dashboard/nodes/${nodes}/metrics/memory/usage`,
    '/apis/metrics.k8s.io/v1beta1/nodes',
    '/apis/metrics.k8s.io/v1beta1/pods',
    '/api/v1/ui/events',
  );
  return routes;
}

describe('two shards and one collector over the same cluster', () => {
  it('every model-API route answers the same, a workload its total (the issue: [104857600, 104857600])', async () => {
    const routes = await modelRoutes();
    expect(routes.filter((r) => r.includes('/workloads/')).length).toBeGreaterThan(20);
    const differ: string[] = [];
    for (const r of routes) {
      const [a, b] = [await answer(one, r), await answer(two, r)];
      expect(a.status, r).toBe(200);
      if (b.text !== a.text)
        differ.push(`${r}\n  1 shard:  ${a.text.slice(0, 200)}\n  2 shards: ${b.text.slice(0, 200)}`);
    }
    // Before the fix: every namespace, workload and cluster metric held one point per shard.
    expect(differ).toEqual([]);
    const agents = sim.truth.nodes
      .flatMap((n) => n.pods)
      .filter((p) => p.namespace === 'ns-0' && p.workload?.kind === 'DaemonSet');
    const want = agents.reduce((sum, p) => sum + p.memory.usageBytes, 0);
    const name = agents[0]!.workload!.name;
    const got = await answer(two, `${M}/namespaces/ns-0/workloads/DaemonSet/${name}/metrics/memory/usage`);
    expect(got.json.metrics.map((m: { value: number }) => m.value)).toEqual([want, want]);
  });

  it('the scraper API, metrics.k8s.io, pod lists and events answer the same', async () => {
    for (const r of otherRoutes()) {
      const [a, b] = [await answer(one, r), await answer(two, r)];
      expect(a.status, r).toBe(200);
      expect(b.text, r).toBe(a.text);
    }
  });
});

const DASHBOARDS_DIR = join(PROJECT_DIR, 'deploy', 'grafana', 'dashboards');
/**
 * The functions' own figures (heapless_run) are per shard by design, a run per shard; events are
 * not collected by shards (and none were written here).
 */
const OWN_FIGURES = /heapless_run|heapless-self|heapless-events/;

/** A result with numbers to 9 significant digits (the order of a float sum is not kept). */
function normalized(results: QueryResult[]): string {
  return JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(9)) : v));
}

describe('Grafana dashboards over two shards', () => {
  const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json') && !OWN_FIGURES.test(f));

  it.each(files)('%s: every panel query gives the same series as over one collector', async (file) => {
    const dashboard = readDashboard(join(DASHBOARDS_DIR, file));
    const toMs = sim.clock.nowMs() + 60_000;
    const ctx = {
      fromMs: toMs - 30 * 60_000,
      toMs,
      interval: '1m',
      values: Object.fromEntries(variablesOf(dashboard).map((v) => [v.name, 'all' as const])),
      variables: variablesOf(dashboard),
      constants: customValuesOf(dashboard),
    };
    let withData = 0;
    for (const q of queriesOf(dashboard).filter((x) => x.kind === 'panel' && !OWN_FIGURES.test(x.query))) {
      const filled = fillQuery(q.query, ctx);
      const [a, b] = [await whole.query(filled), await sharded.query(filled)];
      if ((a[0]?.series ?? []).length > 0) withData++;
      expect(normalized(b), `${q.where}: ${filled}`).toBe(normalized(a));
    }
    expect(withData).toBeGreaterThan(0);
  });
});
