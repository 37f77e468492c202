/**
 * @module query/routes/metrics-api
 * metrics.k8s.io/v1beta1 as metrics-server serves it (kubelet-and-apis.md §4), read from
 * InfluxDB: discovery, node and pod lists (labelSelector, fieldSelector) and single gets.
 * Labels come from the `labels` tag, so answering needs no Kubernetes API access at all.
 * Lists and node gets read the collector's usage snapshots (about one row per node); a pod get
 * reads that pod's own series (found by its tags); both fall back to the per-series
 * measurements when no snapshot is in the look-back (data written by an older collector).
 */
import { Hono, type Context } from 'hono';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { parseLabelSelector, matchesLabels, type LabelRequirement } from '#shared/query/label-selector';
import { fieldFilter, parseFieldSelector, type TagPredicate } from '#shared/query/field-selector';
import {
  API_GROUP,
  list,
  nodeItem,
  notFound,
  podItem,
  RESOURCE_LIST,
  single,
  type Built,
} from '#shared/query/metrics-objects';
import {
  foldNodes,
  foldPods,
  nodeUsageStatement,
  podUsageStatement,
  usageScope,
  type NodeUsage,
  type PodUsage,
} from '#shared/query/usage-query';
import {
  foldSnapshotNodes,
  foldSnapshotPods,
  nodenamePredicates,
  snapshotStatement,
} from '#shared/query/usage-snapshot-query';
import type { Scope } from '#shared/query/where';
import { objectName } from '#shared/query/validate';

const BASE = '/apis/metrics.k8s.io/v1beta1';
const NODE_FIELDS = { 'metadata.name': 'nodename' };
/** spec.nodeName is an addition: metrics-server reads it as "" (so it selects nothing there). */
const POD_FIELDS = { 'metadata.name': 'pod_name', 'metadata.namespace': 'namespace_name', 'spec.nodeName': 'nodename' };

type Json = Record<string, unknown>;

export function metricsApiRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.get('/apis/metrics.k8s.io', (c) => c.json(API_GROUP));
  app.get(BASE, (c) => c.json(RESOURCE_LIST));
  app.get(`${BASE}/nodes`, (c) => listNodes(c, deps));
  app.get(`${BASE}/nodes/:name`, (c) => getNode(c, deps));
  app.get(`${BASE}/pods`, (c) => listPods(c, deps, undefined));
  app.get(`${BASE}/namespaces/:namespace/pods`, (c) =>
    listPods(c, deps, objectName('namespace', c.req.param('namespace'))),
  );
  app.get(`${BASE}/namespaces/:namespace/pods/:name`, (c) => getPod(c, deps));
  return app;
}

interface ListFilter {
  labels: LabelRequirement[];
  /** undefined: the field selector can match nothing. */
  predicates: TagPredicate[] | undefined;
}

/** Both selectors are validated before anything is queried, so a bad one is always a 400. */
function listFilter(c: Context, fields: Record<string, string>): ListFilter {
  const labels = parseLabelSelector('labelSelector', c.req.query('labelSelector'));
  const filter = fieldFilter(
    'fieldSelector',
    parseFieldSelector('fieldSelector', c.req.query('fieldSelector')),
    fields,
  );
  return { labels, predicates: filter.none ? undefined : filter.predicates };
}

function built(deps: QueryDeps, nowMs: number): Built {
  return { nowMs, window: { fixedMs: deps.settings.metricsWindow, intervalMs: deps.settings.interval } };
}

async function nodeItems(c: Context, deps: QueryDeps, predicates: TagPredicate[]): Promise<Json[]> {
  const nowMs = deps.now();
  const scope = usageScope(nowMs, deps.settings.interval, deps.settings.clusterName);
  const nodes = await nodeUsage(c, deps, predicates, scope);
  const b = built(deps, nowMs);
  return present(nodes.map((n) => nodeItem(n, b)));
}

/** `single`: one pod named by namespace and name, cheaper from its own series than from every snapshot. */
async function podItems(c: Context, deps: QueryDeps, predicates: TagPredicate[], single = false): Promise<Json[]> {
  const nowMs = deps.now();
  const scope = usageScope(nowMs, deps.settings.interval, deps.settings.clusterName);
  const pods = await podUsage(c, deps, predicates, scope, single);
  const b = built(deps, nowMs);
  return present(pods.map((p) => podItem(p, b)));
}

async function nodeUsage(c: Context, deps: QueryDeps, predicates: TagPredicate[], scope: Scope): Promise<NodeUsage[]> {
  const snapshots = foldSnapshotNodes(await runStatement(c, deps, snapshotStatement('nodes', predicates, scope)));
  return snapshots ?? foldNodes(await runStatement(c, deps, nodeUsageStatement(predicates, scope)));
}

async function podUsage(
  c: Context,
  deps: QueryDeps,
  predicates: TagPredicate[],
  scope: Scope,
  single: boolean,
): Promise<PodUsage[]> {
  const snapshots = single
    ? undefined
    : foldSnapshotPods(
        await runStatement(c, deps, snapshotStatement('pods', nodenamePredicates(predicates), scope)),
        predicates,
      );
  return snapshots ?? foldPods(await runStatement(c, deps, podUsageStatement(predicates, scope)));
}

function present(items: Array<Json | undefined>): Json[] {
  return items.filter((i): i is Json => i !== undefined);
}

function byLabels(items: Json[], reqs: LabelRequirement[]): Json[] {
  if (reqs.length === 0) return items;
  return items.filter((item) =>
    matchesLabels(reqs, ((item['metadata'] as Json)['labels'] ?? {}) as Record<string, string>),
  );
}

async function listNodes(c: Context, deps: QueryDeps): Promise<Response> {
  const f = listFilter(c, NODE_FIELDS);
  const items = f.predicates ? byLabels(await nodeItems(c, deps, f.predicates), f.labels) : [];
  return c.json(list('NodeMetricsList', items));
}

async function getNode(c: Context, deps: QueryDeps): Promise<Response> {
  const name = objectName('name', c.req.param('name'));
  const [item] = await nodeItems(c, deps, [{ tag: 'nodename', negated: false, value: name }]);
  return item ? c.json(single('NodeMetrics', item)) : c.json(notFound('nodemetrics', name), 404);
}

async function listPods(c: Context, deps: QueryDeps, namespace: string | undefined): Promise<Response> {
  const f = listFilter(c, POD_FIELDS);
  if (!f.predicates) return c.json(list('PodMetricsList', []));
  const scoped =
    namespace === undefined
      ? f.predicates
      : [{ tag: 'namespace_name', negated: false, value: namespace }, ...f.predicates];
  return c.json(list('PodMetricsList', byLabels(await podItems(c, deps, scoped), f.labels)));
}

async function getPod(c: Context, deps: QueryDeps): Promise<Response> {
  const namespace = objectName('namespace', c.req.param('namespace'));
  const name = objectName('name', c.req.param('name'));
  const [item] = await podItems(
    c,
    deps,
    [
      { tag: 'namespace_name', negated: false, value: namespace },
      { tag: 'pod_name', negated: false, value: name },
    ],
    true,
  );
  return item ? c.json(single('PodMetrics', item)) : c.json(notFound('podmetrics', name), 404);
}
