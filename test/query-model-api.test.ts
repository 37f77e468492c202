/**
 * @module query-model-api.test
 * Heapster's model API through `app.request` over a simulated cluster collected twice into a real
 * influxd: every route, values against the simulator's truth or the stored points, `start`/`end`,
 * `labels`, aliases, Heapster's empty answer, floats kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso, isoWithOffset } from '#test/helpers/any-day';
import { queryFixture, SIM_START_MS, type QueryFixture } from '#test/helpers/query-fixture';
import { rows } from '#test/helpers/influx';
import { createApp } from '../functions/query/app';

const M = '/api/v1/model';
const T0 = iso(SIM_START_MS);
const T1 = iso(SIM_START_MS + 60_000);
const EMPTY = { metrics: [], latestTimestamp: '0001-01-01T00:00:00Z' };

let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('q_model_api', { sim: { nodes: 2, podsPerNode: 3, containersPerPod: 2, namespaces: 2 } });
});
afterAll(() => f?.stop());

const truth = () => f.collected.sim.truth;
/** Both collections, with one constant value, as Heapster's MetricResult. */
const twice = (value: number) => ({
  metrics: [
    { timestamp: T0, value },
    { timestamp: T1, value },
  ],
  latestTimestamp: T1,
});

describe('model API: names of what exists now', () => {
  it('lists nodes, namespaces, pods, containers and free containers', async () => {
    expect((await f.get(`${M}/nodes/`)).json).toEqual(['node-0', 'node-1']);
    expect((await f.get(`${M}/namespaces`)).json).toEqual(['ns-0', 'ns-1']);
    const ns0 = truth()
      .nodes.flatMap((n) => n.pods)
      .filter((p) => p.namespace === 'ns-0')
      .map((p) => p.name)
      .sort();
    expect((await f.get(`${M}/namespaces/ns-0/pods/`)).json).toEqual(ns0);
    expect((await f.get(`${M}/namespaces/ns-0/pods/pod-0-0/containers`)).json).toEqual(['app', 'sidecar']);
    // Heapster's names for the runtime and misc system containers.
    expect((await f.get(`${M}/nodes/node-1/freecontainers/`)).json).toEqual([
      'docker-daemon',
      'kubelet',
      'pods',
      'system',
    ]);
  });

  it('pretty-prints with a one-space indent as Heapster did', async () => {
    expect((await f.get(`${M}/namespaces`)).text).toBe('[\n "ns-0",\n "ns-1"\n]');
  });

  it('lists the metric names of the cluster, a node, a namespace, a pod, a container and a free container', async () => {
    const names = async (path: string) => (await f.get(`${path}/metrics`)).json as string[];
    expect(await names(M)).toEqual(expect.arrayContaining(['cpu/usage_rate', 'memory/usage']));
    expect(await names(`${M}/nodes/node-0`)).toEqual(
      expect.arrayContaining(['cpu/usage_rate', 'memory/working_set', 'uptime', 'filesystem/usage']),
    );
    expect(await names(`${M}/namespaces/ns-0`)).toEqual(expect.arrayContaining(['cpu/usage_rate', 'memory/usage']));
    expect(await names(`${M}/namespaces/ns-0/pods/pod-0-0`)).toEqual(
      expect.arrayContaining(['cpu/usage_rate', 'memory/rss', 'uptime']),
    );
    expect(await names(`${M}/namespaces/ns-0/pods/pod-0-0/containers/app`)).toEqual(
      expect.arrayContaining(['cpu/usage', 'memory/working_set']),
    );
    expect(await names(`${M}/nodes/node-0/freecontainers/kubelet`)).toEqual(
      expect.arrayContaining(['cpu/usage_rate', 'memory/usage']),
    );
    expect(await names(`${M}/nodes/nope`)).toEqual([]);
    expect(await names(M)).not.toContain('heapless_run');
  });
});

