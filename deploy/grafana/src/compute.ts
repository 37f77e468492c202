/**
 * @module deploy/grafana/compute
 * The "Compute Resources" set (kube-prometheus's Cluster, Namespace (Pods), Node (Pods), Pod),
 * rebuilt on Heapster's metrics: usage against requests and limits, utilisation and
 * reservation, network, filesystem and restarts, with $cluster/$node/$namespace/$pod.
 * CPU is shown in cores (the collector writes millicores), memory as the working set.
 */
import {
  count,
  current,
  each,
  increase,
  increaseInRange,
  matches,
  occurrences,
  total,
  type ObjectType,
  type Source,
} from './influxql';
import {
  clusterVariable,
  resolutionVariable,
  DashboardBuilder,
  datasourceVariable,
  REFERENCE_LINES,
  tagVariable,
  warningEvents,
  type Json,
} from './panels';
import { CLUSTER } from './influxql';

const CORES = '/ 1000';

function s(measurement: string, type: ObjectType, ...where: string[]): Source {
  return {
    measurement,
    type,
    where,
    ...(measurement.startsWith('cpu/') &&
    !measurement.includes('node_utilization') &&
    !measurement.includes('node_reservation')
      ? { scale: CORES }
      : {}),
  };
}

const NS = matches('namespace_name', 'namespace');
const NODE = matches('nodename', 'node');
const POD = matches('pod_name', 'pod');
const ROOTFS = `"resource_id" = '/'`;

