/**
 * The model and scraper APIs choose the resolution by range, against the real influxd: three
 * hours of simulated collection at 60 s, rolled up by the real rollup, then short ranges answered
 * from the raw points, long ones from the 5-minute or hourly level, and a range older than the raw
 * retention from a rollup, each value checked against the raw points it covers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '#shared/log';
import { ident, literal } from '#shared/influx/influxql';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';
import { collected, type Collected } from '#test/helpers/collected';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { rows } from '#test/helpers/influx';
import { createApp } from '../functions/query/app';

const MIN = 60_000;
const HOUR = 60 * MIN;
const M = '/api/v1/model';

let c: Collected;
/** First collection (aligned to the hour) and the query service's now, three hours later. */
let start: number;
let end: number;

beforeAll(async () => {
  start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
  end = start + 3 * HOUR;
  c = await collected('q_rollup_read', { nodes: 1, podsPerNode: 2, namespaces: 1, startTimeMs: start });
  // The simulator's gauges are constant; the working sets of node-0 and pod-0-0 move every minute
  // so a 5-minute mean differs from the raw points it covers.
  const node = c.sim.truth.nodes[0]!;
  const pod = node.pods.find((p) => p.name === 'pod-0-0')!;
  const moving = [node, pod, ...pod.containers].map((u) => ({ u, base: u.memory.workingSetBytes }));
  for (let i = 0; i < 180; i++) {
    for (const { u, base } of moving) u.memory.workingSetBytes = base + ((i * 7) % 11) * 1_048_576;
    expect((await c.run()).exitCode).toBe(0);
    c.sim.clock.advance(60);
  }
  const env = {
    INFLUX_URL: c.client.options.url,
    INFLUX_DB: c.client.options.db,
    ROLLUP_BACKFILL: '4h',
    ROLLUP_MAX_WINDOWS: '100',
  };
  const log = createLogger({ fn: 'rollup', level: 'error', sink: () => {} });
  const rolled = await runRollup(readRollupConfig(env), { log, now: () => end + 3 * MIN });
  expect(rolled.exitCode).toBe(0);
}, 600_000);

afterAll(async () => {
  await c?.stop();
});

/** The query service at `end`, with extra settings. */
function get(path: string, env: Record<string, string> = {}) {
  const logs: Array<Record<string, unknown>> = [];
  const app = createApp(queryDeps(c.client, () => end, logs, { MODEL_AUTH: 'none', ...env }));
  return answer(app, path);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Raw points of one series of the default (raw) policy, oldest first. */
async function raw(measurement: string, tags: Record<string, string>): Promise<Array<[number, number]>> {
  const conds = Object.entries(tags).map(([k, v]) => `${ident(k)} = ${literal(v)}`);
  const q = `SELECT ${ident('value')} FROM ${ident('heapless')}.${ident(measurement)} WHERE ${conds.join(' AND ')}`;
  return (await rows(c.client, q)).map((r) => [r['time'] as number, r['value'] as number]);
}

/** Mean of the raw points in each window starting in [fromMs, toMs]. */
function means(points: Array<[number, number]>, windowMs: number, fromMs: number, toMs: number) {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const [t, v] of points) {
    const w = Math.floor(t / windowMs) * windowMs;
    if (w < fromMs || w > toMs) continue;
    const s = sums.get(w) ?? { sum: 0, n: 0 };
    sums.set(w, { sum: s.sum + v, n: s.n + 1 });
  }
  return [...sums].sort((a, b) => a[0] - b[0]).map(([t, s]) => ({ t, mean: s.sum / s.n }));
}

interface Point {
  timestamp: string;
  value: number;
}

function expectMeans(got: Point[], expected: Array<{ t: number; mean: number }>): void {
  expect(got.map((p) => p.timestamp.replace('.000Z', 'Z'))).toEqual(
    expected.map((e) => iso(e.t).replace('.000Z', 'Z')),
  );
  // A mean of bytes is answered in whole bytes (query/round).
  got.forEach((p, i) => {
    expect(Number.isInteger(p.value)).toBe(true);
    expect(Math.abs(p.value - expected[i]!.mean)).toBeLessThanOrEqual(0.5 + 1e-6);
  });
}

const NODE = { type: 'node', nodename: 'node-0' };

