/**
 * @module sim/generated-pods
 * The synthetic pods and containers of one generated node. Every value is a simple function of
 * the node index `n`, pod index `p` and the container's index on its node (`local`), so values
 * differ between containers of a node and stay reproducible.
 */
import type { ContainerTruth, FsTruth, MemoryTruth, PodTruth, UsageTruth, VolumeTruth } from '#test/sim/truth';
import { resourcesFor } from '#test/sim/generated-resources';

const KIB = 1024;
const MIB = 1024 * KIB;
/** A label value with a space, comma, equals sign and double quote, to exercise escaping. */
export const AWKWARD_LABEL_VALUE = 'a b,c=d"e';

export interface PodLayout {
  nodeIndex: number;
  nodeStartMs: number;
  podsPerNode: number;
  containersPerPod: number;
  namespaces: string[];
  /** The node filesystem: containers' rootfs/logs and the volumes live on it. */
  nodeFs: FsTruth;
}

export function generatePods(layout: PodLayout): PodTruth[] {
  return Array.from({ length: layout.podsPerNode }, (_, p) => generatePod(layout, p));
}

function generatePod(layout: PodLayout, p: number): PodTruth {
  const n = layout.nodeIndex;
  const global = n * layout.podsPerNode + p;
  const startTimeMs = layout.nodeStartMs + 120_000 + p * 10_000;
  const containers = Array.from({ length: layout.containersPerPod }, (_, k) =>
    generateContainer(layout, p, k, startTimeMs),
  );
  const volumes = podVolumes(layout.nodeFs, p);
  return {
    name: `pod-${n}-${p}`,
    namespace: layout.namespaces[global % layout.namespaces.length] ?? 'default',
    uid: `${hex(n, 8)}-${hex(p, 4)}-4000-8000-${hex(global, 12)}`,
    labels: podLabels(n, p),
    startTimeMs,
    containers,
    ...sumUsage(containers),
    network: {
      interfaces: [
        {
          name: 'eth0',
          rxBytesPerSecond: 1000 * (p + 1) + n,
          txBytesPerSecond: 400 * (p + 1) + n,
          rxErrorsPerSecond: p % 2,
          txErrorsPerSecond: p % 3 === 0 ? 1 : 0,
        },
      ],
    },
    volumes,
    ephemeralStorage: ephemeralStorage(layout.nodeFs, containers, volumes),
  };
}

const sharedLabels = new Map<number, Readonly<Record<string, string>>>();

/** Labels depend on the pod index only, so pods share one frozen object per index. */
function podLabels(n: number, p: number): Record<string, string> {
  const base = { app: `app-${p % 3}`, tier: p % 2 === 0 ? 'frontend' : 'backend' };
  if (n === 0 && p === 0) return { ...base, note: AWKWARD_LABEL_VALUE };
  const labels = sharedLabels.get(p) ?? Object.freeze(base);
  sharedLabels.set(p, labels);
  return labels;
}

function generateContainer(layout: PodLayout, p: number, k: number, podStartMs: number): ContainerTruth {
  const local = p * layout.containersPerPod + k;
  const { spec, requests, limits } = resourcesFor(local);
  // One container starts out already restarted once, so restart_count is not always 0.
  const restarted = p === 1 && k === 0;
  const workingSetBytes = (16 + 4 * (local % 50)) * MIB;
  return {
    name: containerName(k),
    image: containerImage(k),
    startTimeMs: podStartMs + (restarted ? 600_000 : 1000 + k * 1000),
    restartCount: restarted ? 1 : 0,
    cpuMillicores: 10 + 7 * local,
    memory: memory(workingSetBytes, limits.memoryBytes),
    pageFaultsPerSecond: 50 + local,
    majorPageFaultsPerSecond: local % 3,
    rootfs: onNodeFs(layout.nodeFs, (1 + local) * MIB, 20 + local),
    logs: onNodeFs(layout.nodeFs, (64 + 16 * local) * KIB, 1),
    spec,
    requests,
    limits,
  };
}

function containerName(k: number): string {
  return k === 0 ? 'app' : k === 1 ? 'sidecar' : `worker-${k}`;
}

function containerImage(k: number): string {
  if (k === 0) return 'docker.io/library/nginx:1.27';
  if (k === 1) return 'docker.io/library/busybox:1.36';
  return `registry.example.com/worker-${k}:v1`;
}

/** Gauges derived from the working set; availableBytes only when there is a limit. */
export function memory(workingSetBytes: number, limitBytes = 0): MemoryTruth {
  const result: MemoryTruth = {
    workingSetBytes,
    usageBytes: workingSetBytes + 16 * MIB,
    rssBytes: workingSetBytes - 8 * MIB,
  };
  if (limitBytes > 0) result.availableBytes = limitBytes - workingSetBytes;
  return result;
}

function podVolumes(nodeFs: FsTruth, p: number): VolumeTruth[] {
  return [
    { name: 'data', source: 'emptyDir', fs: onNodeFs(nodeFs, (1 + p) * MIB, 3) },
    { name: 'config', source: 'configMap', fs: onNodeFs(nodeFs, 8 * KIB, 4) },
  ];
}

/** Something stored on the node filesystem: shares its capacity, availability and inodes. */
export function onNodeFs(nodeFs: FsTruth, usedBytes: number, inodesUsed: number): FsTruth {
  return { ...nodeFs, usedBytes, inodesUsed };
}

function ephemeralStorage(nodeFs: FsTruth, containers: ContainerTruth[], volumes: VolumeTruth[]): FsTruth {
  const parts = [...containers.flatMap((c) => [c.rootfs, c.logs]), ...volumes.map((v) => v.fs)];
  const used = parts.reduce((sum, fs) => sum + fs.usedBytes, 0);
  const inodes = parts.reduce((sum, fs) => sum + fs.inodesUsed, 0);
  return onNodeFs(nodeFs, used, inodes);
}

/** Sum of cpu, memory gauges and page-fault rates (no availableBytes on sums). */
export function sumUsage(parts: UsageTruth[]): UsageTruth {
  const total = (pick: (u: UsageTruth) => number): number => parts.reduce((sum, u) => sum + pick(u), 0);
  return {
    cpuMillicores: total((u) => u.cpuMillicores),
    memory: {
      workingSetBytes: total((u) => u.memory.workingSetBytes),
      usageBytes: total((u) => u.memory.usageBytes),
      rssBytes: total((u) => u.memory.rssBytes),
    },
    pageFaultsPerSecond: total((u) => u.pageFaultsPerSecond),
    majorPageFaultsPerSecond: total((u) => u.majorPageFaultsPerSecond),
  };
}

/** Zero-padded lowercase hex of `value`, `width` digits. */
export function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0').slice(-width);
}
