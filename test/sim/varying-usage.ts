/**
 * @module sim/varying-usage
 * Usage that varies the way real usage does (SimOptions.usage = 'varying'), deterministic from a
 * seed and the simulated clock. By the pod's index on its node (`p % 6`, the same index that
 * picks its owner in sim/generated-owners):
 *   0 daily cycle + noise + short bursts (Deployment `web`)
 *   1 a memory leak: the working set grows from the container's start (StatefulSet `db`)
 *   2 its first container leaks up to its memory limit and is OOM-killed every 20 minutes
 *     (DaemonSet `agent`); the others are noise
 *   3 mostly idle, with a burst every 10 minutes (CronJob `backup`)
 *   4 a strong daily cycle (bare pods)
 *   5 noise only (ReplicaSet `legacy`)
 * Each node gets its own phases, so the pods of one workload differ. Pods and nodes sum their
 * parts, so every level's counter is the exact integral of its usage.
 */
import type { ContainerTruth, MemoryTruth, NodeTruth, PodTruth, UsageTruth, VaryingUsage } from '#test/sim/truth';
import { cpuUsed, DAY_S, seeded, waveGauge, type CpuShape, type Wave } from '#test/sim/usage-curves';
import { memory } from '#test/sim/generated-pods';

const MIB = 2 ** 20;
/** How often the OOM-killed container dies (whole seconds, so kills fall on whole seconds). */
export const OOM_PERIOD_MS = 1_200_000;
/** The leaking container's growth, bytes per second (≈ 5 MiB an hour). */
export const LEAK_BYTES_PER_S = 1456;

/** Gives every generated container, pod and node a varying usage (in place). */
export function addVaryingUsage(nodes: readonly NodeTruth[], seed: number, originMs: number): void {
  for (const [n, node] of nodes.entries()) {
    const random = seeded(seed * 7919 + n);
    for (const [p, pod] of node.pods.entries()) {
      for (const [k, c] of pod.containers.entries()) c.varying = containerUsage(c, p % 6, k, originMs, random);
      pod.varying = sumVarying(pod.containers);
    }
    node.varying = sumVarying([...node.pods, ...node.systemContainers], node.capacityAmounts.memoryBytes);
  }
}

const killable = new WeakMap<readonly NodeTruth[], Array<[PodTruth, ContainerTruth]>>();

/** Moves each OOM-killed container to its latest restart at `nowMs`; returns the pods that changed. */
export function settleOomKills(nodes: readonly NodeTruth[], nowMs: number): PodTruth[] {
  // Found once per cluster: the API server calls this on every list, of clusters of any size.
  let list = killable.get(nodes);
  if (!list) {
    list = nodes.flatMap((n) =>
      n.pods.flatMap((p) => p.containers.filter((c) => c.oomKills).map((c) => [p, c] as [PodTruth, ContainerTruth])),
    );
    killable.set(nodes, list);
  }
  const changed: PodTruth[] = [];
  for (const [pod, c] of list) {
    const kills = c.oomKills!;
    const k = Math.max(0, Math.floor((nowMs - kills.firstStartMs) / kills.periodMs));
    const startTimeMs = kills.firstStartMs + k * kills.periodMs;
    if (c.startTimeMs === startTimeMs) continue;
    c.startTimeMs = startTimeMs;
    c.restartCount = kills.restartsBefore + k;
    changed.push(pod);
  }
  return changed;
}

function containerUsage(c: ContainerTruth, profile: number, k: number, originMs: number, random: () => number) {
  const base = c.cpuMillicores;
  const phase = (periodS: number): number => Math.floor(random() * periodS);
  const noise = (share: number): Wave[] => [
    { amplitude: share * 0.6 * base, periodS: 420, phaseS: phase(420) },
    { amplitude: share * 0.4 * base, periodS: 139, phaseS: phase(139) },
  ];
  const daily = (share: number): Wave => ({ amplitude: share * base, periodS: DAY_S, phaseS: phase(DAY_S) });
  const shape: CpuShape = { originMs, base, waves: noise(0.2) };
  if (profile === 0) {
    shape.waves = [daily(0.5), ...noise(0.2)];
    shape.bursts = { height: 3 * base, periodS: 780, durationS: 95, offsetS: phase(780) };
  } else if (profile === 1) shape.waves = [daily(0.3), ...noise(0.2)];
  else if (profile === 3) {
    shape.base = 0.3 * base;
    shape.waves = noise(0.1);
    shape.bursts = { height: 4 * base, periodS: 600, durationS: 60, offsetS: phase(600) };
  } else if (profile === 4) shape.waves = [daily(0.6), ...noise(0.15)];
  const workingSet = c.memory.workingSetBytes;
  const memWaves: Wave[] = [
    { amplitude: profile === 0 || profile === 4 ? workingSet / 4 : 0, periodS: DAY_S, phaseS: phase(DAY_S) },
    { amplitude: workingSet / 20, periodS: 600, phaseS: phase(600) },
  ];
  const limit = c.limits.memoryBytes;
  if (profile === 2 && k === 0 && limit > workingSet)
    c.oomKills = { firstStartMs: c.startTimeMs, periodMs: OOM_PERIOD_MS, restartsBefore: c.restartCount };
  const workingSetAt = (ms: number): number => {
    if (c.oomKills) {
      const sinceKill = mod(ms - c.oomKills.firstStartMs, OOM_PERIOD_MS);
      return workingSet + Math.floor(((limit - workingSet) * sinceKill) / OOM_PERIOD_MS);
    }
    const leak = profile === 1 ? Math.floor((LEAK_BYTES_PER_S * Math.max(0, ms - c.startTimeMs)) / 1000) : 0;
    return leak + waveGauge(workingSet, memWaves, originMs, ms, 9 * MIB);
  };
  return {
    cpuUsed: (from: number, to: number) => cpuUsed(shape, from, to),
    memoryAt: (ms: number) => memory(workingSetAt(ms), limit),
  } satisfies VaryingUsage;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The sum of parts, each varying or constant; `capacityBytes` gives a node its availableBytes. */
function sumVarying(parts: readonly UsageTruth[], capacityBytes?: number): VaryingUsage {
  return {
    cpuUsed: (from, to) =>
      parts.reduce(
        (sum, u) => sum + (u.varying ? u.varying.cpuUsed(from, to) : (u.cpuMillicores * (to - from)) / 1000),
        0,
      ),
    memoryAt: (ms) => {
      const total: MemoryTruth = { workingSetBytes: 0, usageBytes: 0, rssBytes: 0 };
      for (const u of parts) {
        const m = u.varying ? u.varying.memoryAt(ms) : u.memory;
        total.workingSetBytes += m.workingSetBytes;
        total.usageBytes += m.usageBytes;
        total.rssBytes += m.rssBytes;
      }
      if (capacityBytes !== undefined) total.availableBytes = capacityBytes - total.workingSetBytes;
      return total;
    },
  };
}