describe('model API: resolution by range', () => {
  it('the last 15 minutes are the raw points, 60 s apart', async () => {
    const points = (await raw('memory/working_set', NODE)).filter(([t]) => t >= end - 15 * MIN);
    expect(points).toHaveLength(15);
    const res = await get(`${M}/nodes/node-0/metrics/memory/working_set`);
    expect(res.status).toBe(200);
    const got = res.json.metrics as Point[];
    expect(got.map((p) => Date.parse(p.timestamp))).toEqual(points.map(([t]) => t));
    expect(got.map((p) => p.value)).toEqual(points.map(([, v]) => v));
    // The values move over time: a mean of them differs from a single point.
    expect(new Set(got.map((p) => p.value)).size).toBeGreaterThan(1);
  });

  it('a range too long for the raw points at the points-per-series target reads the 5-minute level', async () => {
    const points = await raw('memory/working_set', NODE);
    const res = await get(`${M}/nodes/node-0/metrics/memory/working_set?start=${iso(start)}&end=${iso(end)}`, {
      QUERY_POINTS_PER_SERIES: '100',
    });
    expect(res.status).toBe(200);
    const got = res.json.metrics as Point[];
    expect(got).toHaveLength(36);
    expect(Date.parse(got[1]!.timestamp) - Date.parse(got[0]!.timestamp)).toBe(5 * MIN);
    expectMeans(got, means(points, 5 * MIN, start, end));
    const rawValues = new Set(points.map(([, v]) => v));
    expect(got.filter((p) => !rawValues.has(p.value)).length).toBeGreaterThan(20);
  });

  it('past every level’s points-per-series target, the coarsest (hourly) level', async () => {
    const points = await raw('memory/working_set', NODE);
    const res = await get(`${M}/nodes/node-0/metrics/memory/working_set?start=${iso(start)}&end=${iso(end)}`, {
      QUERY_POINTS_PER_SERIES: '10',
    });
    const got = res.json.metrics as Point[];
    expect(got).toHaveLength(3);
    expectMeans(got, means(points, HOUR, start, end));
  });

  it('a start older than the raw retention reads a rollup, for one pod and the pod list', async () => {
    const from = end - 2 * HOUR + 2 * MIN;
    const to = end - 90 * MIN;
    const env = { INFLUX_RETENTION: '1h' };
    const pod = { type: 'pod', namespace_name: 'ns-0', pod_name: 'pod-0-0' };
    const expected = means(await raw('memory/working_set', pod), 5 * MIN, from - 2 * MIN, to);
    // The window holding the start is read too: 10:00 … 10:30 for a start of 10:02.
    expect(expected).toHaveLength(7);
    const range = `start=${iso(from)}&end=${iso(to)}`;
    const one = await get(`${M}/namespaces/ns-0/pods/pod-0-0/metrics/memory/working_set?${range}`, env);
    expectMeans(one.json.metrics, expected);
    const list = await get(`${M}/namespaces/ns-0/pod-list/pod-0-0,pod-0-1/metrics/memory/working_set?${range}`, env);
    expect(list.status).toBe(200);
    expectMeans(list.json.items[0].metrics, expected);
    expect(list.json.items[1].metrics).toHaveLength(7);
    // With the default 7-day raw retention the same range is served raw, minute by minute.
    const rawOne = await get(`${M}/namespaces/ns-0/pods/pod-0-0/metrics/memory/working_set?${range}`);
    expect(rawOne.json.metrics).toHaveLength(29);
  });

  it('a type the rollup does not keep (ROLLUP_TYPES) is read raw whatever the range; a kept one from its level', async () => {
    const env = { QUERY_POINTS_PER_SERIES: '100', ROLLUP_TYPES: 'node,ns,workload,cluster,sys_container' };
    const range = `start=${iso(start)}&end=${iso(end)}`;
    const points = await raw('memory/working_set', { type: 'pod', namespace_name: 'ns-0', pod_name: 'pod-0-0' });
    expect(points).toHaveLength(180);
    const one = await get(`${M}/namespaces/ns-0/pods/pod-0-0/metrics/memory/working_set?${range}`, env);
    expect(one.status).toBe(200);
    expect((one.json.metrics as Point[]).map((p) => [Date.parse(p.timestamp), p.value])).toEqual(points);
    const list = await get(`${M}/namespaces/ns-0/pod-list/pod-0-0/metrics/memory/working_set?${range}`, env);
    expect(list.json.items[0].metrics).toHaveLength(180);
    // The same range for a node: its 5-minute rollup.
    const node = await get(`${M}/nodes/node-0/metrics/memory/working_set?${range}`, env);
    expect(node.json.metrics).toHaveLength(36);
  });

  it('QUERY_MAX_POINTS still bounds the answer after the choice', async () => {
    const res = await get(`${M}/nodes/node-0/metrics/cpu/usage_rate?start=${iso(start)}&end=${iso(end)}`, {
      QUERY_POINTS_PER_SERIES: '100',
      QUERY_MAX_POINTS: '100',
    });
    expect(res.status).toBe(200);
    const tooMany = await get(`${M}/nodes/node-0/metrics/cpu/usage_rate?start=${iso(start)}&end=${iso(end)}`, {
      QUERY_MAX_POINTS: '100',
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatch(/QUERY_MAX_POINTS/);
  });
});

describe('model API: a workload follows the namespace route’s rules', () => {
  const ns = `${M}/namespaces/ns-0`;
  /** The workload of the pod whose working set moves, and its raw series' tags. */
  const workload = () => {
    const w = c.sim.truth.nodes[0]!.pods.find((p) => p.name === 'pod-0-0')!.workload!;
    return {
      path: `${ns}/workloads/${w.kind}/${w.name}`,
      tags: { type: 'workload', namespace_name: 'ns-0', workload_kind: w.kind, workload_name: w.name },
    };
  };

  it('QUERY_MAX_POINTS: a 125-minute range at 100 points is a 400 for both', async () => {
    const range = `start=${iso(end - 125 * MIN)}&end=${iso(end)}`;
    // A namespace keeps no working set; both keep memory/usage.
    for (const o of [ns, workload().path]) {
      const r = await get(`${o}/metrics/memory/usage?${range}`, { QUERY_MAX_POINTS: '100' });
      // Before the fix: the workload answered 200 with 126 raw points.
      expect(r.status, o).toBe(400);
      expect(r.json.error, o).toMatch(/invalid parameter start: .*more than 100 points \(QUERY_MAX_POINTS/);
    }
  });

  it('a long range reads the 5-minute level, as the namespace does: the workload’s 5-minute means', async () => {
    const { path, tags } = workload();
    const range = `start=${iso(start)}&end=${iso(end)}`;
    const env = { QUERY_POINTS_PER_SERIES: '100' };
    const nsPoints = (await get(`${ns}/metrics/memory/usage?${range}`, env)).json.metrics as Point[];
    const res = await get(`${path}/metrics/memory/working_set?${range}`, env);
    expect(res.status).toBe(200);
    const got = res.json.metrics as Point[];
    // Before the fix: 180 raw points.
    expect(got).toHaveLength(36);
    expect(got.map((p) => p.timestamp)).toEqual(nsPoints.map((p) => p.timestamp));
    expectMeans(got, means(await raw('memory/working_set', tags), 5 * MIN, start, end));
  });

  it('a start older than the raw retention reads a rollup, as the namespace does', async () => {
    const { path, tags } = workload();
    const from = end - 2 * HOUR + 2 * MIN;
    const to = end - 90 * MIN;
    const range = `start=${iso(from)}&end=${iso(to)}`;
    const got = await get(`${path}/metrics/memory/working_set?${range}`, { INFLUX_RETENTION: '1h' });
    expectMeans(got.json.metrics, means(await raw('memory/working_set', tags), 5 * MIN, from - 2 * MIN, to));
    expect(got.json.metrics).toHaveLength(7);
  });
});

describe('scraper API: resolution by DASHBOARD_WINDOW', () => {
  const path = '/api/v1/dashboard/nodes/node-0/metrics/memory/whatever';

  it('the default window is the raw points, as the scraper stored them', async () => {
    const points = (await raw('memory/working_set', NODE)).filter(([t]) => t >= end - 15 * MIN);
    const res = await get(path);
    const got = res.json.items[0].metricPoints as Point[];
    expect(got.map((p) => Date.parse(p.timestamp))).toEqual(points.map(([t]) => t));
    expect(got.map((p) => p.value)).toEqual(points.map(([, v]) => Math.round(v)));
  });

  it('a window older than the raw retention is served from the 5-minute level in the same shape', async () => {
    const points = await raw('memory/working_set', NODE);
    const res = await get(path, { DASHBOARD_WINDOW: '3h', INFLUX_RETENTION: '1h' });
    expect(res.status).toBe(200);
    const item = res.json.items[0];
    expect(item).toMatchObject({ dataPoints: [], metricName: 'memory', uids: ['node-0'] });
    const expected = means(points, 5 * MIN, start, end);
    expect(expected).toHaveLength(36);
    expect(new Set(expected.map((e) => e.mean)).size).toBeGreaterThan(1);
    expect(item.metricPoints).toEqual(
      expected.map((e) => ({ timestamp: iso(e.t).replace('.000Z', 'Z'), value: Math.round(e.mean) })),
    );
  });
});