export function clusterDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-cluster',
      title: 'Kubernetes / Compute Resources / Cluster (heapless)',
      description:
        'Cluster-wide usage against requests, limits and allocatable capacity, per namespace. Sums over nodes include system overhead; sums over pods do not.',
    },
    [datasourceVariable(), clusterVariable(), resolutionVariable()],
    [warningEvents()],
  );
  const node = (m: string) => s(m, 'node');
  const pod = (m: string) => s(m, 'pod');
  d.row('Headlines')
    .stat(
      {
        title: 'CPU Utilisation',
        unit: 'percentunit',
        description: 'Node CPU usage ÷ node allocatable CPU, whole cluster.',
      },
      [{ query: total(node('cpu/usage_rate')) }, { query: total(node('cpu/node_allocatable')) }],
      true,
    )
    .stat(
      {
        title: 'CPU Requests Commitment',
        unit: 'percentunit',
        description: 'Pod CPU requests ÷ node allocatable CPU.',
      },
      [{ query: total(node('cpu/request')) }, { query: total(node('cpu/node_allocatable')) }],
      true,
    )
    .stat(
      { title: 'CPU Limits Commitment', unit: 'percentunit', description: 'Pod CPU limits ÷ node allocatable CPU.' },
      [{ query: total(node('cpu/limit')) }, { query: total(node('cpu/node_allocatable')) }],
      true,
    )
    .stat(
      {
        title: 'Memory Utilisation',
        unit: 'percentunit',
        description: 'Node memory working set ÷ node allocatable memory.',
      },
      [{ query: total(node('memory/working_set')) }, { query: total(node('memory/node_allocatable')) }],
      true,
    )
    .stat(
      {
        title: 'Memory Requests Commitment',
        unit: 'percentunit',
        description: 'Pod memory requests ÷ node allocatable memory.',
      },
      [{ query: total(node('memory/request')) }, { query: total(node('memory/node_allocatable')) }],
      true,
    )
    .stat(
      {
        title: 'Memory Limits Commitment',
        unit: 'percentunit',
        description: 'Pod memory limits ÷ node allocatable memory.',
      },
      [{ query: total(node('memory/limit')) }, { query: total(node('memory/node_allocatable')) }],
      true,
    );
  d.row('CPU')
    .timeseries(
      {
        title: 'CPU Usage by namespace',
        unit: 'short',
        stack: true,
        description: 'Cores used by the pods of each namespace.',
      },
      [{ query: total(pod('cpu/usage_rate'), ['namespace_name']), alias: '$tag_namespace_name' }],
    )
    .timeseries({ title: 'CPU: usage, requests, limits, allocatable', unit: 'short', dashed: REFERENCE_LINES }, [
      { query: total(node('cpu/usage_rate')), alias: 'Usage (nodes)' },
      { query: total(pod('cpu/usage_rate')), alias: 'Usage (pods)' },
      { query: total(node('cpu/request')), alias: 'Requests' },
      { query: total(node('cpu/limit')), alias: 'Limits' },
      { query: total(node('cpu/node_allocatable')), alias: 'Allocatable' },
    ])
    .table(quotaOptions('CPU', 'namespace_name', 'Namespace'), [
      { query: count(s('uptime', 'pod'), ['pod_name'], ['namespace_name'], 'Pods') },
      { query: current(pod('cpu/usage_rate'), ['namespace_name'], 'CPU Usage') },
      { query: current(pod('cpu/request'), ['namespace_name'], 'CPU Requests') },
      { query: current(pod('cpu/limit'), ['namespace_name'], 'CPU Limits') },
    ]);
  d.row('Memory')
    .timeseries({ title: 'Memory Usage (working set) by namespace', unit: 'bytes', stack: true }, [
      { query: total(pod('memory/working_set'), ['namespace_name']), alias: '$tag_namespace_name' },
    ])
    .timeseries({ title: 'Memory: usage, requests, limits, allocatable', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: total(node('memory/working_set')), alias: 'Working set (nodes)' },
      { query: total(node('memory/usage')), alias: 'Usage incl. cache (nodes)' },
      { query: total(pod('memory/working_set')), alias: 'Working set (pods)' },
      { query: total(node('memory/request')), alias: 'Requests' },
      { query: total(node('memory/limit')), alias: 'Limits' },
      { query: total(node('memory/node_allocatable')), alias: 'Allocatable' },
    ])
    .table(
      {
        title: 'Memory Requests by namespace',
        key: 'namespace_name',
        keyTitle: 'Namespace',
        units: { 'Memory Usage': 'bytes', 'Memory Requests': 'bytes', 'Memory Limits': 'bytes' },
        ratios: [
          ['Memory Requests %', 'Memory Usage', 'Memory Requests'],
          ['Memory Limits %', 'Memory Usage', 'Memory Limits'],
        ],
      },
      [
        { query: count(s('uptime', 'pod'), ['pod_name'], ['namespace_name'], 'Pods') },
        { query: current(pod('memory/working_set'), ['namespace_name'], 'Memory Usage') },
        { query: current(pod('memory/request'), ['namespace_name'], 'Memory Requests') },
        { query: current(pod('memory/limit'), ['namespace_name'], 'Memory Limits') },
      ],
    );
  d.row('Network')
    .timeseries({ title: 'Receive Bandwidth by namespace', unit: 'Bps', stack: true }, [
      { query: total(pod('network/rx_rate'), ['namespace_name']), alias: '$tag_namespace_name' },
    ])
    .timeseries({ title: 'Transmit Bandwidth by namespace', unit: 'Bps', stack: true }, [
      { query: total(pod('network/tx_rate'), ['namespace_name']), alias: '$tag_namespace_name' },
    ])
    .timeseries({ title: 'Node network', unit: 'Bps', description: 'Default interface of every node.' }, [
      { query: total(node('network/rx_rate')), alias: 'Receive' },
      { query: total(node('network/tx_rate')), alias: 'Transmit' },
    ])
    .timeseries(
      { title: 'Network errors by namespace', unit: 'short', description: 'Receive and transmit errors per second.' },
      [
        { query: total(pod('network/rx_errors_rate'), ['namespace_name']), alias: '$tag_namespace_name receive' },
        { query: total(pod('network/tx_errors_rate'), ['namespace_name']), alias: '$tag_namespace_name transmit' },
      ],
    );
  d.row('Storage')
    .bars(
      {
        title: 'Node filesystem used',
        unit: 'percentunit',
        max: 1,
        description: 'Root filesystem of each node: used ÷ capacity.',
      },
      [
        {
          query: `SELECT mean("value") AS "value" FROM "filesystem/usage" WHERE "type" = 'node' AND ${CLUSTER} AND ${ROOTFS} AND $timeFilter GROUP BY time($__interval), "nodename" fill(null)`,
          alias: '$tag_nodename used',
        },
      ],
    )
    .timeseries({ title: 'Ephemeral storage by namespace', unit: 'bytes', stack: true }, [
      { query: total(pod('ephemeral_storage/usage'), ['namespace_name']), alias: '$tag_namespace_name' },
    ]);
  d.row('Restarts')
    .stat({ title: 'Container restarts in range', unit: 'short', w: 4 }, [
      { query: increaseInRange(s('restart_count', 'pod_container')) },
    ])
    .timeseries({ title: 'Container restarts by namespace', unit: 'short', w: 20 }, [
      { query: increase(s('restart_count', 'pod_container'), ['namespace_name']), alias: '$tag_namespace_name' },
    ]);
  return d.build();
}

