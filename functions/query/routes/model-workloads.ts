/**
 * @module query/routes/model-workloads
 * The model API's workload level, in Heapster's URL style (heapless's addition):
 *   /api/v1/model/namespaces/{ns}/workloads                      → kinds present
 *   /api/v1/model/namespaces/{ns}/workloads/{kind}               → names of that kind
 *   /api/v1/model/namespaces/{ns}/workloads/{kind}/{name}/pods   → its pods
 *   /api/v1/model/namespaces/{ns}/workloads/{kind}/{name}/metrics[/{metric}]
 * Every path value is validated (400 naming the parameter) and then quoted.
 */
import { Hono, type Context } from 'hono';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { objectName } from '#shared/query/validate';
import { foldGroupNames, foldNames } from '#shared/query/model-query';
import { metricParam, metricPointsAnswer, pretty } from '#shared/query/model-points';
import { usageScope } from '#shared/query/usage-query';
import {
  workloadMetricNamesStatement,
  workloadMetricStatement,
  workloadNamesStatement,
  workloadPodsStatement,
  type WorkloadKey,
} from '#shared/query/workload-query';

const BASE = '/api/v1/model/namespaces/:namespace/workloads';
const METRIC = ':metric{.+}';

const namespaceOf = (c: Context): string => objectName('namespace', c.req.param('namespace'));
const kindOf = (c: Context): string => objectName('kind', c.req.param('kind'));
const workloadOf = (c: Context): Required<WorkloadKey> => ({
  namespace_name: namespaceOf(c),
  workload_kind: kindOf(c),
  workload_name: objectName('name', c.req.param('name')),
});

export function modelWorkloadRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  const recent = () => usageScope(deps.now(), deps.settings.interval, deps.settings.clusterName);
  app.get(BASE, async (c) => {
    const statement = workloadNamesStatement({ namespace_name: namespaceOf(c) }, 'workload_kind', recent());
    return pretty(c, foldGroupNames(await runStatement(c, deps, statement), 'workload_kind'));
  });
  app.get(`${BASE}/:kind`, async (c) => {
    const key = { namespace_name: namespaceOf(c), workload_kind: kindOf(c) };
    const result = await runStatement(c, deps, workloadNamesStatement(key, 'workload_name', recent()));
    return pretty(c, foldGroupNames(result, 'workload_name'));
  });
  app.get(`${BASE}/:kind/:name/pods`, async (c) => {
    const result = await runStatement(c, deps, workloadPodsStatement(workloadOf(c), recent()));
    return pretty(c, foldGroupNames(result, 'pod_name'));
  });
  app.get(`${BASE}/:kind/:name/metrics`, async (c) => {
    const statement = workloadMetricNamesStatement(workloadOf(c), deps.settings.clusterName);
    return pretty(c, foldNames(await runStatement(c, deps, statement)));
  });
  // The namespace route's rules: resolution by range, QUERY_MAX_POINTS, rounding, shape.
  app.get(`${BASE}/:kind/:name/metrics/${METRIC}`, (c) => {
    const key = workloadOf(c);
    const metric = metricParam(c);
    return metricPointsAnswer(c, deps, 'workload', metric, (s) => workloadMetricStatement(key, metric, s));
  });
  return app;
}
