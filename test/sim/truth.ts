/**
 * @module sim/truth
 * Ground truth of the generated workload: the constant parameters every payload is computed
 * from, so a test can work out the exact expected value of any metric at any simulated time.
 *
 * By default gauges are constant. Every cumulative counter of an object with start time `s` reads
 * `counterAt(rate, s, now)` (see sim/clock): rate × whole seconds elapsed since `s`.
 * CPU: `usageNanoCores = cpuMillicores × 1e6`, `usageCoreNanoSeconds = cpuCoreNanoSecondsAt(…)`.
 * With `usage: 'varying'` (sim/varying-usage) CPU and the working set follow `varying` instead,
 * and sim/usage-truth reads any object's exact values at any instant.
 */

/** Filesystem gauges as in the kubelet's FsStats (bytes, inode counts). */
export interface FsTruth {
  capacityBytes: number;
  usedBytes: number;
  availableBytes: number;
  inodes: number;
  inodesFree: number;
  inodesUsed: number;
}

/** Memory gauges in bytes. */
export interface MemoryTruth {
  workingSetBytes: number;
  usageBytes: number;
  rssBytes: number;
  /** limit − working set; undefined when there is no memory limit (kubelet omits the field). */
  availableBytes?: number;
}

/** One PSI line: the kernel's averages (percent) and the rate its `total` grows at (µs stalled per s). */
export interface PsiLineTruth {
  avg10: number;
  avg60: number;
  avg300: number;
  totalMicrosPerSecond: number;
}

export interface PsiTruth {
  some: PsiLineTruth;
  full: PsiLineTruth;
}

/** Pressure of the three resources, on kubelets that report it (≥ 1.34, cgroup v2). */
export interface PressureTruth {
  cpu: PsiTruth;
  memory: PsiTruth;
  io: PsiTruth;
}

export interface SwapTruth {
  usageBytes: number;
  /** Omitted by the kubelet for pods. */
  availableBytes?: number;
}

/**
 * Usage that changes with time. The CPU counter is the exact integral of the usage curve, so the
 * true mean over any interval is Δcounter ÷ Δt (sim/usage-truth).
 */
export interface VaryingUsage {
  /** CPU time used in (fromMs, toMs], millicore·seconds (closed form, exact). */
  cpuUsed(fromMs: number, toMs: number): number;
  /** Memory gauges at an instant. */
  memoryAt(nowMs: number): MemoryTruth;
}

/** A container OOM-killed every `periodMs`: kill k happens at `firstStartMs + k × periodMs`. */
export interface OomKillTruth {
  firstStartMs: number;
  periodMs: number;
  restartsBefore: number;
}

/** Usage shared by nodes, pods and containers. */
export interface UsageTruth {
  /** Constant CPU usage in millicores (with `varying`: the curve's base). */
  cpuMillicores: number;
  /** Set when the simulator runs with varying usage; then it overrides cpuMillicores and memory. */
  varying?: VaryingUsage;
  memory: MemoryTruth;
  pageFaultsPerSecond: number;
  majorPageFaultsPerSecond: number;
  /** Only on nodes whose kubelet reports the new signals (see sim/generated-signals). */
  pressure?: PressureTruth;
  swap?: SwapTruth;
}

export interface InterfaceTruth {
  name: string;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  rxErrorsPerSecond: number;
  txErrorsPerSecond: number;
}

/** `interfaces[0]` is the default interface, the one repeated in the top-level rx/tx fields. */
export interface NetworkTruth {
  interfaces: InterfaceTruth[];
}

/** Parsed requests or limits; 0 means unset (Heapster's convention). */
export interface ResourceAmounts {
  cpuMillicores: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

export interface ContainerTruth extends UsageTruth {
  name: string;
  image: string;
  /** Current container start; restartContainer() moves it to "now" and counters restart at 0. */
  startTimeMs: number;
  restartCount: number;
  rootfs: FsTruth;
  logs: FsTruth;
  /** The quantity strings exactly as written in the Pod spec (`{}` when unset). */
  spec: { requests: Record<string, string>; limits: Record<string, string> };
  requests: ResourceAmounts;
  limits: ResourceAmounts;
  /** Varying usage only: the working set leaks up to the limit, and the kernel kills it. */
  oomKills?: OomKillTruth;
}

export interface VolumeTruth {
  name: string;
  source: 'emptyDir' | 'configMap';
  fs: FsTruth;
}

/** Pod usage = sum of its containers (the pod cgroup); its counters run from `startTimeMs`. */
export interface PodTruth extends UsageTruth {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  startTimeMs: number;
  containers: ContainerTruth[];
  network: NetworkTruth;
  volumes: VolumeTruth[];
  /** rootfs + logs of every container + every volume (emptyDir and configMap count, as in the kubelet). */
  ephemeralStorage: FsTruth;
  /** process_stats.process_count, where reported. */
  processCount?: number;
  /** The pod's controller ownerReference as served; undefined for a bare pod. */
  owner?: { kind: string; name: string };
  /** The workload a collector must resolve it to (sim/generated-owners). */
  workload?: { kind: string; name: string };
}

export type SystemContainerName = 'kubelet' | 'runtime' | 'pods' | 'misc';

export interface SystemContainerTruth extends UsageTruth {
  name: SystemContainerName;
  startTimeMs: number;
}

/** Capacity or allocatable, parsed. */
export interface NodeResources {
  cpuMillicores: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  pods: number;
}

/** Node usage = sum of its pods + its system containers (reported as the node's own values). */
export interface NodeTruth extends UsageTruth {
  name: string;
  uid: string;
  /** The kubelet's loopback address and port (filled in once the kubelet listens). */
  address: string;
  port: number;
  startTimeMs: number;
  labels: Record<string, string>;
  kubeletVersion: string;
  /** Quantity strings as served in Node.status.capacity / allocatable. */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  capacityAmounts: NodeResources;
  allocatableAmounts: NodeResources;
  network: NetworkTruth;
  fs: FsTruth;
  imageFs: FsTruth;
  systemContainers: SystemContainerTruth[];
  pods: PodTruth[];
  /** rlimit (curproc, maxpid), where reported. */
  processes?: { count: number; max: number };
}

/** A fixture-backed node: replayed payload, no exact parameters (see sim/fixtures). */
export interface FixtureNodeTruth {
  name: string;
  file: string;
  address: string;
  port: number;
  /** Simulated instant at which the payload's counters read exactly as in the file. */
  baseTimeMs: number;
}

export interface GroundTruth {
  /** Simulated clock at startup (whole second). */
  startTimeMs: number;
  /** Namespaces the generated pods are spread over (`ns-0`, `ns-1`, …). */
  namespaces: string[];
  nodes: NodeTruth[];
  fixtureNodes: FixtureNodeTruth[];
}
