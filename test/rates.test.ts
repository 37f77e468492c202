import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratePerSecond } from '#shared/derive/rates';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';

describe('ratePerSecond', () => {
  const prev = { s: 1000, c: { pf: [10_000, 100] as [number, number] } };
  const ctx = { prev, startMs: 1000, maxGapMs: 90_000 };
  it.each([
    ['a normal interval', ctx, [70_000, 700] as [number, number], 10],
    ['a restart (startTime changed)', { ...ctx, startMs: 2000 }, [70_000, 700] as [number, number], undefined],
    ['a counter that went backwards', ctx, [70_000, 50] as [number, number], undefined],
    ['no time elapsed (whole-second timestamps)', ctx, [10_000, 700] as [number, number], undefined],
    ['a gap longer than maxGap', ctx, [200_000, 700] as [number, number], undefined],
    ['no previous reading', { ...ctx, prev: undefined }, [70_000, 700] as [number, number], undefined],
  ])('%s', (_name, c, reading, want) => {
    expect(ratePerSecond(c, 'pf', reading)).toBe(want);
  });
});

describe('rates across runs, from state kept in InfluxDB', () => {
  let c: Collected;
  const ratesAt = async (timeMs: number, where = 'true') =>
    (
      await rows(c.client, `SELECT count("value") FROM "memory/page_faults_rate" WHERE time = ${timeMs}ms AND ${where}`)
    )[0]?.['count'] ?? 0;
  beforeAll(async () => {
    c = await collected('rates', { nodes: 2, podsPerNode: 2 });
  });
  afterAll(() => c.stop());

  it('gives no rate on the first run, and rates on the next', async () => {
    const first = await c.run();
    expect(await ratesAt(first.timeMs)).toBe(0);
    const second = await c.next(60);
    // 2 nodes + 2×4 system containers + 4 pods + 8 containers.
    expect(await ratesAt(second.timeMs)).toBe(2 + 8 + 4 + 8);
  });

  it('gives no bogus rate for a container that restarted between two runs', async () => {
    const pod = c.sim.truth.nodes[0]!.pods[0]!;
    const ctr = pod.containers[0]!;
    c.sim.clock.advance(30);
    c.sim.restartContainer(pod.namespace, pod.name, ctr.name);
    const run = await c.next(30);
    expect(await ratesAt(run.timeMs, `"pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`)).toBe(0);
    expect(
      await ratesAt(run.timeMs, `"pod_name"='${pod.name}' AND "container_name"='${pod.containers[1]!.name}'`),
    ).toBe(1);
    const negative = await rows(c.client, 'SELECT count("value") FROM /_rate$/ WHERE "value" < 0');
    expect(negative).toEqual([]);
    // The run after the restart has a rate again, from the restarted counters.
    const after = await c.next(60);
    expect(await ratesAt(after.timeMs, `"pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`)).toBe(1);
  });

  it('gives no rate spanning a missed run', async () => {
    const skipped = await c.next(120);
    expect(await ratesAt(skipped.timeMs)).toBe(0);
    const resumed = await c.next(60);
    expect(await ratesAt(resumed.timeMs)).toBe(22);
  });

  it('running the same interval again changes no count and gives the same rates', async () => {
    const t = c.sim.clock.nowMs();
    const before = await rows(c.client, `SELECT count("value"), sum("value") FROM "memory/page_faults_rate"`);
    const secondsLeft = 59 - Math.floor((t % 60_000) / 1000);
    c.sim.clock.advance(Math.min(secondsLeft, 5));
    const again = await c.run();
    expect(again.timeMs).toBe(Math.floor(t / 60_000) * 60_000);
    const after = await rows(c.client, `SELECT count("value"), sum("value") FROM "memory/page_faults_rate"`);
    expect(after[0]?.['count']).toBe(before[0]?.['count']);
    expect(after[0]?.['sum'] as number).toBeCloseTo(before[0]?.['sum'] as number, 6);
  });
});
