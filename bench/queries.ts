/**
 * @module bench/queries
 * Query-side timings against the collected data, through the query service's own app (auth
 * off, no port: routing, InfluxDB, folding and JSON, not TLS): the all-pods list kubectl top
 * pod -A asks for, one pod, and one node metric of the model API. Each figure is the median of
 * three requests in ms; `pods` is how many the list returned.
 */
import type { Hono } from 'hono';
import { InfluxClient } from '#shared/influx/client';
import { silentLogger } from '#shared/log';
import { QueryMetrics } from '#shared/query/self-metrics';
import { readQueryConfig } from '#shared/query/settings';
import { createApp } from '../functions/query/app';

const API = '/apis/metrics.k8s.io/v1beta1';
const TRIES = 3;

export async function measureQueries(influxUrl: string, db: string): Promise<Record<string, number> | undefined> {
  const client = new InfluxClient({ url: influxUrl, db, auth: {}, timeoutMs: 120_000, maxSockets: 16 });
  const lastMs = await latestRun(client);
  if (lastMs === undefined) return undefined;
  // Answer as of just after the last run, however long ago the bench wrote it.
  const app = benchApp(client, () => lastMs + 1_000);
  const list = await timed(app, `${API}/pods`);
  const items = (JSON.parse(list.body) as { items: Array<{ metadata: { name: string; namespace: string } }> }).items;
  const pod = items[0]?.metadata;
  const node = await firstNode(app);
  if (!pod || !node) return undefined;
  return {
    podsListMs: list.medianMs,
    pods: items.length,
    podGetMs: (await timed(app, `${API}/namespaces/${pod.namespace}/pods/${pod.name}`)).medianMs,
    modelNodeMetricMs: (await timed(app, `/api/v1/model/nodes/${node}/metrics/cpu/usage_rate`)).medianMs,
  };
}

/**
 * The query service's app over `client` as the bench reads it: auth off, every API on, a fixed
 * clock (`now`), nothing logged.
 */
export function benchApp(client: InfluxClient, now: () => number): Hono {
  const settings = readQueryConfig({
    INFLUX_URL: client.options.url,
    INFLUX_DB: client.options.db,
    INTERVAL: '60s',
    QUERY_AUTH: 'none',
    MODEL_AUTH: 'none',
  });
  return createApp({
    influx: client,
    settings,
    log: silentLogger,
    now,
    metrics: new QueryMetrics(),
    metricsApi: true,
    draining: () => false,
  });
}

/** Time (epoch ms) of the newest node CPU point. */
async function latestRun(client: InfluxClient): Promise<number | undefined> {
  const [result] = await client.query(`SELECT last("value") FROM "cpu/usage_rate" WHERE "type" = 'node'`);
  const time = result?.series?.[0]?.values[0]?.[0];
  return typeof time === 'number' ? time : undefined;
}

async function firstNode(app: Hono): Promise<string | undefined> {
  const res = await app.request(`${API}/nodes`);
  const body = (await res.json()) as { items?: Array<{ metadata: { name: string } }> };
  return body.items?.[0]?.metadata.name;
}

/** The whole answer, body read, TRIES times; the median in ms and the last body. */
async function timed(app: Hono, path: string): Promise<{ medianMs: number; body: string }> {
  const ms: number[] = [];
  let body = '';
  for (let i = 0; i < TRIES; i++) {
    const started = performance.now();
    const res = await app.request(path);
    body = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: Math.round(ms[Math.floor(TRIES / 2)] as number), body };
}
