/**
 * @module sim/fixtures.test
 * Fixture-backed nodes: real captured summaries replayed at simulated time, with their real
 * (or synthesized) Node and Pod objects in the API server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { fixturesDir } from '#test/sim/fixtures';
import { httpGet } from '#test/sim/http-get';

const V135 = 'summary_k8s-1.35.0_minikube-containerd_nri-kubernetes.json';
const EDITED = 'summary_k8s-1.5-or-1.6_gke-2017_beats_EDITED-uint64max-inodes.json';
const WINDOWS = 'summary_k8s-1.9-alpha_windows-node_2017_acs-engine.json';
const START = Date.parse('2026-11-23T10:00:00Z');

let sim: SimCluster;
let ca: string;

async function summaryText(name: string): Promise<string> {
  const node = sim.nodes.find((n) => n.name === name)!;
  const res = await httpGet(`https://${node.address}:${node.port}/stats/summary`, { ca, token: sim.token });
  if (!res.ok || res.status !== 200) throw new Error(JSON.stringify(res));
  return res.body;
}

async function apiJson(path: string): Promise<Record<string, any>> {
  const res = await httpGet(`${sim.apiUrl}${path}`, { ca, token: sim.token });
  if (!res.ok || res.status !== 200) throw new Error(JSON.stringify(res));
  return JSON.parse(res.body) as Record<string, any>;
}

/** Parse with every string `time` field blanked, to compare payloads across times. */
function withoutTimes(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (key === 'time' && typeof value === 'string' ? 'T' : value));
}

beforeAll(async () => {
  sim = await startCluster({ nodes: 1, podsPerNode: 1, startTimeMs: START, fixtureNodes: [V135, EDITED, WINDOWS] });
  ca = readFileSync(sim.caFile, 'utf8');
});
afterAll(() => sim?.stop());

describe('fixture nodes', () => {
  it('are listed after the generated ones, named after the payload', () => {
    expect(sim.nodes.map((n) => [n.name, n.kind])).toEqual([
      ['node-0', 'generated'],
      ['datagen-1-35', 'fixture'],
      ['gke-beats-default-pool-a5b33e2e-hdww', 'fixture'],
      ['26253k8s9000', 'fixture'],
    ]);
  });

  it('serve the capture verbatim at the base time, except that every time is now', async () => {
    const original = readFileSync(join(fixturesDir(), 'kubelet-summary', V135), 'utf8');
    const served = await summaryText('datagen-1-35');
    expect(withoutTimes(served)).toEqual(withoutTimes(original));
    const times = [...served.matchAll(/"time":\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(times)).toEqual(new Set(['2026-11-23T10:00:00Z']));
    expect(served).toContain('"startTime": "2026-06-26T09:18:15Z"');
  });

  it('keep integers beyond 2^53 byte for byte', async () => {
    sim.clock.advance(10);
    const served = await summaryText('gke-beats-default-pool-a5b33e2e-hdww');
    expect(served).toContain('"inodesFree": 18446744073709551615');
  });

  it('advance cumulative counters; cpu at the payload usageNanoCores', async () => {
    const before = JSON.parse(await summaryText('datagen-1-35'));
    sim.clock.advance(60);
    const after = JSON.parse(await summaryText('datagen-1-35'));
    const nodeCpu = after.node.cpu.usageCoreNanoSeconds - before.node.cpu.usageCoreNanoSeconds;
    expect(nodeCpu).toBe(after.node.cpu.usageNanoCores * 60);
    expect(after.node.network.rxBytes).toBeGreaterThan(before.node.network.rxBytes);
    expect(after.pods[0].memory.pageFaults).toBeGreaterThan(before.pods[0].memory.pageFaults);
    expect(after.node.memory.workingSetBytes).toBe(before.node.memory.workingSetBytes);
    expect(after.node.cpu.time).toBe('2026-11-23T10:01:10Z');
  });

  it('come with the real Node object of their snapshot, pointed at the simulated kubelet', async () => {
    const node = await apiJson('/api/v1/nodes/datagen-1-35');
    const info = sim.nodes.find((n) => n.name === 'datagen-1-35')!;
    expect(node['metadata']['labels']['minikube.k8s.io/name']).toBe('datagen-1-35');
    expect(node['status']['addresses']).toEqual([
      { type: 'InternalIP', address: info.address },
      { type: 'Hostname', address: 'datagen-1-35' },
    ]);
    expect(node['status']['daemonEndpoints']).toEqual({ kubeletEndpoint: { Port: info.port } });
  });

  it('come with the real pods of their snapshot, or pods synthesized from the summary', async () => {
    const real = await apiJson('/api/v1/pods?fieldSelector=spec.nodeName%3Ddatagen-1-35');
    expect(real['items'].map((p: any) => p.metadata.name)).toContain('etcd-datagen-1-35');
    expect(real['items'][0]).not.toHaveProperty('kind');
    const unscheduled = await apiJson('/api/v1/namespaces/scraper/pods?fieldSelector=spec.nodeName%3D');
    expect(unscheduled['items'].map((p: any) => p.status.phase)).toContain('Pending');
    const synthesized = await apiJson('/api/v1/pods?fieldSelector=spec.nodeName%3D26253k8s9000');
    const summary = JSON.parse(await summaryText('26253k8s9000'));
    expect(synthesized['items'].map((p: any) => p.metadata.uid)).toEqual(summary.pods.map((p: any) => p.podRef.uid));
    const windowsNode = await apiJson('/api/v1/nodes/26253k8s9000');
    expect(windowsNode['status']['nodeInfo']['kubeletVersion']).toBe('v1.9.0');
  });

  it('reject two nodes with the same name', async () => {
    await expect(startCluster({ nodes: 0, fixtureNodes: [EDITED, EDITED] })).rejects.toThrow(/two simulated nodes/);
  });
});
