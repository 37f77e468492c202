import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { pointsAt } from '#test/helpers/points';

describe('RUN_DEADLINE bounds the whole run', () => {
  let c: Collected;
  let result: Awaited<ReturnType<Collected['run']>>;
  let wallMs: number;
  beforeAll(async () => {
    // One kubelet hangs, and KUBELET_TIMEOUT alone would keep the run waiting for it for 30 s.
    c = await collected('bounded', { nodes: 12, podsPerNode: 2 }, { KUBELET_TIMEOUT: '30s', RUN_DEADLINE: '6s' });
    await c.sim.setFault('node-1', { kind: 'hang' });
    const t0 = Date.now();
    result = await c.run();
    wallMs = Date.now() - t0;
  });
  afterAll(() => c.stop());

  it('ends by the deadline plus a small margin, the hanging node counted as cut by the deadline', () => {
    // The margin: in-flight writes' grace (1 s) and the run's own point (≤ 1 s).
    expect(wallMs).toBeLessThan(6_000 + 2_500);
    expect(result.stats.nodesOk).toBe(11);
    expect(result.stats.failures).toEqual({ deadline: 1 });
    // A node the run never scraped is reported like a lost point. Before the fix: exit 0, no nodesCut.
    expect(result.stats.nodesCut).toBe(1);
    expect(result.exitCode).toBe(1);
    expect(c.logs.find((l) => l['event'] === 'run')).toMatchObject({ nodesCut: 1 });
    const failed = c.logs.find((l) => l['event'] === 'node_failed');
    expect(failed).toMatchObject({ node: 'node-1', reason: 'deadline' });
  });

  it('stores every healthy node exactly once, and its figures equal what InfluxDB holds', async () => {
    const got = await rows(
      c.client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod_container' GROUP BY "nodename"`,
    );
    const byNode = Object.fromEntries(got.map((r) => [r['nodename'], r['count']]));
    for (const n of c.sim.truth.nodes.filter((x) => x.name !== 'node-1'))
      expect(byNode[n.name]).toBe(n.pods.reduce((a, p) => a + p.containers.length, 0));
    expect(byNode['node-1']).toBeUndefined();
    expect(result.stats).toMatchObject({ failedPoints: 0, spooledPoints: 0 });
    expect(result.stats.points).toBe(await pointsAt(c.client, result.timeMs));
    const [run] = await rows(c.client, 'SELECT * FROM "heapless_run"');
    expect(run).toMatchObject({
      points: result.stats.points,
      spooled_points: 0,
      failed_points: 0,
      failed_deadline: 1,
      nodes_cut: 1,
    });
  });
});