export function namespaceDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-namespace',
      title: 'Kubernetes / Compute Resources / Namespace (Pods) (heapless)',
      description: 'One namespace: usage per pod against the namespace’s requests and limits.',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER]),
    ],
    [warningEvents([NS])],
  );
  const pod = (m: string) => s(m, 'pod', NS);
  d.row('Headlines')
    .stat(
      { title: 'CPU Utilisation (from requests)', unit: 'percentunit', w: 6 },
      [{ query: total(pod('cpu/usage_rate')) }, { query: total(pod('cpu/request')) }],
      true,
    )
    .stat(
      { title: 'CPU Utilisation (from limits)', unit: 'percentunit', w: 6 },
      [{ query: total(pod('cpu/usage_rate')) }, { query: total(pod('cpu/limit')) }],
      true,
    )
    .stat(
      { title: 'Memory Utilisation (from requests)', unit: 'percentunit', w: 6 },
      [{ query: total(pod('memory/working_set')) }, { query: total(pod('memory/request')) }],
      true,
    )
    .stat(
      { title: 'Memory Utilisation (from limits)', unit: 'percentunit', w: 6 },
      [{ query: total(pod('memory/working_set')) }, { query: total(pod('memory/limit')) }],
      true,
    );
  d.row('CPU')
    .timeseries({ title: 'CPU Usage', unit: 'short', w: 24, stack: true, dashed: REFERENCE_LINES }, [
      { query: total(pod('cpu/usage_rate'), ['pod_name']), alias: '$tag_pod_name' },
      { query: total(s('cpu/request', 'ns', NS)), alias: 'requests (namespace)' },
      { query: total(s('cpu/limit', 'ns', NS)), alias: 'limits (namespace)' },
    ])
    .table(quotaOptions('CPU', 'pod_name', 'Pod'), [
      { query: current(pod('cpu/usage_rate'), ['pod_name'], 'CPU Usage') },
      { query: current(pod('cpu/request'), ['pod_name'], 'CPU Requests') },
      { query: current(pod('cpu/limit'), ['pod_name'], 'CPU Limits') },
    ]);
  d.row('Memory')
    .timeseries({ title: 'Memory Usage (working set)', unit: 'bytes', w: 24, stack: true, dashed: REFERENCE_LINES }, [
      { query: total(pod('memory/working_set'), ['pod_name']), alias: '$tag_pod_name' },
      { query: total(s('memory/request', 'ns', NS)), alias: 'requests (namespace)' },
      { query: total(s('memory/limit', 'ns', NS)), alias: 'limits (namespace)' },
    ])
    .table(quotaOptions('Memory', 'pod_name', 'Pod', { RSS: 'bytes' }), [
      { query: current(pod('memory/working_set'), ['pod_name'], 'Memory Usage') },
      { query: current(pod('memory/request'), ['pod_name'], 'Memory Requests') },
      { query: current(pod('memory/limit'), ['pod_name'], 'Memory Limits') },
      { query: current(pod('memory/rss'), ['pod_name'], 'RSS') },
    ]);
  d.row('Network')
    .timeseries({ title: 'Receive Bandwidth', unit: 'Bps', stack: true }, [
      { query: total(pod('network/rx_rate'), ['pod_name']), alias: '$tag_pod_name' },
    ])
    .timeseries({ title: 'Transmit Bandwidth', unit: 'Bps', stack: true }, [
      { query: total(pod('network/tx_rate'), ['pod_name']), alias: '$tag_pod_name' },
    ])
    .timeseries({ title: 'Network errors', unit: 'short', w: 24 }, [
      { query: total(pod('network/rx_errors_rate'), ['pod_name']), alias: '$tag_pod_name receive' },
      { query: total(pod('network/tx_errors_rate'), ['pod_name']), alias: '$tag_pod_name transmit' },
    ]);
  d.row('Storage')
    .timeseries({ title: 'Ephemeral storage', unit: 'bytes', stack: true }, [
      { query: total(pod('ephemeral_storage/usage'), ['pod_name']), alias: '$tag_pod_name' },
    ])
    .timeseries(
      {
        title: 'Volumes used',
        unit: 'bytes',
        description: 'Every volume the kubelet reports (emptyDir, configMap, PVC…).',
      },
      [
        {
          query: total(s('filesystem/usage', 'pod', NS), ['pod_name', 'resource_id']),
          alias: '$tag_pod_name $tag_resource_id',
        },
      ],
    );
  d.row('Restarts').timeseries({ title: 'Container restarts', unit: 'short', w: 24 }, [
    { query: increase(s('restart_count', 'pod_container', NS), ['pod_name']), alias: '$tag_pod_name' },
  ]);
  return d.build();
}

