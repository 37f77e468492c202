import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyDayStartMs } from '#test/helpers/any-day';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { meanMillicores, usageNanoCoresAt } from '#test/sim/usage-truth';
import type { ContainerTruth, PodTruth } from '#test/sim/truth';

const INTERVAL_S = 30;
const RUNS = 12;

/** Every stored point must be within this of the truth (float sums of integers, nothing more). */
const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(1e-6 * Math.max(1, want));

describe('cpu/usage_rate is the mean since the previous run (issue 25 §3)', () => {
  let c: Collected;
  const times: number[] = [];
  beforeAll(async () => {
    c = await collected(
      'cpu_rate_mean',
      { nodes: 2, podsPerNode: 6, usage: 'varying', startTimeMs: anyDayStartMs() },
      { INTERVAL: `${INTERVAL_S}s` },
    );
    times.push((await c.run()).timeMs);
    for (let i = 1; i < RUNS; i++) times.push((await c.next(INTERVAL_S)).timeMs);
  });
  afterAll(() => c.stop());

  const containers = (): Array<[PodTruth, ContainerTruth]> =>
    c.sim.truth.nodes.flatMap((n) =>
      n.pods.flatMap((p) => p.containers.map((k) => [p, k] as [PodTruth, ContainerTruth])),
    );

  it('stores Δusage ÷ Δt for every container, exactly the true mean over the interval', async () => {
    let compared = 0;
    for (const [pod, ctr] of containers()) {
      if (ctr.oomKills) continue; // its restarts start new counters: checked below
      const points = await rows(
        c.client,
        `SELECT "value", "sampled" FROM "cpu/usage_rate" WHERE "type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`,
      );
      expect(points.map((p) => p['time'])).toEqual(times);
      for (const [i, p] of points.entries()) {
        if (i === 0) continue;
        expect(p['sampled']).toBeNull();
        close(p['value'] as number, meanMillicores(ctr, ctr.startTimeMs, times[i - 1]!, times[i]!));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('marks the first run’s points, the kubelet’s 10 s sample, with sampled=true', async () => {
    const [pod, ctr] = containers()[0]!;
    const first = await rows(
      c.client,
      `SELECT "value" FROM "cpu/usage_rate" WHERE "sampled"='true' AND "pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`,
    );
    expect(first).toHaveLength(1);
    expect(first[0]!['value']).toBe(usageNanoCoresAt(ctr, ctr.startTimeMs, times[0]!) / 1e6);
  });

  it('gives pods and nodes the mean of their own counters too', async () => {
    const node = c.sim.truth.nodes[1]!;
    const pod = node.pods[0]!;
    const last = async (where: string) =>
      (await rows(c.client, `SELECT last("value") FROM "cpu/usage_rate" WHERE ${where}`))[0]?.['last'] as number;
    const [from, to] = [times[RUNS - 2]!, times[RUNS - 1]!];
    close(await last(`"type"='pod' AND "pod_name"='${pod.name}'`), meanMillicores(pod, pod.startTimeMs, from, to));
    close(await last(`"type"='node' AND "nodename"='${node.name}'`), meanMillicores(node, node.startTimeMs, from, to));
  });

  it('differs from the 10 s sample where usage varies (the aliasing this fixes)', async () => {
    let differing = 0;
    for (const [, ctr] of containers()) {
      const sample = usageNanoCoresAt(ctr, ctr.startTimeMs, times[RUNS - 1]!) / 1e6;
      const mean = meanMillicores(ctr, ctr.startTimeMs, times[RUNS - 2]!, times[RUNS - 1]!);
      if (Math.abs(sample - mean) > 0.02 * mean) differing++;
    }
    expect(differing).toBeGreaterThan(0);
  });
});
