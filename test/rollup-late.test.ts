/**
 * Points that arrive after the rollup did their windows, against the real influxd and the
 * simulated cluster: the collector's spool replayed after an outage, and an OOM kill stamped back
 * at its time. In both cases every rollup point then equals the raw points it covers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOutage, type Outage } from '#test/helpers/dead-port';
import { ident } from '#shared/influx/influxql';
import { firstLateWindow } from '#shared/rollup/late';
import { dueWindows, parseLevels } from '#shared/rollup/levels';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { checkLevel, collectFor, HOUR, MIN, rawPoints, rollup } from '#test/helpers/rollup-check';

/** The raw cluster points and what heapless_5m says it covers (value_count), over [from, to). */
async function clusterCounts(c: Collected, fromMs: number, toMs: number): Promise<{ raw: number; rolled: number }> {
  const range = `"type" = 'cluster' AND time >= ${fromMs}ms AND time < ${toMs}ms`;
  const [raw] = await rows(c.client, `SELECT count("value") FROM "heapless"."memory/usage" WHERE ${range}`);
  const [rolled] = await rows(c.client, `SELECT sum("value_count") FROM "heapless_5m"."memory/usage" WHERE ${range}`);
  return { raw: Number(raw?.['count'] ?? 0), rolled: Number(rolled?.['sum'] ?? 0) };
}

describe('late points in the rollups', () => {
  let c: Collected;
  let start: number;
  let outage: Outage | undefined;

  beforeAll(async () => {
    // Collection starts well before now: the raw policy (7 days) keeps it, and windows are due.
    start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    c = await collected('rollup_late', { nodes: 2, podsPerNode: 2, namespaces: 2, startTimeMs: start });
    // InfluxDB unreachable for the collector, for part of each test.
    outage = await startOutage('heapless-late-spool-');
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
    await outage?.close();
  });

  it('a 15-minute outage replayed after the rollup did its windows: every window equals the raw truth', async () => {
    // Prepare: 30 minutes collected and rolled up.
    await collectFor(c, 30);
    await rollup(c, start + 33 * MIN);
    // A 15-minute outage for the collector (its points go to the spool) while the rollup goes on
    // and marks the outage's windows done.
    for (let i = 0; i < 15; i++) {
      const r = await c.run(outage!.env);
      expect(r.stats.spooledPoints).toBeGreaterThan(0);
      c.sim.clock.advance(60);
    }
    await rollup(c, start + 48 * MIN);
    // InfluxDB is back: the next run replays the spool, and 20 more minutes are collected.
    const back = await c.run({ SPOOL_DIR: outage!.spoolDir });
    expect(back.stats.replayedPoints).toBeGreaterThan(0);
    c.sim.clock.advance(60);
    await collectFor(c, 19);
    expect(await clusterCounts(c, start + 30 * MIN, start + 45 * MIN)).toEqual({ raw: 15, rolled: 0 });

    // Act
    const after = await rollup(c, start + 68 * MIN);

    // Assess: the replayed points are in the outage's 5-minute windows and in the hour, and every
    // rollup point equals the raw points it covers; the run says where it found them.
    expect(await clusterCounts(c, start + 30 * MIN, start + 45 * MIN)).toEqual({ raw: 15, rolled: 15 });
    const raw = await rawPoints(c.client, 'heapster');
    expect(
      await checkLevel(c.client, 'heapster', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs: start + 65 * MIN }),
    ).toBeGreaterThan(0);
    expect(
      await checkLevel(c.client, 'heapster', raw, 'heapless_1h', HOUR, { fromMs: start, toMs: start + HOUR }),
    ).toBeGreaterThan(0);
    expect(after.stats.lateFromMs).toBe(start + 30 * MIN);
    expect(after.stats.rewound).toBeGreaterThan(0);
    // Once redone, nothing is late any more: the next run sets nothing back.
    const again = await rollup(c, start + 73 * MIN);
    expect(again.stats).toMatchObject({ rewound: 0 });
    expect(again.stats.lateFromMs).toBeUndefined();
    // 66 collect runs and 5 rollups: past the default minute on a loaded machine.
  }, 300_000);

  it('an OOM kill the collector first sees 20 minutes later, after its window was rolled up, is in the window', async () => {
    // Prepare: one kill seen at once, so the rollup has done restart/oom_kill up to now.
    const [first, second] = c.sim.truth.nodes[0]!.pods;
    c.sim.clock.advance(10 * 60);
    c.sim.restartContainer(first!.namespace, first!.name, first!.containers[0]!.name);
    await collectFor(c, 5);
    await rollup(c, c.sim.clock.nowMs() + 3 * MIN);
    // A second container is OOM-killed, but no collect run sees it for 20 minutes (the API
    // server was down, say) while the rollup does the kill's window.
    const killedAt = c.sim.clock.nowMs();
    const windowMs = Math.floor(killedAt / (5 * MIN)) * 5 * MIN;
    c.sim.restartContainer(second!.namespace, second!.name, second!.containers[0]!.name);
    c.sim.clock.advance(20 * 60);
    await rollup(c, windowMs + 10 * MIN);
    // Act: the next run writes the kill at its time, 20 minutes back; then the rollup runs.
    await collectFor(c, 5);
    const result = await rollup(c, c.sim.clock.nowMs() + 3 * MIN);
    // Assess
    expect(result.exitCode).toBe(0);
    const kills = await rows(
      c.client,
      `SELECT "value_count" FROM "heapless_5m".${ident('restart/oom_kill')} WHERE time >= ${windowMs}ms AND time < ${windowMs + 5 * MIN}ms`,
    );
    expect(kills.map((k) => [k['time'], k['value_count']])).toEqual([[windowMs, 1]]);
    const raw = await rawPoints(c.client, 'heapster');
    const toMs = Math.floor(c.sim.clock.nowMs() / (5 * MIN)) * 5 * MIN;
    expect(
      await checkLevel(c.client, 'heapster', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs }),
    ).toBeGreaterThan(0);
  }, 300_000);
});