export function nodeDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-node',
      title: 'Kubernetes / Compute Resources / Node (Pods) (heapless)',
      description:
        'One node: its pods’ usage against the node’s capacity and allocatable resources, system containers, network and filesystem.',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('node', 'node', 'nodename', [`"type" = 'node'`, CLUSTER]),
    ],
    [warningEvents()],
  );
  const node = (m: string) => s(m, 'node', NODE);
  const pod = (m: string) => s(m, 'pod', NODE);
  d.row('Headlines')
    .stat(
      { title: 'CPU Utilisation', unit: 'percentunit', description: 'cpu/node_utilization: usage ÷ allocatable.' },
      [{ query: each(s('cpu/node_utilization', 'node', NODE), []) }],
    )
    .stat(
      { title: 'CPU Reservation', unit: 'percentunit', description: 'cpu/node_reservation: requests ÷ allocatable.' },
      [{ query: each(s('cpu/node_reservation', 'node', NODE), []) }],
    )
    .stat(
      {
        title: 'Memory Utilisation',
        unit: 'percentunit',
        description: 'memory/node_utilization: usage ÷ allocatable.',
      },
      [{ query: each(s('memory/node_utilization', 'node', NODE), []) }],
    )
    .stat(
      {
        title: 'Memory Reservation',
        unit: 'percentunit',
        description: 'memory/node_reservation: requests ÷ allocatable.',
      },
      [{ query: each(s('memory/node_reservation', 'node', NODE), []) }],
    )
    .stat({ title: 'Ephemeral Storage Utilisation', unit: 'percentunit' }, [
      { query: each(s('ephemeral_storage/node_utilization', 'node', NODE), []) },
    ])
    .stat({ title: 'Uptime', unit: 'ms', decimals: 0 }, [{ query: each(node('uptime'), []) }]);
  d.row('CPU')
    .timeseries(
      {
        title: 'CPU Usage',
        unit: 'short',
        w: 24,
        stack: true,
        dashed: REFERENCE_LINES,
        description: 'Per pod, with the node’s capacity and allocatable CPU.',
      },
      [
        { query: total(pod('cpu/usage_rate'), ['pod_name']), alias: '$tag_pod_name' },
        { query: total(node('cpu/node_capacity')), alias: 'capacity' },
        { query: total(node('cpu/node_allocatable')), alias: 'allocatable' },
      ],
    )
    .table(quotaOptions('CPU', 'pod_name', 'Pod'), [
      { query: current(pod('cpu/usage_rate'), ['pod_name'], 'CPU Usage') },
      { query: current(pod('cpu/request'), ['pod_name'], 'CPU Requests') },
      { query: current(pod('cpu/limit'), ['pod_name'], 'CPU Limits') },
    ]);
  d.row('Memory')
    .timeseries({ title: 'Memory Usage (working set)', unit: 'bytes', stack: true, dashed: REFERENCE_LINES }, [
      { query: total(pod('memory/working_set'), ['pod_name']), alias: '$tag_pod_name' },
      { query: total(node('memory/node_capacity')), alias: 'capacity' },
      { query: total(node('memory/node_allocatable')), alias: 'allocatable' },
    ])
    .timeseries({ title: 'Node memory', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: total(node('memory/usage')), alias: 'usage (incl. cache)' },
      { query: total(node('memory/working_set')), alias: 'working set' },
      { query: total(node('memory/rss')), alias: 'rss' },
      { query: total(node('memory/request')), alias: 'requests' },
      { query: total(node('memory/limit')), alias: 'limits' },
      { query: total(node('memory/node_allocatable')), alias: 'allocatable' },
    ])
    .table(quotaOptions('Memory', 'pod_name', 'Pod'), [
      { query: current(pod('memory/working_set'), ['pod_name'], 'Memory Usage') },
      { query: current(pod('memory/request'), ['pod_name'], 'Memory Requests') },
      { query: current(pod('memory/limit'), ['pod_name'], 'Memory Limits') },
    ]);
  d.row('System containers')
    .timeseries({ title: 'System containers CPU', unit: 'short' }, [
      { query: each(s('cpu/usage_rate', 'sys_container', NODE), ['container_name']), alias: '$tag_container_name' },
    ])
    .timeseries({ title: 'System containers memory (working set)', unit: 'bytes' }, [
      { query: each(s('memory/working_set', 'sys_container', NODE), ['container_name']), alias: '$tag_container_name' },
    ]);
  d.row('Network and filesystem')
    .timeseries({ title: 'Network', unit: 'Bps' }, [
      { query: total(node('network/rx_rate')), alias: 'receive' },
      { query: total(node('network/tx_rate')), alias: 'transmit' },
    ])
    .timeseries({ title: 'Network errors', unit: 'short' }, [
      { query: total(node('network/rx_errors_rate')), alias: 'receive errors/s' },
      { query: total(node('network/tx_errors_rate')), alias: 'transmit errors/s' },
    ])
    .timeseries({ title: 'Root filesystem', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: total(s('filesystem/usage', 'node', NODE, ROOTFS)), alias: 'used' },
      { query: total(s('filesystem/available', 'node', NODE, ROOTFS)), alias: 'available' },
      { query: total(s('filesystem/limit', 'node', NODE, ROOTFS)), alias: 'capacity' },
    ])
    .timeseries({ title: 'Root filesystem inodes', unit: 'short', dashed: REFERENCE_LINES }, [
      { query: total(s('filesystem/inodes_free', 'node', NODE, ROOTFS)), alias: 'free' },
      { query: total(s('filesystem/inodes', 'node', NODE, ROOTFS)), alias: 'capacity' },
    ]);
  pressureRows(d, (m) => s(m, 'node', NODE), []);
  d.row('Swap and processes')
    .timeseries(
      { title: 'Swap', unit: 'bytes', dashed: REFERENCE_LINES, description: 'Where the kubelet reports it (1.34+).' },
      [
        { query: each(s('swap/usage', 'node', NODE), []), alias: 'used' },
        { query: each(s('swap/available', 'node', NODE), []), alias: 'capacity' },
      ],
    )
    .timeseries(
      { title: 'Processes', unit: 'short', description: 'rlimit: processes running and the kernel’s pid limit.' },
      [
        { query: each(s('process/count', 'node', NODE), []), alias: 'running' },
        { query: each(s('process/max', 'node', NODE), []), alias: 'Limit' },
      ],
    );
  return d.build();
}

