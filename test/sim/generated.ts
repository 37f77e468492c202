/**
 * @module sim/generated
 * The synthetic workload model: generated nodes with their system containers and pods.
 * Produces the {@link NodeTruth} records; payloads and API objects are rendered from them.
 */
import type {
  FsTruth,
  NodeResources,
  NodeTruth,
  PodTruth,
  SystemContainerName,
  SystemContainerTruth,
} from '#test/sim/truth';
import { generatePods, hex, memory, sumUsage } from '#test/sim/generated-pods';
import { kibibytes } from '#test/sim/quantity';
import { addSignals, reportsSignals } from '#test/sim/generated-signals';
import { addOwners } from '#test/sim/generated-owners';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const DAY_MS = 86_400_000;

export interface WorkloadShape {
  nodes: number;
  podsPerNode: number;
  containersPerPod: number;
  namespaces: string[];
  /** Simulated clock at startup; generated nodes booted one day earlier. */
  startTimeMs: number;
}

/** Build every generated node; `address`/`port` are placeholders until the kubelets listen. */
export function generateNodes(shape: WorkloadShape): NodeTruth[] {
  return Array.from({ length: shape.nodes }, (_, n) => {
    const node = generateNode(shape, n);
    if (reportsSignals(n)) addSignals(node, n);
    addOwners(node);
    return node;
  });
}

function generateNode(shape: WorkloadShape, n: number): NodeTruth {
  const startTimeMs = shape.startTimeMs - DAY_MS;
  const fs = nodeFs(n);
  const pods = generatePods({ ...shape, nodeIndex: n, nodeStartMs: startTimeMs, nodeFs: fs });
  const capacityAmounts = capacityFor(pods);
  const allocatableAmounts = allocatableFrom(capacityAmounts, fs);
  const systemContainers = systemContainersFor(n, startTimeMs, allocatableAmounts.memoryBytes);
  const usage = sumUsage([...pods, ...systemContainers]);
  const name = `node-${n}`;
  return {
    name,
    uid: `${hex(n, 8)}-0000-4000-a000-000000000000`,
    address: '',
    port: 0,
    startTimeMs,
    labels: nodeLabels(name, n),
    kubeletVersion: 'v1.32.4',
    capacity: quantities(capacityAmounts, 'Ki'),
    allocatable: quantities(allocatableAmounts, 'bytes'),
    capacityAmounts,
    allocatableAmounts,
    ...usage,
    memory: {
      ...usage.memory,
      availableBytes: capacityAmounts.memoryBytes - usage.memory.workingSetBytes,
    },
    network: {
      interfaces: [
        {
          name: 'eth0',
          rxBytesPerSecond: 40_000 + 1000 * n,
          txBytesPerSecond: 20_000 + 500 * n,
          rxErrorsPerSecond: 2,
          txErrorsPerSecond: 1,
        },
        {
          name: 'cni0',
          rxBytesPerSecond: 7000,
          txBytesPerSecond: 9000,
          rxErrorsPerSecond: 0,
          txErrorsPerSecond: 0,
        },
      ],
    },
    fs,
    imageFs: { ...fs, usedBytes: 8 * GIB, inodesUsed: 40_000 },
    systemContainers,
    pods,
  };
}

function nodeLabels(name: string, n: number): Record<string, string> {
  const role = n === 0 ? 'node-role.kubernetes.io/control-plane' : 'node-role.kubernetes.io/worker';
  return {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'topology.kubernetes.io/zone': `zone-${n % 3}`,
    [role]: '',
  };
}

/** 100 GiB disk; usedBytes ≠ capacity − available (5 GiB reserved), like ext4. */
function nodeFs(n: number): FsTruth {
  const capacityBytes = 100 * GIB;
  const usedBytes = 20 * GIB + n * MIB;
  const inodes = 6_553_600;
  const inodesUsed = 150_000 + n;
  return {
    capacityBytes,
    usedBytes,
    availableBytes: capacityBytes - usedBytes - 5 * GIB,
    inodes,
    inodesFree: inodes - inodesUsed,
    inodesUsed,
  };
}

/** 4 cores / 16 GiB, grown (whole cores, whole GiB) when the pods would not fit. */
function capacityFor(pods: PodTruth[]): NodeResources {
  const usage = sumUsage(pods);
  const requested = pods.flatMap((p) => p.containers).reduce((sum, c) => sum + c.requests.cpuMillicores, 0);
  const cores = Math.max(4, Math.ceil(Math.max(usage.cpuMillicores * 1.5, requested * 1.2) / 1000));
  const memoryGib = Math.max(16, Math.ceil((usage.memory.usageBytes * 2) / GIB));
  return {
    cpuMillicores: cores * 1000,
    memoryBytes: memoryGib * GIB,
    ephemeralStorageBytes: 100 * GIB,
    pods: 110,
  };
}

/** Kube/system reservations: 200m cpu, 1 GiB memory, 10% of the disk. */
function allocatableFrom(capacity: NodeResources, fs: FsTruth): NodeResources {
  return {
    cpuMillicores: capacity.cpuMillicores - 200,
    memoryBytes: capacity.memoryBytes - GIB,
    ephemeralStorageBytes: Math.floor(fs.capacityBytes * 0.9),
    pods: capacity.pods,
  };
}

/** Capacity is printed in Ki (memory, storage) like a kubelet; allocatable storage in bytes. */
function quantities(amounts: NodeResources, storageUnit: 'Ki' | 'bytes'): Record<string, string> {
  const cores = amounts.cpuMillicores / 1000;
  return {
    cpu: Number.isInteger(cores) ? String(cores) : `${amounts.cpuMillicores}m`,
    memory: kibibytes(amounts.memoryBytes),
    'ephemeral-storage':
      storageUnit === 'Ki' ? kibibytes(amounts.ephemeralStorageBytes) : String(amounts.ephemeralStorageBytes),
    pods: String(amounts.pods),
  };
}

const SYSTEM_CONTAINERS: ReadonlyArray<[SystemContainerName, number, number, number]> = [
  // name, cpu millicores, working set MiB, page faults per second
  ['kubelet', 40, 64, 20],
  ['runtime', 30, 96, 10],
  ['pods', 5, 24, 5],
  ['misc', 15, 32, 3],
];

function systemContainersFor(n: number, nodeStartMs: number, allocatableMemory: number): SystemContainerTruth[] {
  return SYSTEM_CONTAINERS.map(([name, cpu, wsMib, faults]) => {
    const mem = memory(wsMib * MIB);
    // The kubelet reports the pods cgroup's availableBytes against node allocatable.
    if (name === 'pods') mem.availableBytes = allocatableMemory - mem.workingSetBytes;
    return {
      name,
      startTimeMs: nodeStartMs + 5000,
      cpuMillicores: cpu + (n % 5),
      memory: mem,
      pageFaultsPerSecond: faults,
      majorPageFaultsPerSecond: name === 'kubelet' ? 1 : 0,
    };
  });
}
