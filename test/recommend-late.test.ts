/**
 * Right-sizing rows and late points: a collector outage spooled and replayed after the rollup
 * had done the outage's windows (rollup/late). The next rollup run must redo the right-sizing
 * rows of those windows too: their largest working set equals the replayed raw points', and the
 * routes answer as they do from the raw points alone. (The outage's CPU points are the kubelet's
 * samples, tagged sampled=true, as the collector had no previous counters: right-sizing leaves
 * them out, so the outage adds no CPU windows.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutage, type Outage } from '#test/helpers/dead-port';
import { collected, type Collected } from '#test/helpers/collected';
import { HOUR, MIN, rollup } from '#test/helpers/rollup-check';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { rows } from '#test/helpers/influx';
import { createApp } from '../functions/query/app';

describe('right-sizing rows after late points', () => {
  let c: Collected;
  let start: number;
  let outage: Outage | undefined;

  beforeAll(async () => {
    start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    c = await collected('recommend_late', {
      nodes: 2,
      podsPerNode: 3,
      containersPerPod: 2,
      usage: 'varying',
      startTimeMs: start,
    });
    // InfluxDB unreachable for the collector, for part of each test.
    outage = await startOutage('heapless-recommend-late-');
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
    await outage?.close();
  });

  const run = async (env: Record<string, string> = {}) => {
    const r = await c.run(env);
    c.sim.clock.advance(60);
    return r;
  };

  it('redoes the rows of windows whose points came late, as the raw points give them', async () => {
    for (let i = 0; i < 30; i++) expect((await run()).exitCode).toBe(0);
    await rollup(c, start + 33 * MIN);
    for (let i = 0; i < 15; i++) {
      const r = await run(outage!.env);
      expect(r.stats.spooledPoints).toBeGreaterThan(0);
    }
    // The outage's windows are done, from no points.
    await rollup(c, start + 48 * MIN);
    expect((await run({ SPOOL_DIR: outage!.spoolDir })).stats.replayedPoints).toBeGreaterThan(0);
    // No rollup until the outage's windows are past the reach every run redoes anyway (OOM kills
    // stamped back: an hour and a window).
    for (let i = 0; i < 72; i++) expect((await run()).exitCode).toBe(0);
    const after = await rollup(c, start + 120 * MIN);
    expect(after.stats.lateFromMs).toBe(start + 30 * MIN);

    // The outage's 5-minute rows hold each container's largest working set of the replayed points.
    const range = `time >= ${start + 30 * MIN}ms AND time < ${start + 45 * MIN}ms`;
    const by = `"namespace_name","workload_kind","workload_name","container_name"`;
    const raw = await rows(
      c.client,
      `SELECT max("value") FROM "memory/working_set" WHERE "type" = 'pod_container' AND ${range} GROUP BY time(5m),${by} fill(none)`,
    );
    const kept = await rows(
      c.client,
      `SELECT max("ws_max") FROM "heapless_5m"."heapless_rightsizing" WHERE "span" = '5m' AND ${range} GROUP BY time(5m),${by} fill(none)`,
    );
    const key = (r: Record<string, unknown>) =>
      `${r['time']} ${r['namespace_name']} ${r['workload_name']} ${r['container_name']}`;
    expect(raw.length).toBe(3 * 2 * 3 * 2);
    expect(new Map(kept.map((r) => [key(r), r['max']]))).toEqual(new Map(raw.map((r) => [key(r), r['max']])));
    // The routes answer from the rows as from the raw points alone.
    const path = '/api/v1/model/recommendations?window=3h';
    const fromRows = await answer(createApp(queryDeps(c.client, () => c.sim.clock.nowMs(), [])), path);
    const fromRaw = await answer(
      createApp(queryDeps(c.client, () => c.sim.clock.nowMs(), [], { ROLLUP_LEVELS: '1h:400d' })),
      path,
    );
    expect(fromRows.status).toBe(200);
    expect(fromRows.json.workloads.length).toBeGreaterThan(0);
    expect(fromRows.json).toEqual(fromRaw.json);
  }, 300_000);
});
