import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';
import { runCollectBundle } from '#test/helpers/collect-bundle';

describe.each([
  ['protobuf', true],
  ['JSON', false],
])('an API server that answers the pod LIST whole in %s, ignoring limit, with realistic pods', (_, protobuf) => {
  let sim: SimCluster;
  let client: InfluxClient;
  let summary: Record<string, unknown> | undefined;
  let exitCode: number;
  const NODES = 6;
  const PODS = 300;
  beforeAll(async () => {
    // 1,800 pods of ~4.5 KB (managed fields, volumes, probes, conditions): an 8 MB answer, read
    // item by item; the scraping stays small so the test is quick.
    sim = await startCluster({
      nodes: NODES,
      podsPerNode: PODS,
      containersPerPod: 1,
      apiIgnoresLimit: true,
      apiProtobuf: protobuf,
    });
    client = await freshDatabase(`wholelist_${protobuf ? 'pb' : 'json'}`);
    ({ exitCode, summary } = await runCollectBundle(sim, client, { API_PAGE_SIZE: '500', KUBELET_CONCURRENCY: '4' }));
  }, 240_000);
  afterAll(() => sim.stop());

  it('the listing was answered whole (the simulator ignored limit)', () => {
    const podLists = sim.requests.apiRequests.filter((r) => r.startsWith('GET /api/v1/pods'));
    expect(podLists).toHaveLength(1);
    expect(podLists[0]).toContain('limit=500');
  });

  it('completes under the CronJob’s heap flags: every node collected, every pod matched to its labels', async () => {
    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ nodes: NODES, nodesOk: NODES, nodesFailed: 0 });
    const [pods] = await rows(client, `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod'`);
    expect(pods?.['count']).toBe(NODES * PODS);
    // Labels come from the pod list: every pod series carries its pod's labels.
    const [unlabelled] = await rows(
      client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod' AND "labels"=''`,
    );
    expect(unlabelled).toBeUndefined();
  });
});
