/**
 * @module sim/scale.test
 * 5000 nodes × 30 pods on 127.0.0.1 (one port per kubelet), payloads made lazily. How fast it
 * starts and answers is the bench's to measure (`npm run bench -- --scenario 5000x30`), not a
 * test's: a timed assertion here failed whenever the machine was busy.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { httpGet } from '#test/sim/http-get';

let sim: SimCluster;
let ca: string;

async function getJson(url: string): Promise<Record<string, any>> {
  const res = await httpGet(url, { ca, token: sim.token, timeoutMs: 30_000 });
  if (!res.ok || res.status !== 200) throw new Error(`GET ${url}: ${JSON.stringify(res).slice(0, 300)}`);
  return JSON.parse(res.body) as Record<string, any>;
}

beforeAll(async () => {
  sim = await startCluster({ nodes: 5000, podsPerNode: 30, sameAddress: true });
  ca = readFileSync(sim.caFile, 'utf8');
}, 120_000);
afterAll(() => sim?.stop());

describe('a 5000-node cluster', () => {
  it('starts every kubelet on its own port', () => {
    expect(new Set(sim.nodes.map((n) => n.port)).size).toBe(5000);
    expect(new Set(sim.nodes.map((n) => n.address))).toEqual(new Set(['127.0.0.1']));
  });

  it('serves summaries of any node', async () => {
    const sample = sim.nodes.filter((_, i) => i % 100 === 7);
    const summaries = await Promise.all(sample.map((n) => getJson(`https://${n.address}:${n.port}/stats/summary`)));
    expect(summaries.map((s) => s['node']['nodeName'])).toEqual(sample.map((n) => n.name));
    expect(summaries.every((s) => s['pods'].length === 30)).toBe(true);
  });

  it("pages through the node list and finds one node's pods by field selector", async () => {
    let next = '';
    const names: string[] = [];
    do {
      const page = await getJson(`${sim.apiUrl}/api/v1/nodes?limit=500&continue=${next}`);
      names.push(...page['items'].map((n: any) => n.metadata.name));
      next = page['metadata']['continue'] ?? '';
    } while (next);
    expect(names).toHaveLength(5000);
    const pods = await getJson(`${sim.apiUrl}/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-4321`);
    expect(pods['items']).toHaveLength(30);
    expect(new Set(pods['items'].map((p: any) => p.spec.nodeName))).toEqual(new Set(['node-4321']));
  });
});
