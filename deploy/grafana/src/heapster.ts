/**
 * @module deploy/grafana/heapster
 * Heapster's two dashboards (heapster-grafana/cluster.json and pods.json) rebuilt panel for
 * panel: same titles, measurements, tags and units (CPU in millicores), with $cluster added and
 * the totals computed per series first (./influxql), so they no longer grow with the zoom.
 */
import { CLUSTER, each, matches, total, type ObjectType, type Source } from './influxql';
import {
  clusterVariable,
  resolutionVariable,
  DashboardBuilder,
  datasourceVariable,
  REFERENCE_LINES,
  tagVariable,
  warningEvents,
  type Json,
  type Target,
} from './panels';

const CPU = [
  ['Usage', 'cpu/usage_rate'],
  ['Limit', 'cpu/limit'],
  ['Request', 'cpu/request'],
] as const;
const MEMORY = [
  ['Usage', 'memory/usage'],
  ['Working Set', 'memory/working_set'],
  ['Limit', 'memory/limit'],
  ['Request', 'memory/request'],
] as const;
const NETWORK = [
  ['Tx', 'network/tx_rate'],
  ['Rx', 'network/rx_rate'],
] as const;
const FILESYSTEM = [
  ['Usage', 'filesystem/usage'],
  ['Limit', 'filesystem/limit'],
] as const;

type Set = ReadonlyArray<readonly [string, string]>;

function src(measurement: string, type: ObjectType, where: string[] = []): Source {
  return { measurement, type, where };
}

function overall(set: Set): Target[] {
  return set.map(([alias, m]) => ({ query: total(src(m, 'node')), alias }));
}

function byNode(set: Set, where: string[] = []): Target[] {
  return set.map(([alias, m]) => ({
    query: each(src(m, 'node', where), ['nodename']),
    alias: `${alias} $tag_nodename`,
  }));
}

export function heapsterClusterDashboard(): Json {
  const one = [matches('nodename', 'nodename')];
  const d = new DashboardBuilder(
    {
      uid: 'heapless-heapster-cluster',
      title: 'Cluster (Heapster)',
      description:
        'Heapster’s "Cluster" dashboard rebuilt: cluster totals are sums over nodes (they include system overhead), CPU in millicores.',
      tags: ['kubernetes', 'heapless', 'heapster'],
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('nodename', 'nodename', 'nodename', [`"type" = 'node'`, CLUSTER]),
    ],
    [warningEvents()],
  );
  const opts = (title: string, unit: string) => ({ title, unit, dashed: REFERENCE_LINES });
  d.row('CPU')
    .timeseries({ ...opts('Overall Cluster CPU Usage', 'short'), w: 24, description: 'Millicores.' }, overall(CPU))
    .timeseries({ ...opts('CPU Usage by Node', 'short'), description: 'Millicores.' }, byNode(CPU))
    .timeseries({ ...opts('Individual CPU Usage: $nodename', 'short'), description: 'Millicores.' }, byNode(CPU, one));
  d.row('Memory')
    .timeseries({ ...opts('Overall Cluster Memory Usage', 'bytes'), w: 24 }, overall(MEMORY))
    .timeseries(opts('Memory Usage by Node', 'bytes'), byNode(MEMORY))
    .timeseries(opts('Individual Node Memory Usage: $nodename', 'bytes'), byNode(MEMORY, one));
  d.row('Network')
    .timeseries({ ...opts('Overall Cluster Network Usage', 'Bps'), w: 8 }, overall(NETWORK))
    .timeseries({ ...opts('Network Usage by Node', 'Bps'), w: 8 }, byNode(NETWORK))
    .timeseries({ ...opts('Individual Node Network Usage: $nodename', 'Bps'), w: 8 }, byNode(NETWORK, one));
  d.row('Filesystem')
    .timeseries({ ...opts('Overall Cluster Filesystem Usage', 'bytes'), w: 8 }, overall(FILESYSTEM))
    .timeseries(
      { ...opts('Filesystem Usage by Node', 'bytes'), w: 8 },
      FILESYSTEM.map(([alias, m]) => ({ query: total(src(m, 'node'), ['nodename']), alias: `${alias} $tag_nodename` })),
    )
    .timeseries(
      { ...opts('Individual Filesystem Usage: $nodename', 'bytes'), w: 8 },
      FILESYSTEM.map(([alias, m]) => ({
        query: total(src(m, 'node', one), ['nodename']),
        alias: `${alias} $tag_nodename`,
      })),
    );
  return d.build();
}

export function heapsterPodsDashboard(): Json {
  const pod = [matches('namespace_name', 'namespace'), matches('pod_name', 'podname')];
  const d = new DashboardBuilder(
    {
      uid: 'heapless-heapster-pods',
      title: 'Pods (Heapster)',
      description: 'Heapster’s "Pods" dashboard rebuilt: one pod’s containers, network and volumes; CPU in millicores.',
      tags: ['kubernetes', 'heapless', 'heapster'],
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER]),
      tagVariable('podname', 'podname', 'pod_name', [matches('namespace_name', 'namespace'), CLUSTER]),
    ],
    [warningEvents([matches('namespace_name', 'namespace'), matches('object_name', 'podname')])],
  );
  const perContainer = (set: Set): Target[] =>
    set.map(([alias, m]) => ({
      query: each(src(m, 'pod_container', pod), ['container_name']),
      alias: `${alias} $namespace $podname $tag_container_name`,
    }));
  d.row('Pod')
    .timeseries(
      {
        title: 'Individual CPU Usage: $namespace $podname',
        unit: 'short',
        w: 24,
        dashed: REFERENCE_LINES,
        description: 'Millicores, per container.',
      },
      perContainer(CPU),
    )
    .timeseries(
      { title: 'Individual Memory Usage: $namespace $podname', unit: 'bytes', w: 24, dashed: REFERENCE_LINES },
      perContainer(MEMORY),
    )
    .timeseries(
      { title: 'Individual Network Usage: $namespace $podname', unit: 'Bps', w: 24 },
      NETWORK.map(([alias, m]) => ({ query: total(src(m, 'pod', pod)), alias: `${alias} $namespace $podname` })),
    )
    .timeseries(
      {
        title: 'Filesystem Usage: $namespace $podname',
        unit: 'bytes',
        w: 24,
        dashed: REFERENCE_LINES,
        description: 'The pod’s volumes, summed.',
      },
      FILESYSTEM.map(([alias, m]) => ({ query: total(src(m, 'pod', pod)), alias: `${alias} $namespace $podname` })),
    );
  return d.build();
}