export function podDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-pod',
      title: 'Kubernetes / Compute Resources / Pod (heapless)',
      description:
        'One pod: each container’s usage against its requests and limits, the pod’s network, filesystems and restarts.',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER]),
      tagVariable('pod', 'pod', 'pod_name', [NS, CLUSTER]),
    ],
    [warningEvents([NS, matches('object_name', 'pod')])],
  );
  const ctr = (m: string, ...w: string[]) => s(m, 'pod_container', NS, POD, ...w);
  const pod = (m: string, ...w: string[]) => s(m, 'pod', NS, POD, ...w);
  d.row('CPU')
    .timeseries(
      {
        title: 'CPU Usage',
        unit: 'short',
        w: 24,
        dashed: REFERENCE_LINES,
        description: 'Per container, with its requests and limits (0 when unset).',
      },
      [
        { query: each(ctr('cpu/usage_rate'), ['container_name']), alias: '$tag_container_name' },
        { query: each(ctr('cpu/request'), ['container_name']), alias: '$tag_container_name requests' },
        { query: each(ctr('cpu/limit'), ['container_name']), alias: '$tag_container_name limits' },
      ],
    )
    .table(quotaOptions('CPU', 'container_name', 'Container'), [
      { query: current(ctr('cpu/usage_rate'), ['container_name'], 'CPU Usage') },
      { query: current(ctr('cpu/request'), ['container_name'], 'CPU Requests') },
      { query: current(ctr('cpu/limit'), ['container_name'], 'CPU Limits') },
    ]);
  d.row('Memory')
    .timeseries({ title: 'Memory Usage (working set)', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: each(ctr('memory/working_set'), ['container_name']), alias: '$tag_container_name' },
      { query: each(ctr('memory/request'), ['container_name']), alias: '$tag_container_name requests' },
      { query: each(ctr('memory/limit'), ['container_name']), alias: '$tag_container_name limits' },
    ])
    .timeseries({ title: 'Memory: usage, working set, RSS', unit: 'bytes' }, [
      { query: each(ctr('memory/usage'), ['container_name']), alias: '$tag_container_name usage' },
      { query: each(ctr('memory/working_set'), ['container_name']), alias: '$tag_container_name working set' },
      { query: each(ctr('memory/rss'), ['container_name']), alias: '$tag_container_name rss' },
    ])
    .table(quotaOptions('Memory', 'container_name', 'Container', { RSS: 'bytes' }), [
      { query: current(ctr('memory/working_set'), ['container_name'], 'Memory Usage') },
      { query: current(ctr('memory/request'), ['container_name'], 'Memory Requests') },
      { query: current(ctr('memory/limit'), ['container_name'], 'Memory Limits') },
      { query: current(ctr('memory/rss'), ['container_name'], 'RSS') },
    ])
    .timeseries({ title: 'Page faults', unit: 'short', w: 24, description: 'Per second, per container.' }, [
      { query: each(ctr('memory/page_faults_rate'), ['container_name']), alias: '$tag_container_name' },
      { query: each(ctr('memory/major_page_faults_rate'), ['container_name']), alias: '$tag_container_name major' },
    ]);
  d.row('Network')
    .timeseries({ title: 'Bandwidth', unit: 'Bps' }, [
      { query: total(pod('network/rx_rate')), alias: 'receive' },
      { query: total(pod('network/tx_rate')), alias: 'transmit' },
    ])
    .timeseries({ title: 'Network errors', unit: 'short' }, [
      { query: total(pod('network/rx_errors_rate')), alias: 'receive errors/s' },
      { query: total(pod('network/tx_errors_rate')), alias: 'transmit errors/s' },
    ]);
  d.row('Storage and restarts')
    .timeseries(
      { title: 'Container filesystems', unit: 'bytes', description: 'Writable layer (/) and logs of each container.' },
      [
        {
          query: each(ctr('filesystem/usage'), ['container_name', 'resource_id']),
          alias: '$tag_container_name $tag_resource_id',
        },
      ],
    )
    .timeseries({ title: 'Volumes', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: each(pod('filesystem/usage'), ['resource_id']), alias: '$tag_resource_id' },
      { query: each(pod('filesystem/limit'), ['resource_id']), alias: '$tag_resource_id capacity' },
    ])
    .timeseries({ title: 'Ephemeral storage', unit: 'bytes', dashed: REFERENCE_LINES }, [
      { query: each(ctr('ephemeral_storage/usage'), ['container_name']), alias: '$tag_container_name' },
      { query: each(ctr('ephemeral_storage/limit'), ['container_name']), alias: '$tag_container_name limits' },
    ])
    .timeseries({ title: 'Restarts', unit: 'short', description: 'restart_count of each container (cumulative).' }, [
      { query: each(ctr('restart_count'), ['container_name']), alias: '$tag_container_name' },
    ]);
  pressureRows(d, (m) => ctr(m), ['container_name']);
  d.row('Swap').timeseries({ title: 'Swap used', unit: 'bytes', w: 24, stack: true }, [
    { query: total(ctr('swap/usage'), ['container_name']), alias: '$tag_container_name' },
  ]);
  return d.build();
}

