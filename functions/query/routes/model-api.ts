/**
 * @module query/routes/model-api
 * Heapster's model API (heapster.md §4.1) from InfluxDB: names of nodes, namespaces, pods and
 * containers present in the last collections; metric names per object; metric points between
 * `start` (default `end` − MODEL_WINDOW) and `end` (default now), floats rounded to their unit
 * (query/model-points).
 */
import { Hono, type Context } from 'hono';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { labelPairs, objectName, objectNames } from '#shared/query/validate';
import { metricParam, metricPointsAnswer, pretty, rangeScope } from '#shared/query/model-points';
import {
  childNamesStatement,
  foldGroupNames,
  foldNames,
  foldPodList,
  metricNamesStatement,
  metricStatement,
  podListStatement,
  type ModelObject,
} from '#shared/query/model-query';
import { usageScope } from '#shared/query/usage-query';
import type { Scope } from '#shared/query/where';
import { checkPoints, limitPoints } from '#shared/query/bounds';
import { runResolved } from '#shared/query/resolved';

const BASE = '/api/v1/model';
/** go-restful's `{metric-name:*}`: metric names contain slashes. */
const METRIC = ':metric{.+}';

type ObjectOf = (c: Context) => ModelObject;

const cluster: ObjectOf = () => ({ type: 'cluster' });
const node: ObjectOf = (c) => ({ type: 'node', nodename: objectName('node', c.req.param('node')) });
const freeContainer: ObjectOf = (c) => ({
  type: 'sys_container',
  nodename: objectName('node', c.req.param('node')),
  container_name: objectName('container', c.req.param('container')),
});
const namespace: ObjectOf = (c) => ({ type: 'ns', namespace_name: objectName('namespace', c.req.param('namespace')) });
const podKey = (c: Context) => ({
  namespace_name: objectName('namespace', c.req.param('namespace')),
  pod_name: objectName('pod', c.req.param('pod')),
});
const pod: ObjectOf = (c) => ({ type: 'pod', ...podKey(c) });
const podContainer: ObjectOf = (c) => ({
  type: 'pod_container',
  ...podKey(c),
  container_name: objectName('container', c.req.param('container')),
});

export function modelApiRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  const objects: Array<[string, ObjectOf]> = [
    ['', cluster],
    ['/nodes/:node', node],
    ['/nodes/:node/freecontainers/:container', freeContainer],
    ['/namespaces/:namespace', namespace],
    ['/namespaces/:namespace/pods/:pod', pod],
    ['/namespaces/:namespace/pods/:pod/containers/:container', podContainer],
  ];
  for (const [path, objectOf] of objects) {
    app.get(`${BASE}${path}/metrics`, (c) => metricNames(c, deps, objectOf(c)));
    app.get(`${BASE}${path}/metrics/${METRIC}`, (c) => metricPoints(c, deps, objectOf(c)));
  }
  app.get(`${BASE}/nodes`, (c) => children(c, deps, 'node', {}, 'nodename'));
  app.get(`${BASE}/nodes/:node/freecontainers`, (c) =>
    children(c, deps, 'sys_container', { nodename: objectName('node', c.req.param('node')) }, 'container_name'),
  );
  app.get(`${BASE}/namespaces`, (c) => children(c, deps, 'pod', {}, 'namespace_name'));
  app.get(`${BASE}/namespaces/:namespace/pods`, (c) =>
    children(c, deps, 'pod', { namespace_name: objectName('namespace', c.req.param('namespace')) }, 'pod_name'),
  );
  app.get(`${BASE}/namespaces/:namespace/pods/:pod/containers`, (c) =>
    children(c, deps, 'pod_container', podKey(c), 'container_name'),
  );
  app.get(`${BASE}/namespaces/:namespace/pod-list/:pods/metrics/${METRIC}`, (c) => podList(c, deps));
  return app;
}

async function metricNames(c: Context, deps: QueryDeps, o: ModelObject): Promise<Response> {
  const result = await runStatement(c, deps, metricNamesStatement(o, deps.settings.clusterName));
  return pretty(c, foldNames(result));
}

async function metricPoints(c: Context, deps: QueryDeps, o: ModelObject): Promise<Response> {
  const metric = metricParam(c);
  const labels = labelPairs('labels', c.req.query('labels'));
  return metricPointsAnswer(c, deps, o.type, metric, (s) => metricStatement(o, metric, labels, s));
}

/** Names present in the latest collections (the look-back of metrics.k8s.io). */
async function children(
  c: Context,
  deps: QueryDeps,
  type: ModelObject['type'],
  conditions: Record<string, string>,
  key: string,
): Promise<Response> {
  const scope = usageScope(deps.now(), deps.settings.interval, deps.settings.clusterName);
  const result = await runStatement(c, deps, childNamesStatement(type, conditions, key, scope));
  return pretty(c, foldGroupNames(result, key));
}

async function podList(c: Context, deps: QueryDeps): Promise<Response> {
  const ns = objectName('namespace', c.req.param('namespace'));
  const pods = objectNames('pods', c.req.param('pods'));
  const metric = metricParam(c);
  const labels = labelPairs('labels', c.req.query('labels'));
  const max = deps.settings.queryMaxPoints;
  const statement = (s: Scope): string => limitPoints(podListStatement(ns, pods, metric, labels, s), max);
  const result = await runResolved(c, deps, rangeScope(c, deps), 'pod', statement);
  checkPoints(result, max, 'start', 'ask for a shorter range from start to end, or fewer pods');
  return c.json({ items: foldPodList(result, pods, metric) });
}
