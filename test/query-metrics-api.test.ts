/**
 * @module query-metrics-api.test
 * metrics.k8s.io/v1beta1 through `app.request`: against a simulated cluster collected twice into
 * a real influxd (values equal the simulator's truth, shapes equal metrics-server's fixtures), and
 * against hand-written points for the edge cases (incomplete pods, windows, quantities, staleness).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso } from '#test/helpers/any-day';
import { answer, queryDeps, queryFixture, SIM_START_MS, type QueryFixture } from '#test/helpers/query-fixture';
import { freshDatabase, writeLines } from '#test/helpers/influx';
import { FIXTURES_DIR } from '#test/helpers/paths';
import type { PodTruth } from '#test/sim/cluster';
import { cpuQuantity, memoryQuantity } from '#shared/query/format';
import { createApp } from '../functions/query/app';

const API = '/apis/metrics.k8s.io/v1beta1';
const fixture = (name: string): any => JSON.parse(readFileSync(`${FIXTURES_DIR}/metrics-api/${name}`, 'utf8'));
/** The second collection's time: the simulator started at 10:00:00 and moved one interval. */
const LAST = iso(SIM_START_MS + 60_000);

describe('metrics.k8s.io over a collected simulated cluster', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await queryFixture('q_metrics_api', { sim: { nodes: 3, podsPerNode: 4, containersPerPod: 2, namespaces: 2 } });
  });
  afterAll(() => f?.stop());
  const pods = (): PodTruth[] => f.collected.sim.truth.nodes.flatMap((n) => n.pods);
  const names = (items: any[]): string[] =>
    items.map((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name));

  it('answers discovery with exactly the APIResourceList and APIGroup of metrics-server', async () => {
    const list = await f.get(API);
    expect(list.status).toBe(200);
    expect(list.contentType).toMatch(/^application\/json/);
    expect(list.json).toEqual(fixture('apiresourcelist_metrics.k8s.io-v1beta1.SYNTHETIC.json'));
    expect((await f.get('/apis/metrics.k8s.io')).json).toEqual(fixture('apigroup_metrics.k8s.io.SYNTHETIC.json'));
  });

  it('lists every node with the truth’s CPU (nanocores) and working set, in metrics-server’s shape', async () => {
    const { status, json } = await f.get(`${API}/nodes`);
    expect(status).toBe(200);
    const reference = fixture('nodemetricslist_derived-from-k8s-1.35-summary.SYNTHETIC.json');
    expect(Object.keys(json)).toEqual(Object.keys(reference));
    expect(json).toMatchObject({ kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {} });
    expect(names(json.items)).toEqual(['node-0', 'node-1', 'node-2']);
    for (const [i, node] of f.collected.sim.truth.nodes.entries()) {
      const item = json.items[i];
      expect(Object.keys(item)).toEqual(Object.keys(reference.items[0]));
      expect(Object.keys(item.metadata)).toEqual(Object.keys(reference.items[0].metadata));
      expect(item).toEqual({
        metadata: { name: node.name, creationTimestamp: LAST, labels: node.labels },
        timestamp: LAST,
        window: '1m0s',
        usage: { cpu: cpuQuantity(node.cpuMillicores), memory: memoryQuantity(node.memory.workingSetBytes) },
      });
    }
    expect(json.items[0].usage).toEqual({ cpu: '366m', memory: '456Mi' });
  });

  it('gets one node as NodeMetrics with kind and apiVersion, like the fixture', async () => {
    const { status, json } = await f.get(`${API}/nodes/node-1`);
    expect(status).toBe(200);
    const reference = fixture('nodemetrics_minikube_k8s-website.json');
    expect(Object.keys(json)).toEqual(Object.keys(reference));
    expect(json.kind).toBe('NodeMetrics');
    expect(json.usage.cpu).toBe(cpuQuantity(f.collected.sim.truth.nodes[1]!.cpuMillicores));
  });

  it('answers a missing node or pod with the exact 404 Status of metrics-server', async () => {
    const node = await f.get(`${API}/nodes/nope`);
    expect(node.status).toBe(404);
    expect(node.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'nodemetrics.metrics.k8s.io "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'metrics.k8s.io', kind: 'nodemetrics' },
      code: 404,
    });
    const pod = await f.get(`${API}/namespaces/ns-0/pods/x`);
    expect(pod.status).toBe(404);
    expect(pod.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'podmetrics.metrics.k8s.io "x" not found',
      reason: 'NotFound',
      details: { name: 'x', group: 'metrics.k8s.io', kind: 'podmetrics' },
      code: 404,
    });
  });

  it('lists every pod of every namespace with each container’s usage and the pod’s labels', async () => {
    const { json } = await f.get(`${API}/pods`);
    const reference = fixture('podmetricslist_derived-from-k8s-1.35-summary.SYNTHETIC.json');
    expect(json).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {} });
    expect(names(json.items)).toEqual(
      pods()
        .map((p) => `${p.namespace}/${p.name}`)
        .sort(),
    );
    for (const pod of pods()) {
      const item = json.items.find((i: any) => i.metadata.name === pod.name);
      expect(Object.keys(item)).toEqual(Object.keys(reference.items[0]));
      expect(item).toEqual({
        metadata: { name: pod.name, namespace: pod.namespace, creationTimestamp: LAST, labels: pod.labels },
        timestamp: LAST,
        window: '1m0s',
        containers: pod.containers.map((c) => ({
          name: c.name,
          usage: { cpu: cpuQuantity(c.cpuMillicores), memory: memoryQuantity(c.memory.workingSetBytes) },
        })),
      });
    }
  });

  it('lists one namespace and gets one pod as PodMetrics', async () => {
    const ns1 = await f.get(`${API}/namespaces/ns-1/pods`);
    expect(names(ns1.json.items)).toEqual(
      pods()
        .filter((p) => p.namespace === 'ns-1')
        .map((p) => `ns-1/${p.name}`)
        .sort(),
    );
    const pod = pods()[0]!;
    const one = await f.get(`${API}/namespaces/${pod.namespace}/pods/${pod.name}`);
    expect(Object.keys(one.json)).toEqual(Object.keys(fixture('podmetrics_kube-scheduler-minikube_k8s-website.json')));
    expect(one.json).toMatchObject({ kind: 'PodMetrics', metadata: { name: pod.name, namespace: pod.namespace } });
    expect((await f.get(`${API}/namespaces/ns-1/pods/${pod.name}`)).status).toBe(404);
  });

  it('honours labelSelector on pods and nodes, with set-based and existence terms', async () => {
    const select = async (path: string, selector: string) =>
      names((await f.get(`${path}?labelSelector=${encodeURIComponent(selector)}`)).json.items);
    const want = (p: (pod: PodTruth) => boolean) =>
      pods()
        .filter(p)
        .map((x) => `${x.namespace}/${x.name}`)
        .sort();
    expect(await select(`${API}/pods`, 'tier=frontend,app in (app-0,app-2)')).toEqual(
      want((p) => p.labels['tier'] === 'frontend' && ['app-0', 'app-2'].includes(p.labels['app']!)),
    );
    expect(await select(`${API}/namespaces/ns-0/pods`, 'app!=app-0')).toEqual(
      want((p) => p.namespace === 'ns-0' && p.labels['app'] !== 'app-0'),
    );
    expect(await select(`${API}/pods`, 'note')).toEqual(want((p) => 'note' in p.labels));
    expect(await select(`${API}/pods`, '!note,app notin (app-1)')).toEqual(
      want((p) => !('note' in p.labels) && p.labels['app'] !== 'app-1'),
    );
    expect(await select(`${API}/nodes`, 'node-role.kubernetes.io/worker')).toEqual(['node-1', 'node-2']);
    expect(await select(`${API}/nodes`, 'topology.kubernetes.io/zone==zone-0')).toEqual(['node-0']);
  });

  it('honours fieldSelector on metadata.name, metadata.namespace and spec.nodeName; other fields read as ""', async () => {
    const select = async (path: string, selector: string) =>
      names((await f.get(`${path}?fieldSelector=${encodeURIComponent(selector)}`)).json.items);
    expect(await select(`${API}/pods`, 'metadata.name=pod-1-2')).toEqual(['ns-0/pod-1-2']);
    expect(await select(`${API}/pods`, 'metadata.namespace!=ns-0')).toEqual(
      pods()
        .filter((p) => p.namespace !== 'ns-0')
        .map((p) => `${p.namespace}/${p.name}`)
        .sort(),
    );
    expect(await select(`${API}/pods`, 'spec.nodeName=node-2,metadata.namespace=ns-1')).toEqual([
      'ns-1/pod-2-1',
      'ns-1/pod-2-3',
    ]);
    expect(await select(`${API}/nodes`, 'metadata.name==node-0')).toEqual(['node-0']);
    expect(await select(`${API}/pods`, 'status.phase=Running')).toEqual([]);
    expect(await select(`${API}/pods`, 'status.phase!=Running')).toHaveLength(pods().length);
  });

  it('rejects a malformed selector with a 400 Status naming the parameter', async () => {
    for (const [param, value] of [
      ['labelSelector', 'app in (a'],
      ['labelSelector', 'Bad Key=x'],
      ['fieldSelector', 'metadata.name'],
      ['fieldSelector', "metadata.name=a'b"],
    ] as const) {
      const { status, json } = await f.get(`${API}/pods?${param}=${encodeURIComponent(value)}`);
      expect(status).toBe(400);
      expect(json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
      expect(json.message).toContain(param);
    }
  });

  it('drops objects once their points are older than 2.5 intervals (a stopped collector is not current usage)', async () => {
    const clock = f.collected.sim.clock;
    clock.advance(150);
    try {
      expect((await f.get(`${API}/nodes`)).json.items).toEqual([]);
      expect((await f.get(`${API}/pods`)).json.items).toEqual([]);
    } finally {
      clock.advance(-150);
    }
    expect((await f.get(`${API}/nodes`)).json.items).toHaveLength(3);
  });
});

