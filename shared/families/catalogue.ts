/**
 * @module families/catalogue
 * Every metric family heapless writes, with Heapster's names, units and field types
 * (heapster.md §1). `types` says, per object type, how the value is obtained: that text is the
 * definition printed in the README's metric reference. Dynamic families (`custom/<name>`,
 * `<resource>/request`) are made from templates in families/dynamic.ts.
 */
import { family } from '#shared/families/family';

const CONTAINERS = 'pod_container' as const;
const OWN = (field: string) => `kubelet summary ${field}`;
const RATE = (counter: string) =>
  `Δ${counter} ÷ Δt between this run's and the previous run's kubelet readings (none after a restart, a counter decrease or a gap > RATE_MAX_GAP)`;
const all4 = (how: string, podFallback?: string) => ({
  node: how,
  pod: podFallback ? `${how}; else ${podFallback}` : how,
  pod_container: how,
  sys_container: how,
});
const SUM_CONTAINERS = 'the sum of its containers';
const WORKLOAD = 'sum over the workload’s pods (per namespace, workload_kind, workload_name)';
/** PSI windows the kernel averages over, and its two lines: `some` task stalled, `full`: all stalled. */
const PSI_WINDOWS = ['avg10', 'avg60', 'avg300'] as const;
const PSI_LINES = ['some', 'full'] as const;

