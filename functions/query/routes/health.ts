/**
 * @module query/routes/health
 * Probes and self-metrics. `/healthz` and `/livez`: the process answers. `/readyz`: InfluxDB
 * answers its ping and no SIGTERM has arrived, so the Service only routes to a pod that can serve.
 * `/metrics`: Prometheus text.
 */
import { Hono } from 'hono';
import type { QueryDeps } from '#shared/query/deps';

export function healthRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/livez', (c) => c.text('ok'));
  app.get('/readyz', async (c) => {
    if (deps.draining()) return c.text('shutting down', 503);
    // The ping's own error stays internal; the probe only needs yes or no.
    return (await deps.influx.ping()) ? c.text('ok') : c.text('InfluxDB is not answering', 503);
  });
  app.get('/metrics', (c) =>
    c.body(deps.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  return app;
}
