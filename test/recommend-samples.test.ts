/**
 * Right-sizing's tail from the collector's samples (`heapless_rightsizing_samples`, issue 25's
 * cost): the stretch since the rollup's rows end is read from one point per workload container
 * and run instead of every pod container's raw series. The answers must be the truth's
 * (test/helpers/recommend-truth), and the same as from the raw points: a tail ending mid-window,
 * holding bursts, an OOM kill and the sampled fallback after its restart; an upgrade whose
 * samples begin mid-tail or not at all; a collection over two shards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { HOUR, MIN, rollup } from '#test/helpers/rollup-check';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { truthRecommendations, workloadKey } from '#test/helpers/recommend-truth';
import { compareContainer, compareWorkloads, expectTailEqualsRaw } from '#test/helpers/recommend-compare';
import { rows } from '#test/helpers/influx';
import type { InfluxClient } from '#shared/influx/client';
import { createApp } from '../functions/query/app';

const SIM = { nodes: 3, podsPerNode: 6, containersPerPod: 2, usage: 'varying' as const };
const SAMPLES = 'heapless_rightsizing_samples';

/** The query service over `c`, and every statement it sends. */
function served(c: Collected) {
  const statements: string[] = [];
  const client = Object.create(c.client) as InfluxClient;
  client.query = (q: string, o?: Parameters<InfluxClient['query']>[1]) => {
    statements.push(q);
    return c.client.query(q, o);
  };
  const app = createApp(queryDeps(client, () => c.sim.clock.nowMs(), []));
  return { app, statements };
}

/** A raw read of every pod container's CPU over a range that is not empty (before the rows begin, it is). */
const rawTail = (statements: string[]): boolean =>
  statements.some((q) => {
    const m = /FROM "cpu\/usage_rate".* time >= '([^']+)' AND time <= '([^']+)'.*time\(5m\)/.exec(q);
    return m !== null && m[1] !== m[2];
  });
const fromSamples = (statements: string[]): boolean => statements.some((q) => q.includes(`FROM "${SAMPLES}"`));
const count = async (client: InfluxClient, q: string): Promise<number> =>
  Number((await rows(client, q))[0]?.['count'] ?? 0);

