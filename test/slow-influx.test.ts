/**
 * An InfluxDB slower than the scrapers (the first run after an install, when influxd creates
 * every series): a fault proxy holds each `/write` before forwarding it to the suite's real
 * influxd. The oracle is the same cluster at the same instants collected straight into a second
 * database: after a replay, the slow database must hold exactly what the reference holds.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import type { RunResult } from '#shared/collect/run';
import { collected, type Collected } from '#test/helpers/collected';
import { startFaultProxy, type FaultProxy } from '#test/helpers/fault-proxy';
import { freshDatabase, rows } from '#test/helpers/influx';

/** Each write body (but the run's own point) waits this long: 2 in flight ingest 500 lines/s. */
const SLOW_MS = 2_000;
const SIM = { nodes: 20, podsPerNode: 4 };
/** Small bodies, so that the cluster's ~10k lines take about 20 of them: 20 s of writing at SLOW_MS. */
const SLOW_ENV = { RUN_DEADLINE: '10s', INFLUX_BATCH_SIZE: '500', INFLUX_CONCURRENCY: '2' };

/** Every series stored at `timeMs`, measurement by measurement (the run's own figures aside). */
async function storedAt(client: InfluxClient, timeMs: number): Promise<string[]> {
  // Without GROUP BY, tags come back as columns: one row per series, one result per measurement.
  const [res] = await client.query(`SELECT * FROM /.*/ WHERE time = ${timeMs}ms`);
  return (res?.series ?? [])
    .filter((s) => s.name !== 'heapless_run')
    .flatMap((s) => s.values.map((v) => JSON.stringify([s.name, ...s.columns.map((c, i) => [c, v[i]])])))
    .sort();
}

function slowProxy(proxy: FaultProxy, on: { slow: boolean }): void {
  proxy.delayMs = (r) => (on.slow && r.path.startsWith('/write') && !r.body.startsWith('heapless_run') ? SLOW_MS : 0);
}

describe('InfluxDB slower than scraping, with a spool', () => {
  let c: Collected;
  let proxy: FaultProxy;
  let target: InfluxClient;
  let spoolDir: string;
  const on = { slow: true };
  const slowRuns: RunResult[] = [];
  const times: number[] = [];
  /** heapless_run points in the slow database after each run. */
  const runPointsAfter: number[] = [];
  beforeAll(async () => {
    c = await collected('slow_ref', SIM);
    target = await freshDatabase('slow_spool');
    proxy = await startFaultProxy(c.client.options.url);
    slowProxy(proxy, on);
    spoolDir = mkdtempSync(join(tmpdir(), 'heapless-spool-'));
    const env = { ...SLOW_ENV, INFLUX_URL: proxy.url, INFLUX_DB: target.options.db, SPOOL_DIR: spoolDir };
    // Interval 1: InfluxDB slow. Interval 2: InfluxDB keeps up again; the run replays the spool.
    for (const slow of [true, false]) {
      if (!slow) c.sim.clock.advance(60);
      on.slow = slow;
      expect((await c.run()).exitCode).toBe(0);
      const r = await c.run(env);
      runPointsAfter.push((await rows(target, 'SELECT "nodes" FROM "heapless_run"')).length);
      slowRuns.push(r);
      times.push(r.timeMs);
    }
  });
  afterAll(async () => {
    await Promise.all([c.stop(), proxy.stop()]);
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('scrapes every node although InfluxDB cannot keep up: the rest overflows to the spool, nothing is lost', () => {
    const [slow] = slowRuns;
    // Before the fix: scraping waited for InfluxDB, and the deadline cut most of the nodes.
    expect(slow?.stats).toMatchObject({ nodes: SIM.nodes, nodesOk: SIM.nodes, nodesCut: 0, failures: {} });
    expect(slow?.stats).toMatchObject({ failedPoints: 0, spoolDroppedPoints: 0, influxWaitMs: 0 });
    expect(slow?.stats.overflowPoints).toBeGreaterThan(0);
    expect(slow?.stats.spoolBacklogPoints).toBeGreaterThan(0);
    expect(slow?.exitCode).toBe(0);
    const line = c.logs.find((l) => l['event'] === 'run' && l['overflowPoints'] === slow?.stats.overflowPoints);
    expect(line).toMatchObject({ spool: 'on', nodesCut: 0 });
  });

  it('the next run replays the spool: both intervals equal the reference, rates included', async () => {
    const [, next] = slowRuns;
    expect(next?.stats.replayedPoints).toBeGreaterThan(0);
    expect(next?.stats.spoolBacklogPoints).toBe(0);
    expect(readdirSync(spoolDir)).toEqual([]);
    for (const t of times) {
      const want = await storedAt(c.client, t);
      expect(want.length).toBeGreaterThan(100);
      expect(await storedAt(target, t)).toEqual(want);
    }
    // The counters of the slow interval reached InfluxDB in time: every node has a rate.
    const rates = await rows(
      target,
      `SELECT count("value") FROM "cpu/usage_rate" WHERE "type"='node' AND time = ${times[1]}ms`,
    );
    expect(rates[0]?.['count']).toBe(SIM.nodes);
  });

  it("the slow run's own point waits in the spool behind its points, so the rollup sees them as late", () => {
    // Written at once, it would tell the rollup the window was complete while most of it was spooled.
    expect(runPointsAfter).toEqual([0, 2]);
  });

  it("the run's own point tells the overflow and the replay apart", async () => {
    const got = await rows(target, 'SELECT "overflow_points", "replayed_points", "nodes_cut" FROM "heapless_run"');
    expect(got.map((r) => r['nodes_cut'])).toEqual([0, 0]);
    expect(got[0]?.['overflow_points']).toBe(slowRuns[0]?.stats.overflowPoints);
    expect(got[1]?.['replayed_points']).toBe(slowRuns[1]?.stats.replayedPoints);
  });
});

describe('InfluxDB slower than scraping, without a spool', () => {
  let c: Collected;
  let proxy: FaultProxy;
  let target: InfluxClient;
  let r: RunResult;
  beforeAll(async () => {
    c = await collected('slow_nospool', SIM);
    target = await freshDatabase('slow_nospool_target');
    proxy = await startFaultProxy(c.client.options.url);
    slowProxy(proxy, { slow: true });
    r = await c.run({ ...SLOW_ENV, INFLUX_URL: proxy.url, INFLUX_DB: target.options.db });
  });
  afterAll(() => Promise.all([c.stop(), proxy.stop()]));

  it('scraping waits for InfluxDB as before, and says so; the nodes the deadline cut fail the run', async () => {
    expect(r.stats.influxWaitMs).toBeGreaterThan(0);
    expect(r.stats.nodesCut).toBeGreaterThan(0);
    expect(r.stats.failures['deadline']).toBe(r.stats.nodesCut);
    // Before the fix: exit 0, and nothing but failed_deadline told of the nodes never scraped.
    expect(r.exitCode).toBe(1);
    const line = c.logs.find((l) => l['event'] === 'run');
    expect(line).toMatchObject({ nodesCut: r.stats.nodesCut });
    expect(String(line?.['spool'])).toMatch(/^off: scraping waits .* set SPOOL_DIR/);
    const skipped = c.logs.find((l) => l['event'] === 'nodes_skipped');
    expect(String(skipped?.['hint'])).toMatch(/waited \d+ ms for InfluxDB: set SPOOL_DIR/);
    const [run] = await rows(target, 'SELECT "nodes_cut", "failed_deadline" FROM "heapless_run"');
    expect(run).toMatchObject({ nodes_cut: r.stats.nodesCut, failed_deadline: r.stats.nodesCut });
  });
});
