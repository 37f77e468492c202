/**
 * @module test/helpers/query-fixture
 * The query service's app over a simulated cluster collected twice into a fresh database of the
 * suite's influxd, on the simulator's clock. Requests go through `app.request` (no port); the
 * service's log lines are captured. Without `auth` the app has no guard (tests about something
 * else); with it, the real guard delegates to the simulated API server (QUERY_AUTH=delegated).
 */
import type { Hono } from 'hono';
import { anyDayStartMs } from '#test/helpers/any-day';
import { collectedTwice, type Collected } from '#test/helpers/collected';
import type { SimOptions } from '#test/sim/cluster';
import type { InfluxClient } from '#shared/influx/client';
import { createLogger } from '#shared/log';
import type { QueryDeps } from '#shared/query/deps';
import { QueryMetrics } from '#shared/query/self-metrics';
import { readQueryConfig } from '#shared/query/settings';
import { startAuth, type QueryAuth } from '#shared/query/auth/setup';
import { createApp } from '../../functions/query/app';

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** Parsed body (undefined when it is not JSON). */
  json: any;
}

export interface QueryFixture {
  collected: Collected;
  app: Hono;
  deps: QueryDeps;
  /** With `auth: true`: the guard's state (refresh the ConfigMap, front-proxy CA). */
  auth?: QueryAuth;
  /** Log lines of the query service, parsed. */
  logs: Array<Record<string, unknown>>;
  get(path: string): Promise<Answer>;
  stop(): Promise<void>;
}

/**
 * The simulated clock's start: the wall clock's hour when the suite loads, so InfluxDB's retention
 * keeps every point on any day, and timestamps in assertions stay whole minutes.
 */
export const SIM_START_MS = anyDayStartMs();

export interface FixtureOptions {
  sim?: SimOptions;
  /** Collector settings, e.g. CLUSTER_NAME. */
  collectEnv?: Record<string, string>;
  /** Query-service settings, e.g. METRICS_WINDOW, MODEL_AUTH. */
  queryEnv?: Record<string, string>;
  /** Build the real guard from the settings, against the simulated API server. */
  auth?: boolean;
}

export async function queryFixture(name: string, opts: FixtureOptions = {}): Promise<QueryFixture> {
  const collected = await collectedTwice(name, { startTimeMs: SIM_START_MS, ...opts.sim }, opts.collectEnv);
  const logs: Array<Record<string, unknown>> = [];
  const deps = queryDeps(collected.client, () => collected.sim.clock.nowMs(), logs, {
    KUBECONFIG: collected.sim.kubeconfigPath,
    ...opts.queryEnv,
  });
  const auth = opts.auth
    ? await startAuth(readQueryConfig({ ...opts.queryEnv, KUBECONFIG: collected.sim.kubeconfigPath }), deps.log)
    : undefined;
  if (auth?.guard) deps.guard = auth.guard;
  const app = createApp(deps);
  const stop = async (): Promise<void> => {
    auth?.stop();
    await collected.stop();
  };
  return { collected, app, deps, ...(auth ? { auth } : {}), logs, get: (path) => answer(app, path), stop };
}

/** Deps over a database at a clock; `env` overrides settings (e.g. MODEL_API=false). */
export function queryDeps(
  client: InfluxClient,
  now: () => number,
  logs: Array<Record<string, unknown>>,
  env: Record<string, string> = {},
): QueryDeps {
  const settings = readQueryConfig({
    INFLUX_URL: client.options.url,
    INFLUX_DB: client.options.db,
    INTERVAL: '60s',
    ...env,
  });
  const log = createLogger({
    fn: 'query',
    level: 'debug',
    sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { influx: client, settings, log, now, metrics: new QueryMetrics(), metricsApi: true, draining: () => false };
}

export async function answer(app: Hono, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await app.request(path, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}
