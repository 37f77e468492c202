/**
 * @module sim/generated-summary
 * Renders a generated node's kubelet Summary (stats/v1alpha1 field names) at a simulated time.
 * Built fresh per request: cheap (one node), and nothing is precomputed for big clusters.
 */
import type {
  ContainerTruth,
  FsTruth,
  NetworkTruth,
  NodeTruth,
  PodTruth,
  PsiTruth,
  UsageTruth,
  VolumeTruth,
} from '#test/sim/truth';
import { counterAt, rfc3339 } from '#test/sim/clock';
import { cpuCounterAt, memoryAt, usageNanoCoresAt } from '#test/sim/usage-truth';

type Json = Record<string, unknown>;

/** The `/stats/summary` body for `node` at simulated time `nowMs`. */
export function renderGeneratedSummary(node: NodeTruth, nowMs: number): string {
  const time = rfc3339(nowMs);
  const summary = {
    node: {
      nodeName: node.name,
      systemContainers: node.systemContainers.map((c) => ({
        name: c.name,
        startTime: rfc3339(c.startTimeMs),
        ...usageBlocks(c, c.startTimeMs, nowMs),
      })),
      startTime: rfc3339(node.startTimeMs),
      ...usageBlocks(node, node.startTimeMs, nowMs),
      network: network(node.network, node.startTimeMs, nowMs),
      fs: fs(node.fs, time),
      runtime: { imageFs: fs(node.imageFs, time) },
      ...(node.processes ? { rlimit: { time, maxpid: node.processes.max, curproc: node.processes.count } } : {}),
    },
    pods: node.pods.map((pod) => podStats(pod, nowMs)),
  };
  return JSON.stringify(summary);
}

function podStats(pod: PodTruth, nowMs: number): Json {
  const time = rfc3339(nowMs);
  return {
    podRef: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
    startTime: rfc3339(pod.startTimeMs),
    containers: pod.containers.map((c) => containerStats(c, nowMs)),
    ...usageBlocks(pod, pod.startTimeMs, nowMs),
    network: network(pod.network, pod.startTimeMs, nowMs),
    volume: pod.volumes.map((v) => volumeStats(v, time)),
    'ephemeral-storage': fs(pod.ephemeralStorage, time),
    ...(pod.processCount !== undefined ? { process_stats: { process_count: pod.processCount } } : {}),
  };
}

function containerStats(c: ContainerTruth, nowMs: number): Json {
  const time = rfc3339(nowMs);
  return {
    name: c.name,
    startTime: rfc3339(c.startTimeMs),
    ...usageBlocks(c, c.startTimeMs, nowMs),
    rootfs: fs(c.rootfs, time),
    logs: fs(c.logs, time),
  };
}

/** `cpu` and `memory` blocks; counters run from `startMs` (the owner's start time). */
function usageBlocks(u: UsageTruth, startMs: number, nowMs: number): Json {
  const time = rfc3339(nowMs);
  const memory: Json = { time };
  const m = memoryAt(u, nowMs);
  if (m.availableBytes !== undefined) memory['availableBytes'] = m.availableBytes;
  Object.assign(memory, {
    usageBytes: m.usageBytes,
    workingSetBytes: m.workingSetBytes,
    rssBytes: m.rssBytes,
    pageFaults: counterAt(u.pageFaultsPerSecond, startMs, nowMs),
    majorPageFaults: counterAt(u.majorPageFaultsPerSecond, startMs, nowMs),
  });
  const cpu: Json = {
    time,
    usageNanoCores: usageNanoCoresAt(u, startMs, nowMs),
    usageCoreNanoSeconds: cpuCounterAt(u, startMs, nowMs),
  };
  const blocks: Json = { cpu, memory };
  if (u.pressure) {
    cpu['psi'] = psi(u.pressure.cpu, startMs, nowMs);
    memory['psi'] = psi(u.pressure.memory, startMs, nowMs);
    blocks['io'] = { time, psi: psi(u.pressure.io, startMs, nowMs) };
  }
  if (u.swap) {
    const swap: Json = { time, swapUsageBytes: u.swap.usageBytes };
    if (u.swap.availableBytes !== undefined) swap['swapAvailableBytes'] = u.swap.availableBytes;
    blocks['swap'] = swap;
  }
  return blocks;
}

/** The kubelet's `psi` object; `total` (µs stalled) runs from `startMs` like every counter. */
function psi(p: PsiTruth, startMs: number, nowMs: number): Json {
  const line = (l: PsiTruth['some']): Json => ({
    total: counterAt(l.totalMicrosPerSecond, startMs, nowMs),
    avg10: l.avg10,
    avg60: l.avg60,
    avg300: l.avg300,
  });
  return { full: line(p.full), some: line(p.some) };
}

function network(net: NetworkTruth, startMs: number, nowMs: number): Json {
  const interfaces = net.interfaces.map((i) => ({
    name: i.name,
    rxBytes: counterAt(i.rxBytesPerSecond, startMs, nowMs),
    rxErrors: counterAt(i.rxErrorsPerSecond, startMs, nowMs),
    txBytes: counterAt(i.txBytesPerSecond, startMs, nowMs),
    txErrors: counterAt(i.txErrorsPerSecond, startMs, nowMs),
  }));
  const [defaultInterface] = interfaces;
  return { time: rfc3339(nowMs), ...defaultInterface, interfaces };
}

function fs(f: FsTruth, time: string): Json {
  return {
    time,
    availableBytes: f.availableBytes,
    capacityBytes: f.capacityBytes,
    usedBytes: f.usedBytes,
    inodesFree: f.inodesFree,
    inodes: f.inodes,
    inodesUsed: f.inodesUsed,
  };
}

function volumeStats(v: VolumeTruth, time: string): Json {
  return { ...fs(v.fs, time), name: v.name };
}
