/**
 * @module sim-cluster.test
 * The simulated cluster, exercised over real HTTPS: API server (client-node, kubectl, raw
 * requests), kubelet summaries against the ground truth, the clock, restarts and events.
 * Faults, fixture nodes and scale have their own files under test/sim/.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { counterAt, cpuCoreNanoSecondsAt } from '#test/sim/clock';
import { httpGet } from '#test/sim/http-get';
import { readFileSync } from 'node:fs';

const execFileAsync = promisify(execFile);
const START = Date.parse('2026-11-23T10:00:00Z');

let sim: SimCluster;
let ca: string;

/** GET a kubelet or API path and parse JSON, failing loudly on anything but 200. */
async function getJson(url: string): Promise<Record<string, any>> {
  const res = await httpGet(url, { ca, token: sim.token });
  if (!res.ok || res.status !== 200) throw new Error(`GET ${url}: ${JSON.stringify(res)}`);
  return JSON.parse(res.body) as Record<string, any>;
}

function kubeletUrl(name: string, path = '/stats/summary'): string {
  const node = sim.nodes.find((n) => n.name === name)!;
  return `https://${node.address}:${node.port}${path}`;
}

beforeAll(async () => {
  sim = await startCluster({ nodes: 3, podsPerNode: 4, containersPerPod: 2, startTimeMs: START });
  ca = readFileSync(sim.caFile, 'utf8');
});
afterAll(() => sim?.stop());

