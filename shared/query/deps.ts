/**
 * @module query/deps
 * What the routes need: InfluxDB, a clock, the settings they read, the logger and the metrics.
 * Passed explicitly so tests build the app over a test database and a simulated clock.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { QueryResult } from '#shared/influx/client';
import { InfluxError } from '#shared/errors';
import type { Logger } from '#shared/log';
import type { QueryConfig } from '#shared/query/settings';
import type { QueryMetrics } from '#shared/query/self-metrics';

/** The two calls the service makes; InfluxClient has both. */
export interface InfluxQuerier {
  query(q: string): Promise<QueryResult[]>;
  ping(): Promise<boolean>;
}

export type ServiceSettings = Pick<
  QueryConfig,
  | 'interval'
  | 'clusterName'
  | 'metricsWindow'
  | 'modelApi'
  | 'modelWindow'
  | 'dashboardApi'
  | 'dashboardWindow'
  | 'queryMaxPoints'
  | 'influxRetention'
  | 'rollupLevels'
  | 'rollupTypes'
  | 'queryPointsPerSeries'
>;

export interface QueryDeps {
  influx: InfluxQuerier;
  settings: ServiceSettings;
  log: Logger;
  /** Epoch ms; the simulated cluster's clock in tests. */
  now: () => number;
  metrics: QueryMetrics;
  /** Serve metrics.k8s.io (the HTTPS listener does; the plain-HTTP one does not). */
  metricsApi: boolean;
  /** True once SIGTERM arrived: /readyz then fails so the Service stops sending traffic. */
  draining: () => boolean;
  /**
   * Runs before every API route (not the probes or /metrics, which the kubelet calls without
   * credentials): request authentication and authorization (query/auth/guard).
   */
  guard?: MiddlewareHandler;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by a handler that answers an error itself, for the errors metric (e.g. `auth_unavailable`). */
    failureReason: string;
    /**
     * Set by the guard on a route that lists across namespaces (right-sizing's cluster-wide list)
     * when the caller may not list pods at the cluster scope: the route answers only the
     * namespaces `allowed` says yes to, and `refusal` (the cluster-scope 403's message) when none.
     */
    namespaceScope: NamespaceScope;
  }
}

export interface NamespaceScope {
  /** Whether the caller may list pods in `namespace` (a SubjectAccessReview, cached). */
  allowed(namespace: string): Promise<boolean>;
  refusal: string;
}

/**
 * Runs one request's InfluxQL and records how long InfluxDB took, by route pattern. A database
 * the collector has not created yet holds no data: the answer is empty, not an error.
 */
export async function runStatement(c: Context, deps: QueryDeps, statement: string): Promise<QueryResult | undefined> {
  const started = performance.now();
  try {
    const [result] = await deps.influx.query(statement);
    return result;
  } catch (err) {
    if (err instanceof InfluxError && /database not found/.test(err.message)) return undefined;
    throw err;
  } finally {
    deps.metrics.influxLatency.observe({ route: routePath(c) }, (performance.now() - started) / 1000);
  }
}
