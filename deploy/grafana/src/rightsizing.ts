/**
 * @module deploy/grafana/rightsizing
 * "Right-sizing": the query service's recommendation figures (README "Right-sizing") per workload
 * and container over the dashboard's range, read from the raw points: the p95 of the 5-minute
 * mean CPU over pods and windows, the largest working set and its × 1.15, the current requests,
 * and OOM kills. InfluxDB's percentile() is nearest rank rounded to the closest rank, so its p95
 * can sit one window above the service's ⌈0.95·n⌉-th; the service's route is the reference.
 */
import { CLUSTER, equals, matches } from './influxql';
import { clusterVariable, DashboardBuilder, datasourceVariable, tagVariable, type Json } from './panels';

const NS = matches('namespace_name', 'namespace');
const WORKLOAD = ['namespace_name', 'workload_kind', 'workload_name', 'container_name'].map((t) => `"${t}"`).join(', ');
const CONTAINERS = [equals('type', 'pod_container'), CLUSTER, NS, '$timeFilter'].join(' AND ');

/** Per workload container over the range; `select` names its columns with AS. */
function byContainer(select: string, measurement: string, extra: readonly string[] = []): string {
  return `SELECT ${select} FROM "${measurement}" WHERE ${[CONTAINERS, ...extra].join(' AND ')} GROUP BY ${WORKLOAD}`;
}

export function rightSizingDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-rightsizing',
      title: 'Kubernetes / Right-sizing (heapless)',
      description:
        'Recommended requests per workload container over the range: CPU p95 of 5-minute means, memory max working set × 1.15 (README "Right-sizing").',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER], { all: true, multi: true }),
    ],
  );
  const windows =
    `SELECT mean("value") AS "v" FROM "cpu/usage_rate" WHERE ${CONTAINERS} AND "sampled" != 'true'` +
    ` GROUP BY time(5m), "pod_name", ${WORKLOAD} fill(none)`;
  d.row('CPU (millicores)')
    .rawTable({ title: 'CPU: p95 of 5-minute means, and requests', w: 12 }, [
      {
        query: `SELECT percentile("v", 95) AS "p95", count("v") AS "windows" FROM (${windows}) WHERE $timeFilter GROUP BY ${WORKLOAD}`,
      },
      { query: byContainer('last("value") AS "request"', 'cpu/request') },
      { query: byContainer('last("value") AS "limit"', 'cpu/limit') },
    ])
    .rawTable({ title: 'Memory: largest working set, × 1.15, and requests (bytes)', w: 12 }, [
      {
        query: byContainer(
          'max("value") AS "max working set", max("value") * 1.15 AS "recommended"',
          'memory/working_set',
        ),
      },
      { query: byContainer('last("value") AS "request"', 'memory/request') },
      { query: byContainer('last("value") AS "limit"', 'memory/limit') },
    ]);
  d.row('OOM kills').rawTable({ title: 'OOM kills (recommend no less than the memory limit × 1.2)' }, [
    { query: byContainer('count("value") AS "OOM kills"', 'restart/oom_kill') },
  ]);
  return d.build();
}
