/**
 * The model API's workload paths over a simulated cluster collected twice into a real influxd:
 * names, pods and points against the simulator's truth, and a 400 naming every bad parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFixture, type QueryFixture } from '#test/helpers/query-fixture';

const W = '/api/v1/model/namespaces';
let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('q_model_workloads', {
    sim: { nodes: 2, podsPerNode: 6, containersPerPod: 2, namespaces: 1 },
  });
});
afterAll(() => f?.stop());

const pods = () => f.collected.sim.truth.nodes.flatMap((n) => n.pods);

describe('model API: workloads', () => {
  it('lists the kinds, the names of a kind and the pods of a workload', async () => {
    const kinds = [...new Set(pods().map((p) => p.workload!.kind))].sort();
    expect((await f.get(`${W}/ns-0/workloads`)).json).toEqual(kinds);
    expect((await f.get(`${W}/ns-0/workloads/Deployment`)).json).toEqual(['web']);
    const agents = pods()
      .filter((p) => p.workload!.kind === 'DaemonSet')
      .map((p) => p.name)
      .sort();
    expect(agents.length).toBe(2);
    expect((await f.get(`${W}/ns-0/workloads/DaemonSet/agent/pods`)).json).toEqual(agents);
  });

  it('lists the metric names of a workload and serves its sums as Heapster MetricResults', async () => {
    const names = (await f.get(`${W}/ns-0/workloads/DaemonSet/agent/metrics`)).json as string[];
    expect(names).toEqual(expect.arrayContaining(['cpu/usage_rate', 'memory/usage', 'restart_count']));
    const agents = pods().filter((p) => p.workload!.kind === 'DaemonSet');
    const want = agents.reduce((sum, p) => sum + p.memory.usageBytes, 0);
    const got = (await f.get(`${W}/ns-0/workloads/DaemonSet/agent/metrics/memory/usage`)).json as {
      metrics: Array<{ value: number }>;
    };
    expect(got.metrics.map((m) => m.value)).toEqual([want, want]);
  });

  it('rejects a bad namespace, kind, name, metric or time with a 400 naming it, before any query', async () => {
    for (const [path, param] of [
      [`${W}/bad%20ns/workloads`, 'namespace'],
      [`${W}/ns-0/workloads/Dep'loyment`, 'kind'],
      [`${W}/ns-0/workloads/Deployment/we%22b/metrics`, 'name'],
      [`${W}/ns-0/workloads/Deployment/web/metrics/cpu%20usage`, 'metric'],
      [`${W}/ns-0/workloads/Deployment/web/metrics/cpu/usage_rate?start=yesterday`, 'start'],
    ] as const) {
      const a = await f.get(path);
      expect(a.status, path).toBe(400);
      expect((a.json as { error: string }).error, path).toContain(`invalid parameter ${param}`);
    }
  });
});
