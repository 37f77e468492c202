/**
 * Right-sizing against the simulator's truth (issue 25): 90 minutes of varying usage collected
 * every minute, the first hour rolled up by the real rollup into the 5-minute level and the rest
 * read raw; every recommendation is compared with one worked out from the truth alone
 * (test/helpers/recommend-truth). Then a collection split over two shards gives the same answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rollup, HOUR, MIN } from '#test/helpers/rollup-check';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { truthRecommendations, workloadKey } from '#test/helpers/recommend-truth';
import { rows } from '#test/helpers/influx';
import { compareContainer, compareWorkloads } from '#test/helpers/recommend-compare';
import { createApp } from '../functions/query/app';

const SIM = { nodes: 3, podsPerNode: 6, containersPerPod: 2, usage: 'varying' as const };

interface Served {
  app: ReturnType<typeof createApp>;
  truth: ReturnType<typeof truthRecommendations>;
}

async function serve(c: Collected, times: number[]): Promise<Served> {
  const deps = queryDeps(c.client, () => c.sim.clock.nowMs(), []);
  return { app: createApp(deps), truth: truthRecommendations(c.sim.truth.nodes, times) };
}

describe('right-sizing: rollup level + raw tail, against the truth', () => {
  let c: Collected;
  let s: Served;
  const times: number[] = [];
  beforeAll(async () => {
    const start = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    c = await collected('recommend', { ...SIM, startTimeMs: start });
    for (let i = 0; i < 90; i++) {
      if (i > 0) c.sim.clock.advance(60);
      const r = await c.run();
      expect(r.exitCode).toBe(0);
      times.push(r.timeMs);
    }
    await rollup(c, start + HOUR + 3 * MIN);
    s = await serve(c, times);
  }, 600_000);
  afterAll(() => c.stop());

  it('recommends for every container of every workload exactly as the truth gives it', async () => {
    // The first hour comes from the 5-minute level, the rest from raw points.
    const rolled = await rows(
      c.client,
      `SELECT count("value") FROM "heapless_5m"."cpu/usage_rate" WHERE "type"='pod_container'`,
    );
    expect(rolled[0]?.['count']).toBeGreaterThan(0);
    const res = await answer(s.app, '/api/v1/model/recommendations');
    expect(res.status).toBe(200);
    expect(compareWorkloads(res.json, s.truth)).toBe([...s.truth.values()].reduce((n, m) => n + m.size, 0));
  });

  it('answers the same from the right-sizing rows as from the raw points alone', async () => {
    const kept = await rows(
      c.client,
      `SELECT count("cpu") FROM "heapless_5m"."heapless_rightsizing" WHERE "span"='5m' OR "span"='1h'`,
    );
    expect(kept[0]?.['count']).toBeGreaterThan(0);
    // Without a 5-minute level the route reads every raw point, as it did before the rows.
    const raw = createApp(queryDeps(c.client, () => c.sim.clock.nowMs(), [], { ROLLUP_LEVELS: '1h:400d' }));
    for (const path of ['/api/v1/model/recommendations', '/api/v1/model/recommendations?window=1h']) {
      const [fromRows, fromRaw] = [await answer(s.app, path), await answer(raw, path)];
      expect(fromRows.status).toBe(200);
      expect(fromRows.json).toEqual(fromRaw.json);
    }
  });

  it('answers one workload with its containers, notes and covered range', async () => {
    const pod = c.sim.truth.nodes[0]!.pods[0]!; // the Deployment with a daily cycle and bursts
    const path = `/api/v1/model/namespaces/${pod.namespace}/workloads/Deployment/${pod.workload!.name}/recommendation`;
    const res = await answer(s.app, `${path}?window=1d`);
    expect(res.status).toBe(200);
    expect(res.json.window).toBe('1d');
    const want = s.truth.get(workloadKey(pod))!;
    for (const got of res.json.containers) {
      compareContainer(got, want.get(got.name)!);
      expect(got.notes).toContain('not enough history');
    }
    // The sidecar of pattern 1 sets no requests.
    const none = res.json.containers.find((x: any) => x.cpu.requestMillicores === null);
    expect(none.notes).toEqual(expect.arrayContaining(['no cpu request', 'cpu short']));
  });

  it('flags the OOM-killed container and recommends at least its limit × 1.2', async () => {
    const pod = c.sim.truth.nodes[0]!.pods[2]!;
    const ctr = pod.containers[0]!;
    expect(ctr.oomKills).toBeDefined();
    const path = `/api/v1/model/namespaces/${pod.namespace}/workloads/DaemonSet/${pod.workload!.name}/recommendation`;
    const got = (await answer(s.app, path)).json.containers.find((x: any) => x.name === ctr.name);
    expect(got.memory.oomKills).toBeGreaterThan(0);
    expect(got.notes).toContain('oom-killed');
    expect(got.memory.recommendedBytes).toBeGreaterThanOrEqual(ctr.limits.memoryBytes * 1.2);
  });

  it('recommends for the leaking container from its largest working set', async () => {
    const pod = c.sim.truth.nodes[1]!.pods[1]!; // the StatefulSet that leaks
    const got = (
      await answer(s.app, `/api/v1/model/namespaces/${pod.namespace}/workloads/StatefulSet/db/recommendation`)
    ).json.containers;
    const want = s.truth.get(workloadKey(pod))!;
    for (const x of got) compareContainer(x, want.get(x.name)!);
  });

  it('filters by namespace and prints an aligned text report', async () => {
    const ns = c.sim.truth.namespaces[1]!;
    const json = (await answer(s.app, `/api/v1/model/recommendations?namespace=${ns}`)).json;
    expect(json.workloads.every((w: any) => w.namespace === ns)).toBe(true);
    const text = await answer(s.app, `/api/v1/model/recommendations?namespace=${ns}&format=text`);
    expect(text.status).toBe(200);
    const lines = text.text.trimEnd().split('\n').slice(2);
    expect(lines[0]).toMatch(/^NAMESPACE\s+KIND\s+NAME\s+CONTAINER/);
    const at = lines[0]!.indexOf('CPU RECOMMENDED');
    expect(lines.length).toBe(1 + json.workloads.reduce((n: number, w: any) => n + w.containers.length, 0));
    for (const line of lines.slice(1)) expect(line.slice(at - 2, at)).toBe('  ');
  });

  it('sorts by reclaimable CPU, then memory', async () => {
    const list = (await answer(s.app, '/api/v1/model/recommendations')).json.workloads;
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      expect(
        a.reclaimableMillicores > b.reclaimableMillicores ||
          (a.reclaimableMillicores === b.reclaimableMillicores && a.reclaimableBytes >= b.reclaimableBytes),
      ).toBe(true);
    }
  });

  it('refuses a bad window or format with a 400 naming it', async () => {
    for (const [q, param] of [
      ['window=soon', 'window'],
      ['window=400d', 'window'],
      ['format=xml', 'format'],
    ]) {
      const res = await answer(s.app, `/api/v1/model/recommendations?${q}`);
      expect(res.status).toBe(400);
      expect(res.json.error).toContain(param);
    }
  });
});

describe('right-sizing with the large-cluster ROLLUP_TYPES (no pod or container rollups)', () => {
  let c: Collected;
  let s: Served;
  const times: number[] = [];
  beforeAll(async () => {
    const start = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
    c = await collected('recommend_large', { ...SIM, startTimeMs: start });
    for (let i = 0; i < 75; i++) {
      if (i > 0) c.sim.clock.advance(60);
      const r = await c.run();
      expect(r.exitCode).toBe(0);
      times.push(r.timeMs);
    }
    await rollup(c, start + HOUR + 3 * MIN, { ROLLUP_TYPES: 'node,ns,workload,cluster,sys_container' });
    // The raw points the rows stand for are gone, as after INFLUX_RETENTION: only the rows remain.
    for (const m of ['cpu/usage_rate', 'memory/working_set', 'restart/oom_kill'])
      await c.client.query(`DELETE FROM "${m}" WHERE time < ${(start + HOUR) * 1_000_000}`);
    const deps = queryDeps(c.client, () => c.sim.clock.nowMs(), [], {
      ROLLUP_TYPES: 'node,ns,workload,cluster,sys_container',
      INFLUX_RETENTION: '1h',
    });
    s = { app: createApp(deps), truth: truthRecommendations(c.sim.truth.nodes, times) };
  }, 600_000);
  afterAll(() => c.stop());

  it('keeps per-workload-container rows, and recommends from them exactly as the truth gives it', async () => {
    const level = await rows(
      c.client,
      `SELECT count("value") FROM "heapless_5m"."cpu/usage_rate" WHERE "type"='pod_container'`,
    );
    expect(level).toEqual([]);
    const raw = await rows(
      c.client,
      `SELECT count("value") FROM "cpu/usage_rate" WHERE time < ${(times[0]! + HOUR) * 1_000_000}`,
    );
    expect(raw).toEqual([]);
    const kept = await rows(c.client, `SELECT count("cpu") FROM "heapless_5m"."heapless_rightsizing"`);
    expect(kept[0]?.['count']).toBeGreaterThan(0);
    const res = await answer(s.app, '/api/v1/model/recommendations?window=2h');
    expect(res.status).toBe(200);
    expect(compareWorkloads(res.json, s.truth)).toBe([...s.truth.values()].reduce((n, m) => n + m.size, 0));
  });
});

describe('right-sizing over a sharded collection (SHARD_COUNT=2 gives what 1 shard gives)', () => {
  let c: Collected;
  let s: Served;
  const times: number[] = [];
  beforeAll(async () => {
    const start = Math.floor((Date.now() - HOUR) / HOUR) * HOUR;
    c = await collected('recommend_shards', { ...SIM, startTimeMs: start }, { SHARD_COUNT: '2' });
    for (let i = 0; i < 25; i++) {
      if (i > 0) c.sim.clock.advance(60);
      for (const shard of ['0', '1']) expect((await c.run({ SHARD_COUNT: '2', SHARD_INDEX: shard })).exitCode).toBe(0);
      times.push(Math.floor(c.sim.clock.nowMs() / MIN) * MIN);
    }
    s = await serve(c, times);
  }, 600_000);
  afterAll(() => c.stop());

  it('recommends from every shard’s containers, exactly as the truth gives it', async () => {
    const res = await answer(s.app, '/api/v1/model/recommendations');
    expect(compareWorkloads(res.json, s.truth)).toBeGreaterThan(0);
  });
});
