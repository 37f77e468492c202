/**
 * @module query/routes/recommendations
 * Right-sizing (issue 25), under the model API and its guard:
 *   /api/v1/model/namespaces/{ns}/workloads/{kind}/{name}/recommendation?window=7d
 *   /api/v1/model/recommendations?window=7d[&namespace=ns][&format=text]
 * Without `?namespace=`, a caller who may not list pods at the cluster scope gets the workloads of
 * the namespaces they may list pods in.
 * Bare pods of a namespace are one workload: kind `Pod`, name `_bare`.
 */
import { Hono, type Context } from 'hono';
import type { QueryDeps } from '#shared/query/deps';
import { ParamError } from '#shared/query/errors';
import { objectName } from '#shared/query/validate';
import { readRecommendations, windowParam } from '#shared/query/recommend-read';
import { recommendationText } from '#shared/query/recommend-text';
import { narrowToNamespaces } from '#shared/query/auth/namespace-scope';

const WORKLOAD = '/api/v1/model/namespaces/:namespace/workloads/:kind/:name/recommendation';
const CLUSTER = '/api/v1/model/recommendations';

export function recommendationRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.get(WORKLOAD, async (c) => {
    const namespace = objectName('namespace', c.req.param('namespace'));
    const kind = objectName('kind', c.req.param('kind'));
    const name = objectName('name', c.req.param('name'));
    const window = windowParam(deps, c.req.query('window'));
    const set = await readRecommendations(c, deps, { namespaces: [namespace], kind, name, ...cluster(deps) }, window);
    const found = set.workloads.find((w) => w.kind === kind && (w.name === name || kind === 'Pod'));
    return pretty(c, { window: set.window, start: set.start, end: set.end, containers: found?.containers ?? [] });
  });
  app.get(CLUSTER, async (c) => {
    const raw = c.req.query('namespace');
    const namespaces = raw ? [objectName('namespace', raw)] : undefined;
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'text') throw new ParamError('format', 'expected json or text');
    const window = windowParam(deps, c.req.query('window'));
    const all = await readRecommendations(c, deps, { ...(namespaces ? { namespaces } : {}), ...cluster(deps) }, window);
    // A namespace-scoped caller gets the workloads of their own namespaces (query/auth/guard).
    const narrowed = await narrowToNamespaces(c, all.workloads, (w) => w.namespace);
    if ('error' in narrowed) return c.json({ error: narrowed.error }, narrowed.status);
    const set = { ...all, workloads: narrowed.items };
    if (format === 'text') return c.text(recommendationText(set));
    return pretty(c, set);
  });
  return app;
}

const cluster = (deps: QueryDeps) => ({ clusterName: deps.settings.clusterName });

/** The model API pretty-prints with a one-space indent, as Heapster did. */
function pretty(c: Context, body: unknown): Response {
  return c.body(JSON.stringify(body, null, 1), 200, { 'content-type': 'application/json' });
}
