import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { bucketOf, inShard } from '#shared/collect/shard';
import type { InfluxClient } from '#shared/influx/client';
import { silentLogger } from '#shared/log';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';

describe('shard assignment', () => {
  it('puts every node in exactly one shard, stably, and spreads them', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `node-${i}.cluster.local`);
    const sizes = [0, 1, 2, 3, 4].map((index) => names.filter((n) => inShard(n, { index, count: 5 })).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(1000);
    for (const s of sizes) expect(s).toBeGreaterThan(150);
    expect(bucketOf('node-7')).toBe(bucketOf('node-7'));
  });
});

describe('1 shard and 4 shards over the same simulated cluster', () => {
  let sim: SimCluster;
  let whole: InfluxClient;
  let sharded: InfluxClient;
  const env = (db: string, extra: Record<string, string> = {}) =>
    readCollectConfig({
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: db,
      ...extra,
    });
  const collectAll = async () => {
    const now = () => sim.clock.nowMs();
    const a = await runCollect(env(whole.options.db), { log: silentLogger, now });
    const parts = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        runCollect(env(sharded.options.db, { SHARD_COUNT: '4', SHARD_INDEX: String(i) }), { log: silentLogger, now }),
      ),
    );
    return { a, parts };
  };

  beforeAll(async () => {
    sim = await startCluster({ nodes: 12, podsPerNode: 2, namespaces: 3 });
    whole = await freshDatabase('shard_whole');
    sharded = await freshDatabase('shard_parts');
    await collectAll();
    sim.clock.advance(60);
    const { a, parts } = await collectAll();
    expect(a.stats.nodesOk).toBe(12);
    expect(parts.map((p) => p.stats.nodesOk).reduce((x, y) => x + y)).toBe(12);
    expect(parts.every((p) => p.stats.nodes > 0)).toBe(true);
  });
  afterAll(() => sim.stop());

  it('stores identical values for every node, pod, container and system container series', async () => {
    const q = `SELECT * FROM /^(cpu|memory|network|filesystem|ephemeral_storage|uptime|restart_count)/ WHERE "type" != 'ns' AND "type" != 'cluster' AND "type" != 'workload'`;
    const flatten = async (c: InfluxClient) => {
      const [res] = await c.query(q);
      // The `shard` tag key exists in these measurements (on ns/cluster series), so drop null columns.
      return (res?.series ?? [])
        .flatMap((s) =>
          s.values.map(
            (v) =>
              `${s.name} ${JSON.stringify(Object.fromEntries(s.columns.map((k, i) => [k, v[i]]).filter(([, x]) => x !== null)))}`,
          ),
        )
        .sort();
    };
    const [a, b] = [await flatten(whole), await flatten(sharded)];
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
  });

  it('namespace, workload and cluster aggregates are per-shard partial sums that add up to the whole', async () => {
    for (const m of ['cpu/usage_rate', 'memory/usage', 'cpu/request', 'memory/limit', 'restart_count']) {
      const q = `SELECT sum("value") FROM "${m}" WHERE "type" = 'ns' OR "type" = 'cluster' OR "type" = 'workload' GROUP BY time(60s), "type", "namespace_name", "workload_kind", "workload_name" fill(none)`;
      const [a, b] = [await rows(whole, q), await rows(sharded, q)];
      expect(b.length).toBe(a.length);
      expect(a.filter((r) => r['type'] === 'workload').length).toBeGreaterThan(0);
      for (const [i, row] of a.entries()) {
        expect(b[i]).toMatchObject({
          type: row['type'],
          namespace_name: row['namespace_name'],
          workload_kind: row['workload_kind'],
          workload_name: row['workload_name'],
          time: row['time'],
        });
        expect(b[i]?.['sum'] as number).toBeCloseTo(row['sum'] as number, 6);
      }
    }
    const shards = await rows(
      sharded,
      `SELECT count("value") FROM "cpu/usage_rate" WHERE "type"='cluster' GROUP BY "shard"`,
    );
    expect(shards.map((s) => s['shard']).sort()).toEqual(['0', '1', '2', '3']);
  });

  it('each shard writes its own run point', async () => {
    const runs = await rows(sharded, `SELECT last("nodes") FROM "heapless_run" GROUP BY "shard"`);
    expect(runs.map((r) => r['last']).reduce((x, y) => (x as number) + (y as number))).toBe(12);
  });
});

describe('memory stays bounded by concurrency', () => {
  it('never holds more kubelet payloads at once than KUBELET_CONCURRENCY', async () => {
    const sim = await startCluster({ nodes: 20, podsPerNode: 2 });
    try {
      const db = await freshDatabase('held');
      const config = readCollectConfig({
        KUBECONFIG: sim.kubeconfigPath,
        KUBELET_CA_FILE: sim.caFile,
        INFLUX_URL: inject('influxUrl'),
        INFLUX_DB: db.options.db,
        KUBELET_CONCURRENCY: '3',
      });
      for (const n of sim.nodes) await sim.setFault(n.name, { kind: 'slow', bytesPerSecond: 400_000 });
      const result = await runCollect(config, { log: silentLogger, now: () => sim.clock.nowMs() });
      expect(result.stats.nodesOk).toBe(20);
      expect(result.stats.maxPayloadsHeld).toBeGreaterThanOrEqual(1);
      expect(result.stats.maxPayloadsHeld).toBeLessThanOrEqual(3);
      expect(sim.requests.maxInFlight).toBeLessThanOrEqual(3);
      const run = await rows(db, 'SELECT "max_payloads_held" FROM "heapless_run"');
      expect(run[0]?.['max_payloads_held']).toBe(result.stats.maxPayloadsHeld);
    } finally {
      await sim.stop();
    }
  });
});
