/**
 * @module sim/varying-usage.test
 * The simulator's varying usage keeps its truth exact: over real HTTPS the kubelet serves the
 * truth's counters, the CPU counter is the integral of a usage that varies (its 10 s samples
 * differ from its interval means), a pod's counter is the sum of its containers', the same seed
 * gives the same payloads, and the OOM-killed container restarts in the Pod object with an
 * OOMKilled last state at the truth's kill times.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { httpGet } from '#test/sim/http-get';
import { rfc3339 } from '#test/sim/clock';
import { cpuCounterAt, meanMillicores, memoryAt, usageNanoCoresAt } from '#test/sim/usage-truth';
import { OOM_PERIOD_MS } from '#test/sim/varying-usage';
import { anyDayStartMs } from '#test/helpers/any-day';

const OPTS = { nodes: 2, podsPerNode: 6, usage: 'varying' as const, startTimeMs: anyDayStartMs() };

let sim: SimCluster;
let twin: SimCluster;

async function getJson(s: SimCluster, url: string): Promise<any> {
  const res = await httpGet(url, { ca: readFileSync(s.caFile, 'utf8'), token: s.token, timeoutMs: 30_000 });
  if (!res.ok || res.status !== 200) throw new Error(`GET ${url}: ${JSON.stringify(res).slice(0, 300)}`);
  return JSON.parse(res.body);
}

const summary = (s: SimCluster, n = 0) =>
  getJson(s, `https://${s.nodes[n]!.address}:${s.nodes[n]!.port}/stats/summary`);

beforeAll(async () => {
  [sim, twin] = await Promise.all([startCluster(OPTS), startCluster(OPTS)]);
});
afterAll(async () => {
  await Promise.all([sim?.stop(), twin?.stop()]);
});

describe('varying usage with exact truth', () => {
  it('serves the truth’s counters, samples and working sets', async () => {
    sim.clock.advance(600);
    const now = sim.clock.nowMs();
    const body = await summary(sim);
    const node = sim.truth.nodes[0]!;
    for (const [p, pod] of node.pods.entries()) {
      const served = body.pods[p];
      expect(served.cpu.usageCoreNanoSeconds).toBe(cpuCounterAt(pod, pod.startTimeMs, now));
      for (const [k, c] of pod.containers.entries()) {
        const s = served.containers[k];
        expect(s.cpu.usageCoreNanoSeconds).toBe(cpuCounterAt(c, c.startTimeMs, now));
        expect(s.cpu.usageNanoCores).toBe(usageNanoCoresAt(c, c.startTimeMs, now));
        expect(s.memory.workingSetBytes).toBe(memoryAt(c, now).workingSetBytes);
      }
    }
    expect(body.node.cpu.usageCoreNanoSeconds).toBe(cpuCounterAt(node, node.startTimeMs, now));
  });

  it('varies: a minute’s mean moves from minute to minute, and differs from the 10 s sample', () => {
    const c = sim.truth.nodes[0]!.pods[0]!.containers[0]!;
    const t = sim.clock.nowMs();
    const means = Array.from({ length: 30 }, (_, i) =>
      meanMillicores(c, c.startTimeMs, t + i * 60_000, t + (i + 1) * 60_000),
    );
    expect(Math.max(...means) / Math.min(...means)).toBeGreaterThan(1.5);
    const samples = means.map((_, i) => usageNanoCoresAt(c, c.startTimeMs, t + (i + 1) * 60_000) / 1e6);
    expect(samples.filter((s, i) => Math.abs(s - means[i]!) > 0.02 * means[i]!).length).toBeGreaterThan(5);
  });

  it('keeps a pod’s counter the sum of its containers’ usage since the pod started', () => {
    const pod = sim.truth.nodes[1]!.pods[3]!;
    const [a, b] = [sim.clock.nowMs(), sim.clock.nowMs() + 3_600_000];
    const podUsed = cpuCounterAt(pod, pod.startTimeMs, b) - cpuCounterAt(pod, pod.startTimeMs, a);
    const parts = pod.containers.reduce((sum, c) => sum + c.varying!.cpuUsed(a, b) * 1e6, 0);
    expect(Math.abs(podUsed - parts)).toBeLessThanOrEqual(1);
  });

  it('is the same for the same seed', async () => {
    twin.clock.set(sim.clock.nowMs());
    expect(await summary(twin, 1)).toEqual(await summary(sim, 1));
  });

  it('OOM-kills the DaemonSet pod’s first container every period, as the Pod object shows', async () => {
    const pod = sim.truth.nodes[0]!.pods[2]!;
    const c = pod.containers[0]!;
    const kills = c.oomKills!;
    const before = c.restartCount;
    sim.clock.advance(OOM_PERIOD_MS / 1000);
    const list = await getJson(sim, `${sim.apiUrl}/api/v1/namespaces/${pod.namespace}/pods`);
    const status = list.items
      .find((p: any) => p.metadata.name === pod.name)
      .status.containerStatuses.find((s: any) => s.name === c.name);
    const k = Math.floor((sim.clock.nowMs() - kills.firstStartMs) / OOM_PERIOD_MS);
    expect(status.restartCount).toBe(kills.restartsBefore + k);
    expect(status.restartCount).toBe(before + 1);
    expect(status.lastState.terminated).toMatchObject({
      reason: 'OOMKilled',
      finishedAt: rfc3339(kills.firstStartMs + k * OOM_PERIOD_MS),
    });
    // Just before the kill the working set is nearly the limit; just after, back to its base.
    const killAt = kills.firstStartMs + k * OOM_PERIOD_MS;
    expect(memoryAt(c, killAt - 1000).workingSetBytes).toBeGreaterThan(0.99 * c.limits.memoryBytes);
    expect(memoryAt(c, killAt).workingSetBytes).toBeLessThan(0.5 * c.limits.memoryBytes);
  });
});
