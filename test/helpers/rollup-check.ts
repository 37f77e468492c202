/**
 * @module test/helpers/rollup-check
 * The rollup tests' shared parts: a run against the suite's influxd at a given time, simulated
 * collection, and the truth check: every rollup point of a level against the raw points it covers
 * (mean, max, last and count), for every family.
 */
import { expect } from 'vitest';
import { createLogger } from '#shared/log';
import type { InfluxClient } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { isMetricMeasurement, metricOf, rollupField } from '#shared/families/rollup';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup, type RollupResult } from '#shared/rollup/run';
import type { Collected } from '#test/helpers/collected';

export const MIN = 60_000;
export const HOUR = 60 * MIN;

export type Schema = 'heapster' | 'withfields';

export function rollupEnv(c: Collected, extra: Record<string, string> = {}): Record<string, string> {
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

/** One run at `nowMs`, whatever its outcome; `logs` receives its log lines, parsed. */
export async function rollupRun(
  c: Collected,
  nowMs: number,
  extra: Record<string, string> = {},
  logs: Array<Record<string, unknown>> = [],
): Promise<RollupResult> {
  const log = createLogger({ fn: 'rollup', level: 'info', sink: (l) => logs.push(JSON.parse(l)) });
  return runRollup(readRollupConfig(rollupEnv(c, extra)), { log, now: () => nowMs });
}

/** One run at `nowMs` that must succeed and not be cut. */
export async function rollup(c: Collected, nowMs: number, extra: Record<string, string> = {}): Promise<RollupResult> {
  const result = await rollupRun(c, nowMs, extra);
  expect(result.exitCode).toBe(0);
  // A run cut by its deadline leaves its range to the next; these tests compare complete runs.
  expect(result.stats.cut).toBe(false);
  return result;
}

/** Collects every minute of simulated time for `minutes`, from the simulator's current time. */
export async function collectFor(c: Collected, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i++) {
    const r = await c.run();
    expect(r.exitCode).toBe(0);
    c.sim.clock.advance(60);
  }
}

export interface Raw {
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
export async function seriesRows(client: InfluxClient, q: string): Promise<Row[]> {
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
export async function metricFields(client: InfluxClient, schema: Schema): Promise<Array<[string, string[]]>> {
  const [fields] = await client.query(`SHOW FIELD KEYS FROM ${ident('heapless')}./.*/`);
  return (fields?.series ?? [])
    .filter((s) => isMetricMeasurement(s.name as string, schema))
    .map((s) => [
      s.name as string,
      s.values.filter((v) => v[1] === 'integer' || v[1] === 'float').map((v) => v[0] as string),
    ]);
}

/** Raw points of every metric field, keyed by measurement, field and tags; shard partial sums summed. */
export async function rawPoints(client: InfluxClient, schema: Schema): Promise<Map<string, Raw[]>> {
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
export async function checkLevel(
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
