/**
 * @module start/query
 * The query service (functions/query's app, settings and auth) in-process, on loopback ports
 * the system picks: plain HTTP for the page and the model API, and, on the simulator, HTTPS
 * registered with the simulated API server as the metrics.k8s.io backend (sim/aggregator), so
 * `kubectl top` goes API server → query service → InfluxDB as in a real cluster.
 * MODEL_AUTH defaults to `none` here (loopback only, warned at start) so the page opens without
 * a token; QUERY_AUTH stays `delegated` and is checked against the simulated API server.
 */
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { readInfluxAuth } from '#shared/config/common';
import { createLogger } from '#shared/log';
import { startAuth } from '#shared/query/auth/setup';
import type { QueryDeps } from '#shared/query/deps';
import { QueryMetrics } from '#shared/query/self-metrics';
import { closeAll, listen } from '#shared/query/server';
import { readQueryConfig } from '#shared/query/settings';
import { aggregate } from '#test/sim/aggregator';
import type { SimCluster } from '#test/sim/cluster';
import { type Lifecycle, quietWhen } from '#test/start/lifecycle';
import { createApp } from '../../functions/query/app';

export interface QueryService {
  /** `http://127.0.0.1:<port>`: the page, the model API, health. */
  httpUrl: string;
  /** HTTPS port behind the simulated aggregation layer; undefined on a real cluster. */
  aggregatedUrl?: string;
}

export async function startQuery(
  life: Lifecycle,
  env: Record<string, string | undefined>,
  sim: SimCluster | undefined,
): Promise<QueryService> {
  const config = readQueryConfig({ MODEL_AUTH: 'none', ...env, LISTEN_HOST: '127.0.0.1' });
  const log = quietWhen(
    () => life.stoppingNow,
    createLogger({
      fn: 'query',
      level: config.logLevel,
      secrets: [config.influxPassword, config.influxToken],
    }),
  );
  routePackageLogs(log);
  // On a real cluster metrics.k8s.io is not served here (its API server cannot reach this port).
  const auth = await startAuth(sim ? config : { ...config, queryAuth: 'none' }, log);
  life.onStop('query auth', () => auth.stop());
  const deps: QueryDeps = {
    influx: new InfluxClient({
      url: config.influxUrl,
      db: config.influxDb,
      auth: readInfluxAuth(config),
      timeoutMs: config.influxTimeout,
      maxSockets: 16,
    }),
    settings: config,
    log,
    now: Date.now,
    metrics: new QueryMetrics(),
    metricsApi: false,
    draining: () => life.stoppingNow,
    ...(auth.guard ? { guard: auth.guard } : {}),
  };
  const http = await life.step(
    'query service (http)',
    listen(createApp(deps), { port: 0, host: '127.0.0.1' }),
    (l) => () => closeAll([l], 1_000),
  );
  const httpUrl = `http://127.0.0.1:${http.port}`;
  if (!sim) return { httpUrl };
  const agg = await life.step(
    'query service (https, aggregated)',
    aggregate(sim, createApp({ ...deps, metricsApi: true })),
    (a) => () => a.stop(),
  );
  log.info('listening', {
    http: httpUrl,
    aggregated: agg.url,
    queryAuth: config.queryAuth,
    modelAuth: config.modelAuth,
  });
  return { httpUrl, aggregatedUrl: agg.url };
}
