/**
 * @module query-ops.test
 * Operations of the query service through `app.request`: probes, Prometheus self-metrics, one
 * log line per failed request, errors that leak nothing, and where authentication will go.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { answer, queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { freePort } from '#test/influxd/server';
import { InfluxClient } from '#shared/influx/client';
import type { QueryDeps } from '#shared/query/deps';
import { QueryMetrics } from '#shared/query/self-metrics';
import { createApp } from '../functions/query/app';

const NODES = '/apis/metrics.k8s.io/v1beta1/nodes';

let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('q_ops', { sim: { nodes: 2, podsPerNode: 2 } });
});
afterAll(() => f?.stop());

/** Deps whose InfluxDB answers nothing (a closed loopback port). */
async function unreachable(): Promise<QueryDeps> {
  const port = await freePort();
  return {
    ...f.deps,
    influx: new InfluxClient({ url: `http://127.0.0.1:${port}`, db: 'k8s', auth: {}, timeoutMs: 2_000 }),
  };
}

describe('probes', () => {
  it('/healthz and /livez answer ok; /readyz is ok only while InfluxDB answers and no SIGTERM came', async () => {
    expect(await f.get('/healthz')).toMatchObject({ status: 200, text: 'ok' });
    expect(await f.get('/livez')).toMatchObject({ status: 200, text: 'ok' });
    expect(await f.get('/readyz')).toMatchObject({ status: 200, text: 'ok' });
    expect((await answer(createApp(await unreachable()), '/readyz')).status).toBe(503);
    expect((await answer(createApp({ ...f.deps, draining: () => true }), '/readyz')).status).toBe(503);
  });
});

describe('errors and logs', () => {
  it('answers an unknown route with 404 (a Status under /apis) and logs one line per failed request only', async () => {
    const before = f.logs.length;
    await f.get(NODES);
    expect(f.logs.length).toBe(before);
    const plain = await f.get('/no/such/route');
    expect(plain).toMatchObject({ status: 404, json: { error: 'the server could not find the requested resource' } });
    const apis = await f.get('/apis/metrics.k8s.io/v1beta1/widgets');
    expect(apis.json).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    expect(f.logs.slice(before)).toEqual([
      expect.objectContaining({
        level: 'warn',
        fn: 'query',
        event: 'request_failed',
        route: 'unmatched',
        path: '/no/such/route',
        status: 404,
        reason: 'not_found',
      }),
      expect.objectContaining({ event: 'request_failed', path: '/apis/metrics.k8s.io/v1beta1/widgets', status: 404 }),
    ]);
  });

  it('answers 503 without internals when InfluxDB is unreachable, and logs the cause', async () => {
    const deps = await unreachable();
    const logs: Array<Record<string, unknown>> = [];
    const app = createApp({ ...deps, log: { ...deps.log, error: (event, fields) => logs.push({ event, ...fields }) } });
    for (const path of [NODES, '/api/v1/model/nodes', '/api/v1/dashboard/nodes/node-0/metrics/cpu/usage_rate']) {
      const a = await answer(app, path);
      expect(a.status).toBe(503);
      expect(a.text).toContain('the metrics storage is not answering');
      expect(a.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|InfluxError|at \w/);
    }
    expect(logs).toHaveLength(3);
    expect(String(logs[0]?.['error'])).toMatch(/ECONNREFUSED|connect/);
  });

  it('answers a refused statement (our bug) and any other failure with a bare 500', async () => {
    const client = f.collected.client;
    const broken = createApp({
      ...f.deps,
      influx: { ping: () => client.ping(), query: () => client.query('SELEC nonsense FROM') },
    });
    const a = await answer(broken, NODES);
    expect(a).toMatchObject({
      status: 500,
      json: { kind: 'Status', reason: 'InternalError', message: 'internal error', code: 500 },
    });
    expect(a.text).not.toMatch(/SELEC|parsing/);
    const thrown = createApp({
      ...f.deps,
      influx: {
        ping: async () => true,
        query: async () => {
          throw new TypeError('secret detail at /srv/x.ts:1');
        },
      },
    });
    const b = await answer(thrown, '/api/v1/model/nodes');
    expect(b).toMatchObject({ status: 500, json: { error: 'internal error' } });
  });

  it('treats a database the collector has not created yet as no data', async () => {
    const none = createApp({
      ...f.deps,
      influx: new InfluxClient({ url: inject('influxUrl'), db: 'never_created_db', auth: {}, timeoutMs: 5_000 }),
    });
    expect((await answer(none, NODES)).json.items).toEqual([]);
  });
});

describe('structure', () => {
  it('runs the guard (the future authentication) before every API route, not before probes or /metrics', async () => {
    const app = createApp({
      ...f.deps,
      guard: async (c, next) => (c.req.header('x-remote-user') ? next() : c.json({ error: 'unauthorized' }, 401)),
    });
    for (const path of [NODES, '/api/v1/model/nodes', '/api/v1/dashboard/nodes/node-0/metrics/cpu/x'])
      expect((await answer(app, path)).status, path).toBe(401);
    expect((await app.request(NODES, { headers: { 'x-remote-user': 'system:kube-aggregator' } })).status).toBe(200);
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await answer(app, path)).status, path).toBe(200);
  });
});

describe('/metrics', () => {
  it('counts requests, latency and errors by route pattern, never by raw path', async () => {
    const deps = { ...f.deps, metrics: new QueryMetrics() };
    const app = createApp(deps);
    await answer(app, NODES);
    await answer(app, `${NODES}/node-0`);
    await answer(app, `${NODES}/nope-xyz`);
    await answer(app, '/api/v1/model/nodes/bad%27name/metrics');
    await answer(app, '/unknown-abc');
    const { status, contentType, text } = await answer(app, '/metrics');
    expect(status).toBe(200);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('# TYPE heapless_query_requests_total counter');
    expect(text).toContain(`heapless_query_requests_total{route="${NODES}",method="GET",code="200"} 1`);
    expect(text).toContain(`heapless_query_requests_total{route="${NODES}/:name",method="GET",code="200"} 1`);
    expect(text).toContain(`heapless_query_requests_total{route="${NODES}/:name",method="GET",code="404"} 1`);
    expect(text).toContain(
      `heapless_query_errors_total{route="/api/v1/model/nodes/:node/metrics",reason="bad_request"} 1`,
    );
    expect(text).toContain(`heapless_query_errors_total{route="unmatched",reason="not_found"} 1`);
    expect(text).toContain(`heapless_query_request_duration_seconds_bucket{route="${NODES}/:name",le="+Inf"} 2`);
    expect(text).toMatch(new RegExp(`heapless_query_influx_duration_seconds_count\\{route="${NODES}"\\} 1`));
    expect(text).not.toMatch(/nope-xyz|bad'name|unknown-abc/);
  });
});
