/**
 * The rollup function against the real influxd: hours of simulated collection, rolled up, and
 * every rollup point checked against the raw points it covers (mean, max, last and count), for
 * every family and level; missed runs caught up in bounded steps; a repeated window rewritten
 * identically; the shard partial sums summed before they are rolled up; both modes equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/log';
import type { InfluxClient } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { isMetricMeasurement, metricOf, rollupField } from '#shared/families/rollup';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup, type RollupResult } from '#shared/rollup/run';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';

const MIN = 60_000;
const HOUR = 60 * MIN;

type Schema = 'heapster' | 'withfields';

function rollupEnv(c: Collected, extra: Record<string, string> = {}): Record<string, string> {
  return {
    INFLUX_URL: c.client.options.url,
    INFLUX_DB: c.client.options.db,
    ROLLUP_BACKFILL: '4h',
    ROLLUP_MAX_WINDOWS: '100',
    // Generous: a loaded CI machine must not cut a run these tests then compare.
    RUN_DEADLINE: '30m',
    ...extra,
  };
}

async function rollup(c: Collected, nowMs: number, extra: Record<string, string> = {}): Promise<RollupResult> {
  const log = createLogger({ fn: 'rollup', level: 'error', sink: () => {} });
  const result = await runRollup(readRollupConfig(rollupEnv(c, extra)), { log, now: () => nowMs });
  expect(result.exitCode).toBe(0);
  // A run cut by its deadline leaves its range to the next; these tests compare complete runs.
  expect(result.stats.cut).toBe(false);
  return result;
}

/** Collects every minute of simulated time for `minutes`, from the simulator's current time. */
async function collectFor(c: Collected, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    const r = await c.run();
    expect(r.exitCode).toBe(0);
    c.sim.clock.advance(60);
  }
}

interface Raw {
  key: string;
  time: number;
  value: number;
}

interface Row {
  tags: string;
  time: number;
  values: Record<string, unknown>;
}

/** Rows of one statement, with their series' tags as one sorted `k=v,…` string (`shard` left out). */
async function seriesRows(client: InfluxClient, q: string): Promise<Row[]> {
  const [result] = await client.query(q);
  return (result?.series ?? []).flatMap((s) => {
    const tags = Object.entries(s.tags ?? {})
      .filter(([k, v]) => k !== 'shard' && v !== '')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return s.values.map((v) => ({
      tags,
      time: v[0] as number,
      values: Object.fromEntries(s.columns.map((c, i) => [c, v[i]])),
    }));
  });
}

/** Metric measurements of the raw policy and their numeric fields. */
async function metricFields(client: InfluxClient, schema: Schema): Promise<Array<[string, string[]]>> {
  const [fields] = await client.query(`SHOW FIELD KEYS FROM ${ident('heapless')}./.*/`);
  return (fields?.series ?? [])
    .filter((s) => isMetricMeasurement(s.name as string, schema))
    .map((s) => [
      s.name as string,
      s.values.filter((v) => v[1] === 'integer' || v[1] === 'float').map((v) => v[0] as string),
    ]);
}

/** Raw points of every metric field, keyed by measurement, field and tags; shard partial sums summed. */
async function rawPoints(client: InfluxClient, schema: Schema): Promise<Map<string, Raw[]>> {
  const out = new Map<string, Raw[]>();
  for (const [m, fields] of await metricFields(client, schema)) {
    const data = await seriesRows(client, `SELECT * FROM ${ident('heapless')}.${ident(m)} GROUP BY *`);
    for (const field of fields) {
      const sums = new Map<string, Raw>();
      for (const row of data) {
        const v = row.values[field];
        if (typeof v !== 'number') continue;
        const key = `${m}|${field}|${row.tags}`;
        const at = `${key}@${row.time}`;
        sums.set(at, { key, time: row.time, value: (sums.get(at)?.value ?? 0) + v });
      }
      for (const p of sums.values()) out.set(p.key, [...(out.get(p.key) ?? []), p]);
    }
  }
  return out;
}

interface Expected {
  sum: number;
  max: number;
  last: number;
  lastTime: number;
  count: number;
}

/** Every rollup point of `rp` against the raw points in its window: the whole check of one level. */
async function checkLevel(
  client: InfluxClient,
  schema: Schema,
  raw: Map<string, Raw[]>,
  rp: string,
  windowMs: number,
  range: { fromMs: number; toMs: number },
): Promise<number> {
  const expected = new Map<string, Expected>();
  for (const [key, points] of raw) {
    for (const p of points) {
      if (p.time < range.fromMs || p.time >= range.toMs) continue;
      const id = `${key}@${Math.floor(p.time / windowMs) * windowMs}`;
      const e = expected.get(id) ?? { sum: 0, max: -Infinity, last: 0, lastTime: -1, count: 0 };
      e.sum += p.value;
      e.max = Math.max(e.max, p.value);
      if (p.time > e.lastTime) Object.assign(e, { last: p.value, lastTime: p.time });
      e.count++;
      expected.set(id, e);
    }
  }
  let checked = 0;
  const seen = new Set<string>();
  const inRange = `WHERE time >= ${timeLiteral(range.fromMs)} AND time < ${timeLiteral(range.toMs)}`;
  for (const [m, fields] of await metricFields(client, schema)) {
    const data = await seriesRows(client, `SELECT * FROM ${ident(rp)}.${ident(m)} ${inRange} GROUP BY *`);
    for (const field of fields) {
      const rule = rollupField(metricOf(m, field, schema), field);
      for (const row of data) {
        const count = row.values[`${field}_count`];
        if (typeof count !== 'number') continue;
        const id = `${m}|${field}|${row.tags}@${row.time}`;
        const e = expected.get(id);
        expect(e, `raw points for rollup ${rp} ${id}`).toBeDefined();
        if (!e) continue;
        seen.add(id);
        expect(count, id).toBe(e.count);
        const main = rule.main === 'mean' ? e.sum / e.count : e.last;
        expect(row.values[field] as number, `${rule.main} ${id}`).toBeCloseTo(main, 6);
        if (rule.max) expect(row.values[`${field}_max`], `max ${id}`).toBe(e.max);
        else expect(row.values[`${field}_max`] ?? null, id).toBeNull();
        checked++;
      }
    }
  }
  // Every raw window has its rollup point: nothing covered is missing.
  const missing = [...expected.keys()].filter((id) => !seen.has(id));
  expect(missing.slice(0, 5)).toEqual([]);
  return checked;
}

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
