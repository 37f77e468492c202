/**
 * @module query/routes/dashboard-api
 * The Dashboard's metrics-scraper routes (kubelet-and-apis.md §5): the last DASHBOARD_WINDOW of
 * CPU or memory per node, or per pod of one namespace, in the scraper's exact answer shape.
 */
import { Hono, type Context } from 'hono';
import type { QueryDeps } from '#shared/query/deps';
import { foldScraper, nodesStatement, podsStatement } from '#shared/query/dashboard-query';
import { metricName, objectName, objectNames } from '#shared/query/validate';
import type { Scope } from '#shared/query/where';
import { checkPoints, limitPoints } from '#shared/query/bounds';
import { runResolved } from '#shared/query/resolved';

const BASE = '/api/v1/dashboard';

export function dashboardApiRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  // {Whatever} is one ignored segment: the Dashboard asks for …/metrics/cpu/usage_rate.
  app.get(`${BASE}/nodes/:names/metrics/:metric/:whatever`, (c) => nodes(c, deps));
  app.get(`${BASE}/namespaces/:namespace/pod-list/:names/metrics/:metric/:whatever`, (c) =>
    pods(c, deps, objectName('namespace', c.req.param('namespace'))),
  );
  // An empty namespace segment means `default` to the scraper.
  app.get(`${BASE}/namespaces//pod-list/:names/metrics/:metric/:whatever`, (c) => pods(c, deps, 'default'));
  return app;
}

function scope(deps: QueryDeps): Scope {
  const endMs = deps.now();
  return { clusterName: deps.settings.clusterName, startMs: endMs - deps.settings.dashboardWindow, endMs };
}

/** The segment is echoed back as metricName, so it is validated like any metric name. */
function metricSegment(c: Context): string {
  metricName('whatever', c.req.param('whatever'));
  return metricName('metric', c.req.param('metric'));
}

async function nodes(c: Context, deps: QueryDeps): Promise<Response> {
  const names = objectNames('names', c.req.param('names'));
  const metric = metricSegment(c);
  const max = deps.settings.queryMaxPoints;
  const statement = (s: Scope): string => limitPoints(nodesStatement(names, metric, s), max);
  const result = await runResolved(c, deps, scope(deps), 'node', statement);
  checkPoints(result, max, 'names', 'ask for fewer nodes, or lower DASHBOARD_WINDOW');
  return c.json(foldScraper(result, 'nodename', names, metric));
}

async function pods(c: Context, deps: QueryDeps, namespace: string): Promise<Response> {
  const names = objectNames('names', c.req.param('names'));
  const metric = metricSegment(c);
  const max = deps.settings.queryMaxPoints;
  const statement = (s: Scope): string => limitPoints(podsStatement(namespace, names, metric, s), max);
  const result = await runResolved(c, deps, scope(deps), 'pod_container', statement);
  checkPoints(result, max, 'names', 'ask for fewer pods, or lower DASHBOARD_WINDOW');
  return c.json(foldScraper(result, 'pod_name', names, metric));
}
