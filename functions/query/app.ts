/**
 * @module query/app
 * The query service as a Hono app: probes and /metrics, then the API groups that are switched
 * on. One middleware counts and times every request by route pattern and logs each failure as
 * one JSON line; one error handler turns everything into a JSON answer that leaks nothing.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { InfluxError } from '#shared/errors';
import type { QueryDeps } from '#shared/query/deps';
import { failure } from '#shared/query/metrics-objects';
import { healthRoutes } from './routes/health';
import { metricsApiRoutes } from './routes/metrics-api';
import { modelApiRoutes } from './routes/model-api';
import { modelWorkloadRoutes } from './routes/model-workloads';
import { recommendationRoutes } from './routes/recommendations';
import { dashboardApiRoutes } from './routes/dashboard-api';
import { uiRoutes } from './routes/ui';
import { uiEventsRoutes } from './routes/ui-events';
import { uiUsageRoutes } from './routes/ui-usage';

/**
 * @param deps InfluxDB, clock, settings, logger, metrics; `metricsApi` and the settings'
 *   MODEL_API / DASHBOARD_API decide which groups exist (a disabled group answers 404).
 * @example const app = createApp(deps); const res = await app.request('/apis/metrics.k8s.io/v1beta1/nodes');
 */
export function createApp(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.use('*', observe(deps));
  app.route('/', healthRoutes(deps));
  app.use('/api/*', privateAnswer());
  app.use('/apis/*', privateAnswer());
  if (deps.guard) {
    app.use('/apis/*', deps.guard);
    app.use('/api/*', deps.guard);
  }
  if (deps.metricsApi) app.route('/', metricsApiRoutes(deps));
  if (deps.settings.modelApi) app.route('/', recommendationRoutes(deps));
  if (deps.settings.modelApi) app.route('/', modelWorkloadRoutes(deps));
  if (deps.settings.modelApi) app.route('/', modelApiRoutes(deps));
  // The page reads the model API: it exists where the model API does.
  if (deps.settings.modelApi)
    app.route('/', uiEventsRoutes(deps)).route('/', uiUsageRoutes(deps)).route('/', uiRoutes());
  if (deps.settings.dashboardApi) app.route('/', dashboardApiRoutes(deps));
  app.notFound((c) => errorAnswer(c, 404, 'NotFound', 'the server could not find the requested resource'));
  app.onError((err, c) => answerError(err, c));
  return app;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REASONS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  500: 'internal',
  503: 'influx_unavailable',
};
/** Paths can be attacker-sized; the log keeps enough to recognise the request. */
const MAX_LOGGED_PATH = 256;

function observe(deps: QueryDeps): MiddlewareHandler {
  return async function observeRequest(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeLabel(c);
    const status = c.res.status;
    const method = METHODS.has(c.req.method) ? c.req.method : 'other';
    deps.metrics.requests.inc({ route, method, code: String(status) });
    deps.metrics.latency.observe({ route }, seconds);
    if (status < 400) return;
    const reason =
      (c.get('failureReason') as string | undefined) ??
      REASONS[status] ??
      (status < 500 ? 'client_error' : 'server_error');
    deps.metrics.errors.inc({ route, reason });
    const fields = {
      method,
      route,
      path: c.req.path.slice(0, MAX_LOGGED_PATH),
      status,
      reason,
      durationMs: Math.round(seconds * 1000),
      ...(c.error ? { error: c.error } : {}),
    };
    if (status >= 500) deps.log.error('request_failed', fields);
    else deps.log.warn('request_failed', fields);
  };
}

/**
 * API answers hold what the caller's token allowed: no cache (a browser's or a proxy's) may keep
 * one for someone else, and no browser may read JSON as another type. Errors included.
 */
function privateAnswer(): MiddlewareHandler {
  return async function noStore(c, next) {
    await next();
    c.res.headers.set('cache-control', 'no-store');
    c.res.headers.set('x-content-type-options', 'nosniff');
  };
}

/** The matched route pattern; `unmatched` when only middleware matched (a 404). */
function routeLabel(c: Context): string {
  const path = routePath(c, -1);
  return path.endsWith('*') ? 'unmatched' : path;
}

function answerError(err: Error, c: Context): Response {
  if (err instanceof HTTPException && err.status < 500)
    return errorAnswer(c, err.status, err.status === 400 ? 'BadRequest' : 'Invalid', err.message);
  // A statement InfluxDB refused is our bug (500); anything else from it means it is unreachable.
  if (err instanceof InfluxError && !refusedStatement(err))
    return errorAnswer(c, 503, 'ServiceUnavailable', 'the metrics storage is not answering; try again later');
  return errorAnswer(c, 500, 'InternalError', 'internal error');
}

function refusedStatement(err: InfluxError): boolean {
  return err.status === 400 || err.message.startsWith('InfluxQL error:');
}

/**
 * metrics.k8s.io answers errors as Kubernetes Status objects (kubectl prints their message);
 * the other APIs as `{"error": "…"}`.
 */
function errorAnswer(c: Context, status: ContentfulStatusCode, reason: string, message: string): Response {
  const body = c.req.path.startsWith('/apis/') ? failure(status, reason, message) : { error: message };
  return c.json(body, status);
}
