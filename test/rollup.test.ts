/**
 * The rollup function against the real influxd: hours of simulated collection, rolled up, and
 * every rollup point checked against the raw points it covers (mean, max, last and count), for
 * every family and level; missed runs caught up in bounded steps; a repeated window rewritten
 * identically; the shard partial sums summed before they are rolled up; both modes equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident } from '#shared/influx/influxql';
import type { RollupResult } from '#shared/rollup/run';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { checkLevel, collectFor, HOUR, MIN, rawPoints, rollup } from '#test/helpers/rollup-check';

describe('rollup', () => {
  let c: Collected;
  let start: number;
  const hours = 3;

  beforeAll(async () => {
    // Three hours of collection, ending well before now: InfluxDB keeps them (7-day raw policy).
    start = Math.floor((Date.now() - 4 * HOUR) / HOUR) * HOUR;
    c = await collected('rollup', { nodes: 2, podsPerNode: 2, namespaces: 2, startTimeMs: start });
    await collectFor(c, hours * 60);
  }, 600_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('every 5-minute and 1-hour point equals the mean, max or last of the raw points it covers', async () => {
    const end = start + hours * HOUR;
    const result = await rollup(c, end + 10 * MIN);
    // The backfill reaches before the first collection; both levels cover every collected window.
    const [five, hour] = result.stats.levels;
    expect(five?.level).toBe('5m');
    expect(five!.fromMs).toBeLessThanOrEqual(start);
    expect(five!.toMs).toBeGreaterThanOrEqual(end);
    expect(hour).toMatchObject({ level: '1h', toMs: end, windows: 4 });
    const raw = await rawPoints(c.client, 'heapster');
    const measurements = new Set([...raw.keys()].map((k) => k.split('|')[0]));
    expect(measurements.size).toBeGreaterThan(30);
    const fiveMin = await checkLevel(c.client, 'heapster', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs: end });
    const hourly = await checkLevel(c.client, 'heapster', raw, 'heapless_1h', HOUR, { fromMs: start, toMs: end });
    expect(fiveMin).toBeGreaterThan(hourly * 10);
    expect(hourly).toBeGreaterThan(0);
  });

  it('a repeated run changes nothing; a window redone is rewritten with the same points', async () => {
    const end = start + hours * HOUR;
    const count = async (): Promise<unknown> =>
      (await rows(c.client, `SELECT count(*) FROM ${ident('heapless_5m')}./cpu.*/`)).map((r) => JSON.stringify(r));
    const before = await count();
    const again = await rollup(c, end + 10 * MIN);
    expect(again.stats.points).toBe(0);
    // Nothing due: not one statement reaches InfluxDB.
    expect(again.stats.levels.map((l) => l.statements)).toEqual([0, 0]);
    // Forget the progress: the next run redoes every window and overwrites them point for point.
    await c.client.query(`DROP MEASUREMENT ${ident('heapless_rollup')}`);
    const redo = await rollup(c, end + 10 * MIN);
    expect(redo.stats.points).toBeGreaterThan(0);
    expect(await count()).toEqual(before);
  });

  it('the retention policies are created beside the raw one, which keeps its duration', async () => {
    const [res] = await c.client.query(`SHOW RETENTION POLICIES ON ${ident(c.client.options.db)}`, { db: null });
    const byName = Object.fromEntries((res?.series?.[0]?.values ?? []).map((r) => [r[0], [r[1], r[4]]]));
    expect(byName['heapless']).toEqual(['168h0m0s', true]);
    expect(byName['heapless_5m']).toEqual(['720h0m0s', false]);
    expect(byName['heapless_1h']).toEqual(['9600h0m0s', false]);
  });

  it('ROLLUP_TYPES rolls up only the object types named, with the same points for those', async () => {
    const end = start + hours * HOUR;
    const byType = async (): Promise<Map<string, string[]>> => {
      const [res] = await c.client.query(`SELECT count(*) FROM ${ident('heapless_5m')}./.*/ GROUP BY ${ident('type')}`);
      const out = new Map<string, string[]>();
      for (const s of res?.series ?? []) {
        const type = s.tags?.['type'];
        // The progress points (heapless_rollup) have no type.
        if (type) out.set(type, [...(out.get(type) ?? []), JSON.stringify(s)]);
      }
      return out;
    };
    const all = await byType();
    expect([...all.keys()]).toEqual(expect.arrayContaining(['node', 'pod', 'pod_container', 'ns', 'cluster']));
    for (const rp of ['heapless_5m', 'heapless_1h'])
      await c.client.query(`DROP RETENTION POLICY ${ident(rp)} ON ${ident(c.client.options.db)}`, { db: null });
    await rollup(c, end + 10 * MIN, { ROLLUP_TYPES: 'node,ns' });
    const some = await byType();
    expect([...some.keys()].sort()).toEqual(['node', 'ns']);
    expect(some.get('node')).toEqual(all.get('node'));
    expect(some.get('ns')).toEqual(all.get('ns'));
  });
});

describe('rollup catching up, sharded, in both modes and schemas', () => {
  it('catches up a missed hour in bounded steps; shard partial sums are summed first; copy equals into', async () => {
    const start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    const c = await collected(
      'rollup_sharded',
      { nodes: 4, podsPerNode: 2, namespaces: 2, startTimeMs: start },
      { SHARD_COUNT: '2', INFLUX_SCHEMA: 'withfields' },
    );
    try {
      const env = { INFLUX_SCHEMA: 'withfields', ROLLUP_BACKFILL: '10m', ROLLUP_MAX_WINDOWS: '4' };
      for (let minute = 0; minute < 100; minute++) {
        for (const shard of ['0', '1']) expect((await c.run({ SHARD_INDEX: shard })).exitCode).toBe(0);
        c.sim.clock.advance(60);
        // The rollup runs every 5 minutes for the first 30 minutes, then misses more than an hour.
        if (minute % 5 === 4 && minute < 30) await rollup(c, c.sim.clock.nowMs() + 2 * MIN, env);
      }
      const end = start + 100 * MIN;
      const runs: RollupResult[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await rollup(c, end + 10 * MIN, env);
        runs.push(r);
        expect(r.stats.levels[0]!.windows).toBeLessThanOrEqual(4);
        if (r.stats.levels.every((l) => l.windows === 0)) break;
      }
      expect(runs.length).toBeGreaterThan(3);
      const raw = await rawPoints(c.client, 'withfields');
      expect([...raw.keys()].some((k) => k.includes('type=ns'))).toBe(true);
      await checkLevel(c.client, 'withfields', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs: end });
      await checkLevel(c.client, 'withfields', raw, 'heapless_1h', HOUR, { fromMs: start, toMs: start + HOUR });
      // The shard partial sums were summed: no rolled-up series keeps a shard tag.
      const [rolled] = await c.client.query(`SELECT * FROM ${ident('heapless_5m')}./.*/ GROUP BY *`);
      expect(rolled?.series?.some((x) => x.tags?.['type'] === 'ns')).toBe(true);
      expect(rolled?.series?.filter((x) => x.tags?.['shard'])).toEqual([]);
      // The copy mode (query, then write back) stores the same points as INTO.
      const snapshot = async (): Promise<Array<Record<string, unknown>>> =>
        rows(c.client, `SELECT * FROM ${ident('heapless_5m')}.${ident('cpu')} GROUP BY *`);
      const viaInto = await snapshot();
      await c.client.query(`DROP RETENTION POLICY ${ident('heapless_5m')} ON ${ident(c.client.options.db)}`, {
        db: null,
      });
      await c.client.query(`DROP RETENTION POLICY ${ident('heapless_1h')} ON ${ident(c.client.options.db)}`, {
        db: null,
      });
      const copy = await rollup(c, end + 10 * MIN, {
        ...env,
        ROLLUP_MODE: 'copy',
        ROLLUP_MAX_WINDOWS: '100',
        ROLLUP_BACKFILL: '3h',
      });
      expect(copy.stats.points).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(viaInto);
    } finally {
      await c.stop();
    }
  }, 600_000);
});