/**
 * PSI, as kubelets ≥ 1.34 report it on cgroup v2: the share of wall time some (or all) tasks
 * waited for CPU, memory or IO — what "CPU throttling" panels look for — and the stall rate.
 */
function pressureRows(d: DashboardBuilder, src: (m: string) => Source, by: readonly string[]): void {
  const legend = by.length ? `$tag_${by[0]} ` : '';
  d.row('Pressure (PSI)');
  for (const res of ['cpu', 'memory', 'io'] as const)
    d.timeseries(
      {
        title: `${res === 'io' ? 'IO' : res === 'cpu' ? 'CPU' : 'Memory'} pressure`,
        unit: 'percent',
        w: 8,
        description: `${res}/psi_some_avg10 (some task stalled) and ${res}/psi_full_avg10 (all stalled), percent of the last 10 s.`,
      },
      [
        { query: each(src(`${res}/psi_some_avg10`), by), alias: `${legend}some` },
        { query: each(src(`${res}/psi_full_avg10`), by), alias: `${legend}full` },
      ],
    );
  d.timeseries(
    {
      title: 'Stall time',
      unit: 'µs',
      w: 24,
      description: 'µs stalled per second (<res>/psi_some_rate, from the kernel’s cumulative total).',
    },
    (['cpu', 'memory', 'io'] as const).map((res) => ({
      query: each(src(`${res}/psi_some_rate`), by),
      alias: `${legend}${res}`,
    })),
  );
}