describe('which windows are redone (pure)', () => {
  const [five] = parseLevels('5m:30d');
  const now = 100 * HOUR + 7 * MIN;
  const due = { nowMs: now, delayMs: 2 * MIN, maxWindows: 2, backfillMs: HOUR };

  it('a measurement holding OOM kills redoes the hour and a window before its progress; the new windows stay bounded', () => {
    const done = 100 * HOUR - 10 * MIN;
    expect(dueWindows(five!, done, due)).toEqual({ fromMs: done, toMs: done + 10 * MIN });
    expect(dueWindows(five!, done, { ...due, redoMs: HOUR })).toEqual({
      fromMs: 99 * HOUR,
      toMs: done + 10 * MIN,
    });
    // Nothing new due: still the redo; never done: the backfill, as for any measurement.
    expect(dueWindows(five!, 100 * HOUR + 5 * MIN, { ...due, redoMs: HOUR })).toEqual({
      fromMs: 99 * HOUR,
      toMs: 100 * HOUR + 5 * MIN,
    });
    expect(dueWindows(five!, undefined, { ...due, redoMs: HOUR })).toEqual(dueWindows(five!, undefined, due));
  });

  it('a window is late when it holds more collect runs than the ledger saw; fewer (retention) or no ledger is not', () => {
    const m = (entries: Array<[number, number]>): Map<number, number> => new Map(entries);
    expect(firstLateWindow({ now: m([[0, 5]]), seen: m([]) })).toBeUndefined();
    expect(
      firstLateWindow({
        now: m([
          [0, 5],
          [300_000, 5],
          [600_000, 5],
        ]),
        seen: m([
          [0, 5],
          [600_000, 2],
        ]),
      }),
    ).toBe(300_000);
    expect(
      firstLateWindow({
        now: m([[300_000, 5]]),
        seen: m([
          [0, 5],
          [300_000, 5],
        ]),
      }),
    ).toBeUndefined();
  });
});
