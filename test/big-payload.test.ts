import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';
import { runCollectBundle } from '#test/helpers/collect-bundle';

describe('a 40 MB summary on one node, under the CronJob’s heap flags', () => {
  let sim: SimCluster;
  let client: InfluxClient;
  let exitCode: number;
  let summary: Record<string, unknown> | undefined;
  beforeAll(async () => {
    sim = await startCluster({ nodes: 6, podsPerNode: 2 });
    client = await freshDatabase('bigpayload');
    await sim.setFault('node-1', { kind: 'oversize', bytes: 40_000_000 });
    ({ exitCode, summary } = await runCollectBundle(sim, client));
  });
  afterAll(() => sim.stop());

  it('survives: that node alone fails as body_too_large, under the cap derived from the heap', () => {
    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ nodes: 6, nodesOk: 5, failures: { body_too_large: 1 } });
  });

  it('stores every other node complete', async () => {
    const got = await rows(
      client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod_container' GROUP BY "nodename"`,
    );
    const byNode = Object.fromEntries(got.map((r) => [r['nodename'], r['count']]));
    for (const n of sim.truth.nodes)
      expect(byNode[n.name]).toBe(
        n.name === 'node-1' ? undefined : n.pods.reduce((a, p) => a + p.containers.length, 0),
      );
  });
});