const KIND = matches('workload_kind', 'kind');
const WORKLOAD = matches('workload_name', 'workload');
const WL_TAGS = ['workload_kind', 'workload_name'];
const WL_LEGEND = '$tag_workload_kind/$tag_workload_name';

/** kube-prometheus's "Compute Resources / Namespace (Workloads)", on type=workload sums. */
export function namespaceWorkloadsDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-namespace-workloads',
      title: 'Kubernetes / Compute Resources / Namespace (Workloads) (heapless)',
      description:
        'One namespace, per workload (Deployment, StatefulSet, DaemonSet, CronJob, standalone ReplicaSet or Job, bare Pod): usage against requests and limits, restarts and OOM kills.',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER]),
      tagVariable('kind', 'workload kind', 'workload_kind', [`"type" = 'workload'`, NS, CLUSTER], {
        all: true,
        measurement: 'memory/usage',
      }),
    ],
    [warningEvents([NS])],
  );
  const wl = (m: string) => s(m, 'workload', NS, KIND);
  quotaRows(d, wl, (m) => s(m, 'ns', NS), 'workload_name', 'Workload', WL_TAGS, WL_LEGEND, [
    {
      query: count(s('uptime', 'pod', NS, KIND), ['pod_name'], ['workload_name'], 'Running Pods'),
    },
  ]);
  d.row('Restarts and OOM kills')
    .timeseries({ title: 'Container restarts', unit: 'short' }, [
      { query: increase(wl('restart_count'), WL_TAGS), alias: WL_LEGEND },
    ])
    .timeseries(
      { title: 'OOM kills', unit: 'short', description: 'restart/oom_kill: one point per kill, at its time.' },
      [{ query: occurrences(s('restart/oom_kill', 'pod_container', NS, KIND), WL_TAGS), alias: WL_LEGEND }],
    );
  d.row('Swap and processes')
    .timeseries(
      { title: 'Swap used', unit: 'bytes', stack: true, description: 'Where the kubelet reports it (1.34+).' },
      [{ query: total(wl('swap/usage'), WL_TAGS), alias: WL_LEGEND }],
    )
    .timeseries({ title: 'Processes', unit: 'short', stack: true }, [
      { query: total(wl('process/count'), WL_TAGS), alias: WL_LEGEND },
    ]);
  return d.build();
}

