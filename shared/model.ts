/**
 * @module model
 * The typed data that flows through scrape → decode → derive → encode → write.
 * Decoded kubelet values keep the kubelet's units, named in the field (`…Bytes`, `…NanoCores`);
 * times are epoch milliseconds. Every field may be missing: kubelets omit what they lack.
 */

/** Pressure stall information of one resource (Linux PSI, kubelet ≥ 1.34 with cgroup v2). */
export interface PsiLine {
  /** Percent of wall time stalled, averaged by the kernel over 10 s, 60 s and 300 s. */
  avg10?: number;
  avg60?: number;
  avg300?: number;
  /** Cumulative stall time in µs. */
  totalMicros?: number;
}

/** `some`: at least one task stalled; `full`: all non-idle tasks stalled at once. */
export interface Psi {
  some?: PsiLine;
  full?: PsiLine;
}

export interface CpuSample {
  timeMs?: number;
  psi?: Psi;
  /** Instantaneous usage averaged by the kubelet over its last ~10–15 s window, in 1e-9 cores. */
  usageNanoCores?: number;
  /** Cumulative CPU time since the cgroup started, in core·nanoseconds. */
  usageCoreNanoSeconds?: number;
}

export interface MemorySample {
  timeMs?: number;
  psi?: Psi;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  /** Cumulative counts. */
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface NetworkSample {
  timeMs?: number;
  /** Cumulative counters of the default interface. */
  rxBytes?: number;
  rxErrors?: number;
  txBytes?: number;
  txErrors?: number;
}

export interface FsSample {
  usedBytes?: number;
  capacityBytes?: number;
  availableBytes?: number;
  inodes?: number;
  inodesFree?: number;
}

export interface AcceleratorSample {
  make: string;
  model: string;
  id: string;
  memoryTotalBytes?: number;
  memoryUsedBytes?: number;
  /** Percent of the last 10 s the accelerator was busy. */
  dutyCyclePercent?: number;
}

export interface CustomMetricSample {
  name: string;
  kind: 'gauge' | 'cumulative' | 'delta';
  value: number;
  timeMs?: number;
}

/** The summary's `io` block: only pressure so far. */
export interface IoSample {
  timeMs?: number;
  psi?: Psi;
}

export interface SwapSample {
  timeMs?: number;
  usageBytes?: number;
  /** Missing where no swap limit applies (pods, some containers). */
  availableBytes?: number;
}

/** What node, pod and container stats share. */
export interface Measured {
  startTimeMs?: number;
  cpu?: CpuSample;
  memory?: MemorySample;
  io?: IoSample;
  swap?: SwapSample;
}

export interface ContainerStats extends Measured {
  name: string;
  rootfs?: FsSample;
  logs?: FsSample;
  accelerators: AcceleratorSample[];
  custom: CustomMetricSample[];
}

export interface VolumeStats {
  name: string;
  fs: FsSample;
}

export interface PodStats extends Measured {
  name: string;
  namespace: string;
  uid: string;
  containers: ContainerStats[];
  network?: NetworkSample;
  volumes: VolumeStats[];
  ephemeralStorage?: FsSample;
  /** `process_stats.process_count`. */
  processCount?: number;
}

export interface NodeStats extends Measured {
  name: string;
  systemContainers: ContainerStats[];
  network?: NetworkSample;
  fs?: FsSample;
  imageFs?: FsSample;
  /** `rlimit`: processes running on the node and the most it allows (kernel pid_max). */
  processCount?: number;
  processMax?: number;
}

/** One kubelet's `/stats/summary`, decoded. */
export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** Resource amounts from Node status or container specs: CPU in millicores, the rest in bytes or counts. */
export interface Resources {
  cpuMillicores?: number;
  memoryBytes?: number;
  ephemeralStorageBytes?: number;
  /** Any other resource (e.g. `nvidia.com/gpu`), as a plain number. */
  other?: Record<string, number>;
}

export interface NodeAddress {
  type: string;
  address: string;
}

/** What a run needs from a Node object. */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  addresses: NodeAddress[];
  /** `status.daemonEndpoints.kubeletEndpoint.Port`. */
  kubeletPort?: number;
  capacity: Resources;
  allocatable: Resources;
  /** False only when a Ready condition exists and is not True (Heapster skipped those). */
  ready: boolean;
}

export interface ContainerSpec {
  name: string;
  image: string;
  requests: Resources;
  limits: Resources;
  restartCount: number;
  /** `status.containerStatuses[].lastState.terminated`, when the container ever terminated. */
  lastTermination?: Termination;
}

/** Why and when a container last stopped (what explains a restart). */
export interface Termination {
  /** `OOMKilled`, `Error`, `Completed`, … (`Unknown` when the kubelet gave none). */
  reason: string;
  exitCode: number;
  /** `finishedAt`, epoch ms; undefined when not reported. */
  finishedAtMs?: number;
}

/** What a run needs from a Pod object. */
export interface PodInfo {
  name: string;
  namespace: string;
  uid: string;
  nodeName?: string;
  labels: Record<string, string>;
  /** Labels dropped beyond the per-pod cap (decode/labels); absent when none were. */
  labelsDropped?: number;
  containers: ContainerSpec[];
  /** The controller ownerReference (`kind`, `name`), as listed; undefined for a bare pod. */
  owner?: OwnerRef;
  /** The workload the pod belongs to (derive/workload.ts), set once the owners are known. */
  workload?: OwnerRef;
}

/** A ReplicaSet or Job: its namespace, name and controller (Deployment, CronJob, …) if any. */
export interface OwnedObject {
  namespace: string;
  name: string;
  owner?: OwnerRef;
}

export interface OwnerRef {
  kind: string;
  name: string;
}

/** Heapster's object types (the `type` tag). */
export type ObjectType = 'node' | 'pod' | 'pod_container' | 'sys_container' | 'ns' | 'workload' | 'cluster';

/** Tag key → value; empty values are dropped at encoding, as Heapster's client did. */
export type Tags = Record<string, string>;