describe('API server', () => {
  it('lists nodes with @kubernetes/client-node through the written kubeconfig', async () => {
    // Prepare
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    // Act
    const list = await core.listNode();
    // Assess
    expect(list.items.map((n) => n.metadata?.name)).toEqual(['node-0', 'node-1', 'node-2']);
    const node = list.items[1]!;
    const truth = sim.truth.nodes[1]!;
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: truth.address });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(truth.port);
    expect(node.status?.capacity).toEqual({
      cpu: '4',
      memory: '16777216Ki',
      'ephemeral-storage': '104857600Ki',
      pods: '110',
    });
    expect(node.status?.allocatable?.['cpu']).toBe('3800m');
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('filters pods by field and label selectors', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const onNode1 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-1' });
    expect(onNode1.items.map((p) => p.metadata?.name)).toEqual(['pod-1-0', 'pod-1-1', 'pod-1-2', 'pod-1-3']);
    const frontendNs0 = await core.listNamespacedPod({
      namespace: 'ns-0',
      labelSelector: 'tier=frontend,app in (app-0,app-2)',
    });
    expect(frontendNs0.items.map((p) => p.metadata?.name)).toEqual([
      'pod-0-0',
      'pod-0-2',
      'pod-1-0',
      'pod-1-2',
      'pod-2-0',
      'pod-2-2',
    ]);
    const notApp0 = await core.listPodForAllNamespaces({ labelSelector: 'app!=app-0,!missing' });
    expect(notApp0.items).toHaveLength(6);
    const pod = await core.readNamespacedPod({ namespace: 'ns-0', name: 'pod-0-0' });
    expect(pod.spec?.containers.map((c) => c.resources)).toEqual([
      { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
      {}, // no requests, no limits
    ]);
  });

  it('pages with limit/continue and returns the same items as one list', async () => {
    const all = await getJson(`${sim.apiUrl}/api/v1/pods`);
    expect(all).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(all['items'][0]).not.toHaveProperty('kind');
    const names: string[] = [];
    let next: string | undefined = '';
    let pages = 0;
    while (next !== undefined) {
      const page = await getJson(`${sim.apiUrl}/api/v1/pods?limit=5&continue=${encodeURIComponent(next)}`);
      names.push(...page['items'].map((p: any) => p.metadata.name));
      next = page['metadata']['continue'];
      pages++;
    }
    expect(pages).toBe(3);
    expect(names).toEqual(all['items'].map((p: any) => p.metadata.name));
    const bad = await httpGet(`${sim.apiUrl}/api/v1/pods?limit=5&continue=garbage`, { ca, token: sim.token });
    expect(bad.ok && bad.status).toBe(400);
  });

  it('rejects requests without the bearer token with a 401 Status', async () => {
    const res = await httpGet(`${sim.apiUrl}/api/v1/nodes`, { ca });
    expect(res.ok && res.status).toBe(401);
    expect(res.ok && JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
  });

  it('answers unknown paths and objects with 404 Status', async () => {
    const missing = await httpGet(`${sim.apiUrl}/api/v1/nodes/nope`, { ca, token: sim.token });
    expect(missing.ok && JSON.parse(missing.body)).toMatchObject({ code: 404, message: 'nodes "nope" not found' });
    const unknown = await httpGet(`${sim.apiUrl}/apis/apps/v1/deployments`, { ca, token: sim.token });
    expect(unknown.ok && unknown.status).toBe(404);
  });

  it('lists extra API groups added after start', async () => {
    expect((await getJson(`${sim.apiUrl}/apis`))['groups']).toEqual([]);
    sim.extraApiGroups.push({
      group: { name: 'metrics.k8s.io', versions: [] },
      handle: (_req, res) => res.end('{"hello":1}'),
    });
    expect((await getJson(`${sim.apiUrl}/apis`))['groups']).toEqual([{ name: 'metrics.k8s.io', versions: [] }]);
    expect(await getJson(`${sim.apiUrl}/apis/metrics.k8s.io/v1beta1/nodes`)).toEqual({ hello: 1 });
    sim.extraApiGroups.pop();
  });

  it('serves the real kubectl 1.32', async () => {
    const kubectl = (...args: string[]) =>
      execFileAsync('kubectl', [
        '--kubeconfig',
        sim.kubeconfigPath,
        '--cache-dir',
        `${sim.kubeconfigPath}.cache`,
        ...args,
      ]);
    const nodes = await kubectl('get', 'nodes', '-o', 'name');
    expect(nodes.stdout.trim().split('\n')).toEqual(['node/node-0', 'node/node-1', 'node/node-2']);
    const pods = await kubectl('get', 'pods', '-A');
    expect(pods.stdout).toMatch(/^NAMESPACE\s+NAME\s+AGE\n/);
    expect(pods.stdout.trim().split('\n')).toHaveLength(13);
  });
});

describe('kubelets', () => {
  it('serve the summary over HTTPS, verified against the sim CA, matching the truth', async () => {
    const summary = await getJson(kubeletUrl('node-2'));
    const truth = sim.truth.nodes[2]!;
    const now = sim.clock.nowMs();
    expect(summary['node']['nodeName']).toBe('node-2');
    expect(summary['node']['cpu']).toEqual({
      time: '2026-11-23T10:00:00Z',
      usageNanoCores: truth.cpuMillicores * 1e6,
      usageCoreNanoSeconds: cpuCoreNanoSecondsAt(truth.cpuMillicores, truth.startTimeMs, now),
      // node-2 plays a 1.34+ kubelet (sim/generated-signals): CPU pressure rides in the cpu block.
      psi: {
        some: expect.objectContaining({ avg10: truth.pressure!.cpu.some.avg10 }),
        full: expect.objectContaining({ avg300: truth.pressure!.cpu.full.avg300 }),
      },
    });
    expect(summary['node']['systemContainers'].map((c: any) => c.name)).toEqual(['kubelet', 'runtime', 'pods', 'misc']);
    const pod = summary['pods'][3];
    const podTruth = truth.pods[3]!;
    expect(pod['podRef']).toEqual({ name: podTruth.name, namespace: podTruth.namespace, uid: podTruth.uid });
    expect(pod['network']['rxBytes']).toBe(
      counterAt(podTruth.network.interfaces[0]!.rxBytesPerSecond, podTruth.startTimeMs, now),
    );
    expect(pod['volume'].map((v: any) => v.name)).toEqual(['data', 'config']);
    expect(pod['ephemeral-storage']['usedBytes']).toBe(podTruth.ephemeralStorage.usedBytes);
    const container = pod['containers'][1];
    expect(container['memory']['workingSetBytes']).toBe(podTruth.containers[1]!.memory.workingSetBytes);
  });

  it('sums pods and system containers into the node values', () => {
    const node = sim.truth.nodes[0]!;
    const parts = [...node.pods, ...node.systemContainers];
    expect(node.cpuMillicores).toBe(parts.reduce((s, p) => s + p.cpuMillicores, 0));
    expect(node.memory.workingSetBytes).toBe(parts.reduce((s, p) => s + p.memory.workingSetBytes, 0));
    expect(node.pods[0]!.labels['note']).toBe('a b,c=d"e');
  });

  it('advance their counters and times with the simulated clock only', async () => {
    const before = await getJson(kubeletUrl('node-0'));
    sim.clock.advance(60);
    const after = await getJson(kubeletUrl('node-0'));
    const c0 = before['pods'][0]['containers'][0];
    const c1 = after['pods'][0]['containers'][0];
    const millicores = sim.truth.nodes[0]!.pods[0]!.containers[0]!.cpuMillicores;
    expect(c1.cpu.usageCoreNanoSeconds - c0.cpu.usageCoreNanoSeconds).toBe(millicores * 1e6 * 60);
    expect(c1.cpu.time).toBe('2026-11-23T10:01:00Z');
    expect(c1.memory.pageFaults - c0.memory.pageFaults).toBe(
      60 * sim.truth.nodes[0]!.pods[0]!.containers[0]!.pageFaultsPerSecond,
    );
    expect(c1.rootfs).toEqual({ ...c0.rootfs, time: '2026-11-23T10:01:00Z' });
  });

  it('require the bearer token: 401 without, 403 when wrong; accept a trailing slash and query', async () => {
    const none = await httpGet(kubeletUrl('node-1'), { ca });
    const wrong = await httpGet(kubeletUrl('node-1'), { ca, token: 'nope' });
    expect([none.ok && none.status, wrong.ok && wrong.status]).toEqual([401, 403]);
    const slash = await getJson(kubeletUrl('node-1', '/stats/summary/?only_cpu_and_memory=true'));
    expect(slash['node']['nodeName']).toBe('node-1');
    const other = await httpGet(kubeletUrl('node-1', '/pods'), { ca, token: sim.token });
    expect(other.ok && other.status).toBe(404);
  });

  it('are reachable through the API server node proxy with the same payload', async () => {
    const direct = await httpGet(kubeletUrl('node-1'), { ca, token: sim.token });
    const proxied = await httpGet(`${sim.apiUrl}/api/v1/nodes/node-1/proxy/stats/summary`, { ca, token: sim.token });
    expect(proxied.ok && proxied.body).toBe(direct.ok && direct.body);
  });

  it('count requests per node', async () => {
    sim.requests.reset();
    await getJson(kubeletUrl('node-2'));
    await getJson(kubeletUrl('node-2'));
    expect(sim.requests.byNode).toEqual({ 'node-2': 2 });
    expect(sim.requests.maxInFlight).toBe(1);
  });
});

describe('restartContainer', () => {
  it('restarts counters at 0 and bumps restartCount in the pod status', async () => {
    const podTruth = sim.truth.nodes[1]!.pods[2]!;
    sim.restartContainer(podTruth.namespace, podTruth.name, 'sidecar');
    sim.clock.advance(30);
    const summary = await getJson(kubeletUrl('node-1'));
    const container = summary['pods'][2]['containers'].find((c: any) => c.name === 'sidecar');
    expect(container.startTime).toBe(new Date(sim.clock.nowMs() - 30_000).toISOString().replace('.000', ''));
    expect(container.cpu.usageCoreNanoSeconds).toBe(podTruth.containers[1]!.cpuMillicores * 1e6 * 30);
    const pod = await getJson(`${sim.apiUrl}/api/v1/namespaces/${podTruth.namespace}/pods/${podTruth.name}`);
    expect(pod['kind']).toBe('Pod');
    expect(pod['status']['containerStatuses'][1]['restartCount']).toBe(1);
  });
});

describe('events', () => {
  const event = (name: string, count: number) => ({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name, namespace: 'ns-0' },
    involvedObject: { kind: 'Pod', name: 'pod-0-0', namespace: 'ns-0' },
    reason: 'BackOff',
    message: `restarting ${count}`,
    source: { component: 'kubelet', host: 'node-0' },
    count,
    lastTimestamp: '2026-11-23T10:00:00Z',
    type: 'Warning',
  });

  it('serves added events as core/v1 and events.k8s.io/v1, replacing by name', async () => {
    sim.addEvents([event('a', 1), event('b', 1), { ...event('c', 1), metadata: { name: 'c', namespace: 'ns-1' } }]);
    sim.addEvents([event('a', 2)]);
    const core = await getJson(`${sim.apiUrl}/api/v1/namespaces/ns-0/events`);
    expect(core['kind']).toBe('EventList');
    expect(core['items'].map((e: any) => [e.metadata.name, e.count])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    const page = await getJson(`${sim.apiUrl}/apis/events.k8s.io/v1/events?limit=2`);
    expect(page['apiVersion']).toBe('events.k8s.io/v1');
    expect(page['metadata']['continue']).toBeTypeOf('string');
    expect(page['items'][0]).toMatchObject({
      regarding: { kind: 'Pod', name: 'pod-0-0' },
      note: 'restarting 2',
      deprecatedCount: 2,
      deprecatedLastTimestamp: '2026-11-23T10:00:00Z',
      deprecatedSource: { component: 'kubelet', host: 'node-0' },
      eventTime: null,
      reportingController: '',
    });
    const rest = await getJson(
      `${sim.apiUrl}/apis/events.k8s.io/v1/events?limit=2&continue=${page['metadata']['continue']}`,
    );
    expect(rest['items'].map((e: any) => e.metadata.name)).toEqual(['c']);
  });
});