/** kube-prometheus's "Compute Resources / Workload": one workload's pods. */
export function workloadDashboard(): Json {
  const d = new DashboardBuilder(
    {
      uid: 'heapless-workload',
      title: 'Kubernetes / Compute Resources / Workload (heapless)',
      description:
        'One workload: usage per pod against the workload’s requests and limits, restarts, OOM kills and pressure.',
    },
    [
      datasourceVariable(),
      clusterVariable(),
      resolutionVariable(),
      tagVariable('namespace', 'namespace', 'namespace_name', [CLUSTER]),
      tagVariable('kind', 'workload kind', 'workload_kind', [`"type" = 'workload'`, NS, CLUSTER], {
        measurement: 'memory/usage',
      }),
      tagVariable('workload', 'workload', 'workload_name', [`"type" = 'workload'`, NS, KIND, CLUSTER], {
        measurement: 'memory/usage',
      }),
    ],
    [warningEvents([NS])],
  );
  const pod = (m: string) => s(m, 'pod', NS, KIND, WORKLOAD);
  const ctr = (m: string) => s(m, 'pod_container', NS, KIND, WORKLOAD);
  quotaRows(d, pod, (m) => s(m, 'workload', NS, KIND, WORKLOAD), 'pod_name', 'Pod', ['pod_name'], '$tag_pod_name', []);
  d.row('Restarts and OOM kills')
    .timeseries({ title: 'Container restarts', unit: 'short' }, [
      {
        query: increase(ctr('restart_count'), ['pod_name', 'container_name']),
        alias: '$tag_pod_name $tag_container_name',
      },
    ])
    .timeseries(
      { title: 'OOM kills', unit: 'short', description: 'restart/oom_kill: one point per kill, at its time.' },
      [
        {
          query: occurrences(ctr('restart/oom_kill'), ['pod_name', 'container_name']),
          alias: '$tag_pod_name $tag_container_name',
        },
      ],
    );
  pressureRows(d, pod, ['pod_name']);
  return d.build();
}

/** CPU and memory rows: usage per `key` against the parent's requests and limits, and a quota table. */
function quotaRows(
  d: DashboardBuilder,
  src: (m: string) => Source,
  parent: (m: string) => Source,
  key: string,
  keyTitle: string,
  by: readonly string[],
  legend: string,
  extraColumns: Array<{ query: string }>,
): void {
  for (const r of QUOTA_RESOURCES) {
    const [usage, requests, limits] = [`${r.title} Usage`, `${r.title} Requests`, `${r.title} Limits`];
    d.row(r.title)
      .timeseries({ title: r.chart, unit: r.unit, w: 24, stack: true, dashed: REFERENCE_LINES }, [
        { query: total(src(r.usage), by), alias: legend },
        { query: total(parent(`${r.prefix}/request`)), alias: 'requests' },
        { query: total(parent(`${r.prefix}/limit`)), alias: 'limits' },
      ])
      .table(quotaOptions(r.title, key, keyTitle), [
        ...extraColumns,
        { query: current(src(r.usage), [key], usage) },
        { query: current(src(`${r.prefix}/request`), [key], requests) },
        { query: current(src(`${r.prefix}/limit`), [key], limits) },
      ]);
  }
}

/**
 * A quota table's options: usage, requests and limits per `key` in the resource's unit, with the
 * two ratios kube-prometheus shows (requests %, limits %).
 */
function quotaOptions(
  resource: 'CPU' | 'Memory',
  key: string,
  keyTitle: string,
  extraUnits: Record<string, string> = {},
) {
  const unit = resource === 'CPU' ? 'short' : 'bytes';
  const [usage, requests, limits] = [`${resource} Usage`, `${resource} Requests`, `${resource} Limits`];
  return {
    title: `${resource} Quota`,
    key,
    keyTitle,
    units: { [usage]: unit, [requests]: unit, [limits]: unit, ...extraUnits },
    ratios: [
      [`${requests} %`, usage, requests],
      [`${limits} %`, usage, limits],
    ] as Array<[string, string, string]>,
  };
}

/** The two resources of the quota rows: the usage family and the prefix of its request and limit. */
const QUOTA_RESOURCES = [
  { title: 'CPU', chart: 'CPU Usage', unit: 'short', usage: 'cpu/usage_rate', prefix: 'cpu' },
  {
    title: 'Memory',
    chart: 'Memory Usage (working set)',
    unit: 'bytes',
    usage: 'memory/working_set',
    prefix: 'memory',
  },
] as const;