export const FAMILIES = [
  family({ name: 'uptime', kind: 'cumulative', int: true, unit: 'ms', types: all4('sample time − startTime') }),

  family({
    name: 'cpu/usage',
    kind: 'cumulative',
    int: true,
    unit: 'ns of CPU time (all cores)',
    types: all4(OWN('cpu.usageCoreNanoSeconds')),
  }),
  family({
    name: 'cpu/usage_rate',
    kind: 'gauge',
    int: false,
    unit: 'millicores',
    labels: ['sampled'],
    types: {
      ...all4(
        `the mean since the previous run: ${RATE('cpu/usage')}, ÷ 1e6; without one, ${OWN('cpu.usageNanoCores')} (the mean of about the last 10 s) ÷ 1e6, tagged sampled=true`,
        SUM_CONTAINERS,
      ),
      ns: 'sum over the namespace’s pods (each pod’s value as written, a sampled one included)',
      workload: WORKLOAD,
      cluster: 'sum over nodes (includes system overhead, as Heapster’s dashboards summed it)',
    },
  }),
  family({
    name: 'cpu/request',
    kind: 'gauge',
    int: true,
    unit: 'millicores',
    types: {
      pod_container: 'spec.containers[].resources.requests.cpu (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
      ns: 'sum over the namespace’s pods',
      workload: WORKLOAD,
      cluster: 'sum over all pods',
    },
  }),
  family({
    name: 'cpu/limit',
    kind: 'gauge',
    int: true,
    unit: 'millicores',
    types: {
      pod_container: 'spec.containers[].resources.limits.cpu (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
      ns: 'sum over the namespace’s pods',
      workload: WORKLOAD,
      cluster: 'sum over all pods',
    },
  }),

  family({
    name: 'memory/usage',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      ...all4(OWN('memory.usageBytes'), SUM_CONTAINERS),
      ns: 'sum over the namespace’s pods',
      workload: WORKLOAD,
      cluster: 'sum over nodes (includes system overhead)',
    },
  }),
  family({
    name: 'memory/working_set',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: { ...all4(OWN('memory.workingSetBytes'), SUM_CONTAINERS), workload: WORKLOAD },
  }),
  family({
    name: 'memory/rss',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: all4(OWN('memory.rssBytes'), SUM_CONTAINERS),
  }),
  family({
    name: 'memory/page_faults',
    kind: 'cumulative',
    int: true,
    unit: 'count',
    types: all4(OWN('memory.pageFaults')),
  }),
  family({
    name: 'memory/major_page_faults',
    kind: 'cumulative',
    int: true,
    unit: 'count',
    types: all4(OWN('memory.majorPageFaults')),
  }),
  family({
    name: 'memory/page_faults_rate',
    kind: 'gauge',
    int: false,
    unit: 'faults/s',
    types: all4(RATE('memory/page_faults'), SUM_CONTAINERS),
  }),
  family({
    name: 'memory/major_page_faults_rate',
    kind: 'gauge',
    int: false,
    unit: 'faults/s',
    types: all4(RATE('memory/major_page_faults'), SUM_CONTAINERS),
  }),
  family({
    name: 'memory/request',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      pod_container: 'spec.containers[].resources.requests.memory (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
      ns: 'sum over the namespace’s pods',
      workload: WORKLOAD,
      cluster: 'sum over all pods',
    },
  }),
  family({
    name: 'memory/limit',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      pod_container: 'spec.containers[].resources.limits.memory (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
      ns: 'sum over the namespace’s pods',
      workload: WORKLOAD,
      cluster: 'sum over all pods',
    },
  }),

  ...(['rx', 'tx'] as const).flatMap((dir) => [
    family({
      name: `network/${dir}`,
      kind: 'cumulative',
      int: true,
      unit: 'bytes',
      types: {
        node: OWN(`network.${dir}Bytes (default interface)`),
        pod: OWN(`network.${dir}Bytes (default interface)`),
      },
    }),
    family({
      name: `network/${dir}_errors`,
      kind: 'cumulative',
      int: true,
      unit: 'count',
      types: { node: OWN(`network.${dir}Errors`), pod: OWN(`network.${dir}Errors`) },
    }),
    family({
      name: `network/${dir}_rate`,
      kind: 'gauge',
      int: false,
      unit: 'bytes/s',
      types: { node: RATE(`network/${dir}`), pod: RATE(`network/${dir}`) },
    }),
    family({
      name: `network/${dir}_errors_rate`,
      kind: 'gauge',
      int: false,
      unit: 'errors/s',
      types: { node: RATE(`network/${dir}_errors`), pod: RATE(`network/${dir}_errors`) },
    }),
  ]),

  ...(
    [
      ['usage', 'usedBytes', 'bytes'],
      ['limit', 'capacityBytes', 'bytes'],
      ['available', 'availableBytes', 'bytes'],
      ['inodes', 'inodes', 'count'],
      ['inodes_free', 'inodesFree', 'count'],
    ] as const
  ).map(([metric, field, unit]) =>
    family({
      name: `filesystem/${metric}`,
      kind: 'gauge',
      int: true,
      unit,
      labels: ['resource_id'],
      types: {
        node: `fs.${field}, resource_id=/`,
        pod: `volume[].${field}, resource_id=Volume:<name>`,
        pod_container: `rootfs.${field} (resource_id=/) and logs.${field} (resource_id=logs)`,
        sys_container: `rootfs.${field} (resource_id=/) and logs.${field} (resource_id=logs), when reported`,
      },
    }),
  ),

  family({
    name: 'ephemeral_storage/usage',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      node: 'fs.usedBytes',
      pod: 'ephemeral-storage.usedBytes; else the sum of its containers',
      pod_container: 'rootfs.usedBytes + logs.usedBytes',
      sys_container: 'rootfs.usedBytes + logs.usedBytes, when reported',
    },
  }),
  family({
    name: 'ephemeral_storage/request',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      pod_container: 'spec.containers[].resources.requests.ephemeral-storage (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
    },
  }),
  family({
    name: 'ephemeral_storage/limit',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: {
      pod_container: 'spec.containers[].resources.limits.ephemeral-storage (0 when unset)',
      pod: 'sum over the pod spec’s containers',
      node: 'sum over the node’s pods',
    },
  }),

  family({
    name: 'restart_count',
    kind: 'cumulative',
    int: true,
    unit: 'count',
    types: {
      pod_container: 'status.containerStatuses[].restartCount',
      pod: 'sum over its containers',
      workload: WORKLOAD,
    },
  }),
  family({
    name: 'restart/last_exit_code',
    kind: 'gauge',
    int: true,
    unit: 'exit code',
    labels: ['reason'],
    types: {
      pod_container:
        'status.containerStatuses[].lastState.terminated.exitCode, tagged reason=…terminated.reason ' +
        '(OOMKilled, Error, …); none before the first termination',
    },
  }),
  family({
    name: 'restart/oom_kill',
    kind: 'gauge',
    int: true,
    unit: 'count (1 per kill)',
    types: {
      pod_container:
        '1 at lastState.terminated.finishedAt when its reason is OOMKilled and the kill is less than an hour ' +
        'old: the point’s time is the kill’s, so every run seeing it overwrites the same point; count() over a ' +
        'range counts kills',
    },
  }),

  ...(['cpu', 'memory', 'io'] as const).flatMap((res) => [
    ...PSI_LINES.flatMap((line) =>
      PSI_WINDOWS.map((w) =>
        family({
          name: `${res}/psi_${line}_${w}`,
          kind: 'gauge',
          int: false,
          unit: `percent of wall time (kernel average over ${w.slice(3)} s)`,
          types: all4(OWN(`${res}.psi.${line}.${w}`)),
        }),
      ),
    ),
    family({
      name: `${res}/psi_some_rate`,
      kind: 'gauge',
      int: false,
      unit: 'µs stalled per s (1e6 = always stalled)',
      types: all4(RATE(`${res}.psi.some.total`)),
    }),
  ]),

  family({
    name: 'swap/usage',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    types: { ...all4(OWN('swap.swapUsageBytes')), workload: WORKLOAD },
  }),
  family({
    name: 'swap/available',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    // The kubelet reports no swap limit for pods.
    types: {
      node: OWN('swap.swapAvailableBytes'),
      pod_container: OWN('swap.swapAvailableBytes'),
      sys_container: OWN('swap.swapAvailableBytes'),
    },
  }),
  family({
    name: 'process/count',
    kind: 'gauge',
    int: true,
    unit: 'count',
    types: { node: OWN('rlimit.curproc'), pod: OWN('process_stats.process_count'), workload: WORKLOAD },
  }),
  family({
    name: 'process/max',
    kind: 'gauge',
    int: true,
    unit: 'count',
    types: { node: `${OWN('rlimit.maxpid')} (the kernel’s pid limit)` },
  }),

  family({
    name: 'accelerator/memory_total',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    labels: ['make', 'model', 'accelerator_id'],
    types: { [CONTAINERS]: 'accelerators[].memoryTotal' },
  }),
  family({
    name: 'accelerator/memory_used',
    kind: 'gauge',
    int: true,
    unit: 'bytes',
    labels: ['make', 'model', 'accelerator_id'],
    types: { [CONTAINERS]: 'accelerators[].memoryUsed' },
  }),
  family({
    name: 'accelerator/duty_cycle',
    kind: 'gauge',
    int: true,
    unit: 'percent',
    labels: ['make', 'model', 'accelerator_id'],
    types: { [CONTAINERS]: 'accelerators[].dutyCycle' },
  }),

  ...(['cpu', 'memory', 'ephemeral_storage'] as const).flatMap((res) => {
    const unit = res === 'cpu' ? 'millicores' : 'bytes';
    const usage = res === 'cpu' ? 'cpu/usage_rate' : res === 'memory' ? 'memory/usage' : 'ephemeral_storage/usage';
    const status = res === 'ephemeral_storage' ? 'ephemeral-storage' : res;
    return [
      family({
        name: `${res}/node_capacity`,
        kind: 'gauge',
        int: false,
        unit,
        types: { node: `Node status.capacity.${status}` },
      }),
      family({
        name: `${res}/node_allocatable`,
        kind: 'gauge',
        int: false,
        unit,
        types: { node: `Node status.allocatable.${status}` },
      }),
      family({
        name: `${res}/node_utilization`,
        kind: 'gauge',
        int: false,
        unit: 'ratio (0..1)',
        types: { node: `${usage} ÷ ${res}/node_allocatable (none when allocatable is 0)` },
      }),
      family({
        name: `${res}/node_reservation`,
        kind: 'gauge',
        int: false,
        unit: 'ratio (0..1)',
        types: { node: `${res}/request ÷ ${res}/node_allocatable (none when allocatable is 0)` },
      }),
    ];
  }),
] as const;

export type FamilyName = (typeof FAMILIES)[number]['name'];

export const FAMILY_BY_NAME: ReadonlyMap<string, (typeof FAMILIES)[number]> = new Map(FAMILIES.map((f) => [f.name, f]));