describe('model API: metric points', () => {
  it('gives node, pod, container and free-container values equal to the truth', async () => {
    const node = truth().nodes[1]!;
    const pod = node.pods[1]!;
    const container = pod.containers[1]!;
    const kubelet = node.systemContainers.find((s) => s.name === 'kubelet')!;
    expect((await f.get(`${M}/nodes/${node.name}/metrics/cpu/usage_rate`)).json).toEqual(twice(node.cpuMillicores));
    expect((await f.get(`${M}/namespaces/${pod.namespace}/pods/${pod.name}/metrics/memory/working_set`)).json).toEqual(
      twice(pod.memory.workingSetBytes),
    );
    expect(
      (
        await f.get(
          `${M}/namespaces/${pod.namespace}/pods/${pod.name}/containers/${container.name}/metrics/cpu/usage_rate`,
        )
      ).json,
    ).toEqual(twice(container.cpuMillicores));
    expect((await f.get(`${M}/nodes/${node.name}/freecontainers/kubelet/metrics/memory/working_set`)).json).toEqual(
      twice(kubelet.memory.workingSetBytes),
    );
  });

  it('gives the cluster and namespace aggregates as stored', async () => {
    const stored = async (where: string) =>
      (await rows(f.collected.client, `SELECT "value" FROM "cpu/usage_rate" WHERE ${where}`)).map((r) => r['value']);
    const cluster = (await f.get(`${M}/metrics/cpu/usage_rate`)).json;
    expect(cluster.metrics.map((p: any) => p.value)).toEqual(await stored(`"type"='cluster'`));
    expect(cluster.metrics).toHaveLength(2);
    const ns = (await f.get(`${M}/namespaces/ns-1/metrics/cpu/usage_rate`)).json;
    expect(ns.metrics.map((p: any) => p.value)).toEqual(await stored(`"type"='ns' AND "namespace_name"='ns-1'`));
    expect(ns.latestTimestamp).toBe(T1);
  });

  it('keeps floats that Heapster truncated (cpu/node_utilization is a ratio below 1), to a millionth', async () => {
    const { json } = await f.get(`${M}/nodes/node-0/metrics/cpu/node_utilization`);
    const stored = await rows(
      f.collected.client,
      `SELECT "value" FROM "cpu/node_utilization" WHERE "type"='node' AND "nodename"='node-0'`,
    );
    const millionths = (v: unknown) => Math.round((v as number) * 1e6) / 1e6;
    expect(json.metrics.map((p: any) => p.value)).toEqual(stored.map((r) => millionths(r['value'])));
    expect(json.metrics[0].value).toBeGreaterThan(0);
    expect(json.metrics[0].value).toBeLessThan(1);
  });

  it('selects a labeled metric only with labels=resource_id:…, as Heapster did', async () => {
    const node = truth().nodes[0]!;
    expect((await f.get(`${M}/nodes/node-0/metrics/filesystem/usage`)).json).toEqual(EMPTY);
    expect(
      (await f.get(`${M}/nodes/node-0/metrics/filesystem/usage?labels=${encodeURIComponent('resource_id:/')}`)).json,
    ).toEqual(twice(node.fs.usedBytes));
  });

  it('honours start and end (inclusive), and defaults start to end − MODEL_WINDOW', async () => {
    const path = `${M}/nodes/node-0/metrics/cpu/usage_rate`;
    expect((await f.get(`${path}?start=${T1}`)).json.metrics).toHaveLength(1);
    expect((await f.get(`${path}?end=${T0}`)).json.metrics).toEqual([
      { timestamp: T0, value: truth().nodes[0]!.cpuMillicores },
    ]);
    expect((await f.get(`${path}?start=${T0}&end=${T0}`)).json.metrics).toHaveLength(1);
    expect(
      (await f.get(`${path}?start=${encodeURIComponent(isoWithOffset(SIM_START_MS, 1))}`)).json.metrics,
    ).toHaveLength(2);
    f.collected.sim.clock.advance(15 * 60);
    try {
      expect((await f.get(path)).json.metrics).toHaveLength(1);
    } finally {
      f.collected.sim.clock.advance(-15 * 60);
    }
  });

  it('accepts Heapster’s deprecated aliases (cpu-usage, memory-working)', async () => {
    expect((await f.get(`${M}/nodes/node-0/metrics/cpu-usage`)).json).toEqual(
      (await f.get(`${M}/nodes/node-0/metrics/cpu/usage_rate`)).json,
    );
    expect((await f.get(`${M}/nodes/node-0/metrics/memory-working`)).json).toEqual(
      twice(truth().nodes[0]!.memory.workingSetBytes),
    );
  });

  it('answers an unknown object or metric with Heapster’s empty result and 200', async () => {
    for (const path of [
      `${M}/nodes/nope/metrics/cpu/usage_rate`,
      `${M}/nodes/node-0/metrics/no/such_metric`,
      `${M}/namespaces/ns-0/pods/nope/containers/x/metrics/uptime`,
    ]) {
      const a = await f.get(path);
      expect(a.status).toBe(200);
      expect(a.json).toEqual(EMPTY);
    }
  });

  it('answers a pod list in request order, one MetricResult per pod, not pretty-printed', async () => {
    const [p1, p2] = truth()
      .nodes.flatMap((n) => n.pods)
      .filter((p) => p.namespace === 'ns-1');
    const a = await f.get(`${M}/namespaces/ns-1/pod-list/${p2!.name},nope,${p1!.name}/metrics/cpu/usage_rate`);
    expect(a.text.startsWith('{"items":[{"metrics":[')).toBe(true);
    expect(a.json).toEqual({ items: [twice(p2!.cpuMillicores), EMPTY, twice(p1!.cpuMillicores)] });
  });

  it('rejects a bad start, end, labels or metric with a 400 naming it', async () => {
    const cases: Array<[string, string]> = [
      [`${M}/nodes/node-0/metrics/cpu/usage_rate?start=yesterday`, 'start'],
      [`${M}/nodes/node-0/metrics/cpu/usage_rate?end=2026-13-01`, 'end'], // any-day: a parameter, not a point
      [`${M}/nodes/node-0/metrics/cpu/usage_rate?start=${T1}&end=${T0}`, 'start'],
      [`${M}/nodes/node-0/metrics/filesystem/usage?labels=${encodeURIComponent("resource_id:'")}`, 'labels'],
      [`${M}/nodes/node-0/metrics/cpu%20usage`, 'metric'],
      [`${M}/nodes/node%3B0/metrics`, 'node'],
    ];
    for (const [path, param] of cases) {
      const a = await f.get(path);
      expect(a.status, path).toBe(400);
      expect(a.json.error).toContain(`invalid parameter ${param}`);
    }
  });

  it('is absent (404) with MODEL_API=false', async () => {
    const off = createApp({ ...f.deps, settings: { ...f.deps.settings, modelApi: false } });
    expect((await off.request(`${M}/nodes`)).status).toBe(404);
  });
});