describe('right-sizing tail from the collector’s samples', () => {
  let c: Collected;
  let start: number;
  const times: number[] = [];
  beforeAll(async () => {
    start = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    c = await collected('recommend_samples', { ...SIM, startTimeMs: start });
    for (let i = 0; i < 50; i++) {
      if (i > 0) c.sim.clock.advance(60);
      const r = await c.run();
      expect(r.exitCode).toBe(0);
      times.push(r.timeMs);
    }
    // Rows up to start + 20 min; the tail [start + 20 min, now] ends mid-window (now: start + 49 min).
    await rollup(c, start + 23 * MIN);
  }, 600_000);
  afterAll(() => c.stop());

  it('writes one point per workload container and run, and says so on the run’s own point', async () => {
    const containers = c.sim.truth.nodes.flatMap((n) =>
      n.pods.flatMap((p) => p.containers.map((x) => `${workloadKey(p)}/${x.name}`)),
    );
    const series = await rows(c.client, `SHOW SERIES FROM "${SAMPLES}"`);
    // Bare pods are a series each (their own workload_name), the others one per workload container.
    expect(series.length).toBeLessThanOrEqual(containers.length);
    expect(series.length).toBeGreaterThanOrEqual(new Set(containers).size);
    const run = await rows(c.client, `SELECT "rightsizing_samples" FROM "heapless_run" WHERE "fn" = 'collect'`);
    expect(run.length).toBe(times.length);
    for (const r of run) expect(r['rightsizing_samples']).toBe(series.length);
  });

  it('answers from the samples exactly as the truth gives it, the tail holding a kill and sampled points', async () => {
    const tail = `time >= ${(start + 20 * MIN) * 1e6}`;
    expect(await count(c.client, `SELECT count("value") FROM "restart/oom_kill" WHERE ${tail}`)).toBeGreaterThan(0);
    expect(
      await count(c.client, `SELECT count("value") FROM "cpu/usage_rate" WHERE "sampled" = 'true' AND ${tail}`),
    ).toBeGreaterThan(0);
    const s = served(c);
    const res = await answer(s.app, '/api/v1/model/recommendations');
    expect(res.status).toBe(200);
    expect(fromSamples(s.statements)).toBe(true);
    expect(rawTail(s.statements)).toBe(false);
    const truth = truthRecommendations(c.sim.truth.nodes, times);
    expect(compareWorkloads(res.json, truth)).toBe([...truth.values()].reduce((n, m) => n + m.size, 0));
    const killed = c.sim.truth.nodes[0]!.pods[2]!;
    const one = await answer(
      s.app,
      `/api/v1/model/namespaces/${killed.namespace}/workloads/DaemonSet/${killed.workload!.name}/recommendation`,
    );
    const want = truth.get(workloadKey(killed))!;
    for (const got of one.json.containers) compareContainer(got, want.get(got.name)!);
    expect(one.json.containers.some((x: any) => x.memory.oomKills > 0)).toBe(true);
  });

  it('gives each pod’s 5-minute CPU means exactly as influxd’s mean() of the raw points, working sets and kills alike', async () => {
    const [fromMs, endMs] = [start + 20 * MIN, c.sim.clock.nowMs()];
    const { oom } = await expectTailEqualsRaw(c.client, fromMs, endMs);
    expect(oom.length).toBeGreaterThan(0);
  });

  it('answers the same from the raw points where the samples begin mid-tail, and where there are none', async () => {
    const s = served(c);
    const paths = [
      '/api/v1/model/recommendations',
      `/api/v1/model/recommendations?namespace=${c.sim.truth.namespaces[1]!}`,
      '/api/v1/model/recommendations?window=30m',
    ];
    const want = await Promise.all(paths.map(async (p) => (await answer(s.app, p)).json));
    // An upgrade: runs before start + 35 min knew no samples.
    const before = `time < ${(start + 35 * MIN) * 1e6}`;
    await c.client.query(`DELETE FROM "${SAMPLES}" WHERE ${before}`);
    await c.client.query(`DELETE FROM "heapless_run" WHERE "fn" = 'collect' AND ${before}`);
    for (const [i, p] of paths.entries()) {
      const mid = served(c);
      expect((await answer(mid.app, p)).json).toEqual(want[i]);
      expect(rawTail(mid.statements)).toBe(true);
      expect(fromSamples(mid.statements)).toBe(false);
    }
    await c.client.query(`DELETE FROM "heapless_run" WHERE "fn" = 'collect'`);
    for (const [i, p] of paths.entries()) {
      const none = served(c);
      expect((await answer(none.app, p)).json).toEqual(want[i]);
      expect(rawTail(none.statements)).toBe(true);
    }
  });
});

describe('right-sizing tail from two shards’ samples (SHARD_COUNT=2 gives what 1 shard gives)', () => {
  let c: Collected;
  let start: number;
  const times: number[] = [];
  beforeAll(async () => {
    start = Math.floor((Date.now() - HOUR) / HOUR) * HOUR;
    c = await collected('recommend_samples_shards', { ...SIM, startTimeMs: start }, { SHARD_COUNT: '2' });
    for (let i = 0; i < 30; i++) {
      if (i > 0) c.sim.clock.advance(60);
      for (const shard of ['0', '1']) expect((await c.run({ SHARD_COUNT: '2', SHARD_INDEX: shard })).exitCode).toBe(0);
      times.push(Math.floor(c.sim.clock.nowMs() / MIN) * MIN);
    }
    await rollup(c, start + 13 * MIN);
  }, 600_000);
  afterAll(() => c.stop());

  it('merges the shards’ points per run (a union of pods), exactly as the truth gives it', async () => {
    const shards = await rows(c.client, `SHOW TAG VALUES FROM "${SAMPLES}" WITH KEY = "shard"`);
    expect(shards.map((r) => r['value']).sort()).toEqual(['0', '1']);
    const s = served(c);
    const res = await answer(s.app, '/api/v1/model/recommendations');
    expect(fromSamples(s.statements)).toBe(true);
    const truth = truthRecommendations(c.sim.truth.nodes, times);
    expect(compareWorkloads(res.json, truth)).toBe([...truth.values()].reduce((n, m) => n + m.size, 0));
  });
});
