/**
 * What one request may ask of the query service: bounded points and names (a pod list over a
 * long range cannot exhaust its memory), strictly valid times inside InfluxDB's range, and label
 * selectors that match labels only, never JavaScript's built-in property names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { anyDayStartMs, iso } from '#test/helpers/any-day';
import { answer, queryDeps, queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { freshDatabase, writeLines } from '#test/helpers/influx';
import { createApp } from '../functions/query/app';

describe('a model-API pod list over many pods and a long range is bounded by points', () => {
  const PODS = 20;
  const DAYS = 2;
  const END = anyDayStartMs();
  let app: Hono;
  let small: Hono;
  beforeAll(async () => {
    const client = await freshDatabase('q_limits');
    await client.ensureDatabase('INF');
    // The issue's case scaled down: 20 pods × 2 days of 1-minute points = 57,600 points.
    const lines: string[] = [];
    for (let t = END - DAYS * 86_400_000 + 60_000; t <= END; t += 60_000)
      for (let p = 0; p < PODS; p++)
        lines.push(`cpu/usage_rate,type=pod,namespace_name=big,pod_name=p${p} value=${p} ${t}`);
    for (let i = 0; i < lines.length; i += 10_000) await writeLines(client, lines.slice(i, i + 10_000));
    app = createApp(queryDeps(client, () => END, []));
    small = createApp(queryDeps(client, () => END, [], { QUERY_MAX_POINTS: '1000' }));
  });

  const list = Array.from({ length: PODS }, (_, i) => `p${i}`).join(',');
  const path = `/api/v1/model/namespaces/big/pod-list/${list}/metrics/cpu/usage_rate`;

  it('answers 400 naming the limit, with a small body, instead of every point since 2000', async () => {
    const r = await answer(app, `${path}?start=2000-01-01T00:00:00Z`); // any-day: a parameter, not a point
    // Before the fix: 200 with all 57,600 points.
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/start.*more than 50000 points \(QUERY_MAX_POINTS/);
    expect(r.text.length).toBeLessThan(1_000);
  });

  it('still answers the usual window (Heapster’s 15 minutes) in full', async () => {
    const r = await answer(app, path);
    expect(r.status).toBe(200);
    expect(r.json.items).toHaveLength(PODS);
    // Both ends are inclusive: 16 one-minute points.
    for (const item of r.json.items) expect(item.metrics).toHaveLength(16);
  });

  it('applies QUERY_MAX_POINTS to one object’s metric too', async () => {
    const one = `/api/v1/model/namespaces/big/pods/p3/metrics/cpu/usage_rate?start=${iso(END - DAYS * 86_400_000)}`;
    expect((await answer(app, one)).status).toBe(200);
    const r = await answer(small, one);
    expect(r.status).toBe(400);
    expect(r.text).toContain('more than 1000 points');
  });

  it('caps the number of names in one request', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => `p${i}`).join(',');
    const r = await answer(app, `/api/v1/model/namespaces/big/pod-list/${many}/metrics/cpu/usage_rate`);
    // Before the fix: up to 10,000 names were accepted.
    expect(r.status).toBe(400);
    expect(r.text).toContain('invalid parameter pods: expected at most 1000');
  });
});

describe('times are validated strictly and kept inside InfluxDB’s range', () => {
  let f: QueryFixture;
  beforeAll(async () => {
    f = await queryFixture('q_limits_sim', { sim: { nodes: 2, podsPerNode: 2 } });
  });
  afterAll(() => f?.stop());
  const metric = '/api/v1/model/nodes/node-0/metrics/cpu/usage_rate';

  it.each([
    ['start', 'start=2026-02-30T00:00:00Z', /invalid parameter start: expected a valid RFC 3339 time/], // any-day: a parameter, not a point
    ['start', 'start=2026-13-01T00:00:00Z', /invalid parameter start: expected a valid RFC 3339 time/], // any-day: a parameter, not a point
    ['end', 'end=2026-11-23T24:00:00Z', /invalid parameter end: expected a valid RFC 3339 time/], // any-day: a parameter, not a point
    ['start', 'start=1600-01-01T00:00:00Z', /invalid parameter start: expected a time from 1677-09-21/],
    ['end', 'end=9999-12-31T00:00:00Z', /invalid parameter end: expected a time from 1677-09-21/],
  ])('%s: %s is a 400 naming it', async (_param, query, message) => {
    // Before the fix: 2026-02-30 was read as 2026-03-02 (200); 1600 and 9999 reached InfluxQL (500).
    const r = await f.get(`${metric}?${query}`);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(message);
  });

  it('accepts a leap day and a time with an offset', async () => {
    expect((await f.get(`${metric}?start=2024-02-29T00:00:00%2B02:00`)).status).toBe(200); // any-day: a parameter, not a point
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'constructor=x'])(
    'labelSelector=%s selects no pod and no node',
    async (selector) => {
      const api = '/apis/metrics.k8s.io/v1beta1';
      for (const kind of ['pods', 'nodes']) {
        const r = await f.get(`${api}/${kind}?labelSelector=${encodeURIComponent(selector)}`);
        // Before the fix: every pod and node matched (their labels object inherits these names).
        expect(r.status).toBe(200);
        expect(r.json.items).toEqual([]);
      }
      const all = await f.get(`${api}/pods?labelSelector=${encodeURIComponent(`!${selector.split('=')[0]}`)}`);
      expect(all.json.items.length).toBe(4);
    },
  );

  it('labelSelector=__proto__ is a 400 (not a label key), and fieldSelector=constructor=x selects nothing', async () => {
    const api = '/apis/metrics.k8s.io/v1beta1';
    const proto = await f.get(`${api}/pods?labelSelector=__proto__`);
    expect(proto.status).toBe(400);
    expect(proto.text).toContain('invalid parameter labelSelector');
    const field = await f.get(`${api}/pods?fieldSelector=constructor%3Dx`);
    expect(field.status).toBe(200);
    expect(field.json.items).toEqual([]);
  });
});