describe('metrics.k8s.io semantics on hand-written points', () => {
  const t = SIM_START_MS;
  const logs: Array<Record<string, unknown>> = [];
  let get: (path: string, env?: Record<string, string>) => Promise<Awaited<ReturnType<typeof answer>>>;
  beforeAll(async () => {
    const client = await freshDatabase('q_metrics_semantics');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const c = (tags: string, value: string, time: number) => `cpu/usage_rate,${tags} value=${value} ${time}`;
    const m = (tags: string, value: string, time: number) => `memory/working_set,${tags} value=${value}i ${time}`;
    const pod = (ns: string, name: string, container: string) =>
      `container_name=${container},namespace_name=${ns},nodename=n1,pod_name=${name},type=pod_container`;
    await writeLines(client, [
      // metrics-server's fixture values: 487558164 nanocores, 732212 Ki; points 90 s apart.
      c('nodename=odd,type=node', '487.558164', t - 90_000),
      c('nodename=odd,type=node', '487.558164', t),
      m('nodename=odd,type=node', '749785088', t),
      c('nodename=cpu-only,type=node', '5', t),
      c(pod('ns', 'partial', 'a'), '1', t),
      m(pod('ns', 'partial', 'a'), '1024', t),
      c(pod('ns', 'partial', 'b'), '1', t),
      c(pod('ns', 'whole', 'a'), '0.5', t),
      m(pod('ns', 'whole', 'a'), '1000', t),
      c(pod('ns', 'whole', 'b'), '0', t - 60_000),
      m(pod('ns', 'whole', 'b'), '1536', t - 60_000),
      c(pod('ns', 'old', 'a'), '1', t - 200_000),
      m(pod('ns', 'old', 'a'), '1', t - 200_000),
    ]);
    get = (path, env = {}) => answer(createApp(queryDeps(client, () => t + 5_000, logs, env)), path);
  });

  it('renders quantities as metrics-server does and takes the window from the spacing of the points', async () => {
    const { json } = await get(`${API}/nodes/odd`);
    expect(json).toMatchObject({
      timestamp: iso(t),
      window: '1m30s',
      usage: { cpu: '487558164n', memory: '732212Ki' },
    });
    expect(json.metadata).toEqual({ name: 'odd', creationTimestamp: iso(t + 5_000), labels: {} });
  });

  it('uses METRICS_WINDOW when set', async () => {
    expect((await get(`${API}/nodes/odd`, { METRICS_WINDOW: '30s' })).json.window).toBe('30s');
  });

  it('leaves out a node without memory and a pod with a container lacking memory (HPA needs whole pods)', async () => {
    expect(((await get(`${API}/nodes`)).json.items as any[]).map((i) => i.metadata.name)).toEqual(['odd']);
    expect((await get(`${API}/nodes/cpu-only`)).status).toBe(404);
    expect((await get(`${API}/namespaces/ns/pods/partial`)).status).toBe(404);
  });

  it('gives a pod the timestamp and window of its earliest container, and leaves out points past the look-back', async () => {
    const { json } = await get(`${API}/namespaces/ns/pods`);
    expect(json.items).toHaveLength(1);
    expect(json.items[0]).toMatchObject({
      metadata: { name: 'whole', namespace: 'ns' },
      timestamp: iso(t - 60_000),
      window: '1m0s',
      containers: [
        { name: 'a', usage: { cpu: '500u', memory: '1k' } },
        { name: 'b', usage: { cpu: '0', memory: '1536' } },
      ],
    });
  });
});
