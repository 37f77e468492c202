/**
 * @module test/helpers/recommend-truth
 * The right-sizing recommendations worked out from the simulator's exact truth alone (issue 25
 * §1), for comparison with the query service: nothing here calls the code under test.
 * For every run after the first, a container's true CPU is Δcounter ÷ Δt since the previous run
 * (none across a restart, where the collector writes the kubelet's sample instead); a 5-minute
 * window's value is the mean of its runs' values; the p95 is the nearest rank.
 */
import type { ContainerTruth, NodeTruth, PodTruth } from '#test/sim/truth';
import { meanMillicores, memoryAt } from '#test/sim/usage-truth';

const MIB = 2 ** 20;
const WINDOW = 300_000;
const HOUR = 3_600_000;

export interface TruthRecommendation {
  pods: number;
  windows: number;
  p95: number;
  cpuRecommended: number;
  maxBytes: number;
  memoryRecommended: number;
  oomKills: number;
  cpuRequest: number | null;
  memoryRequest: number | null;
  memoryLimit: number | null;
}

/** Start of the container's run at `t` (an OOM-killed one restarts every period). */
function startAt(c: ContainerTruth, t: number): number {
  const k = c.oomKills;
  if (!k) return c.startTimeMs;
  return k.firstStartMs + Math.max(0, Math.floor((t - k.firstStartMs) / k.periodMs)) * k.periodMs;
}

/** The workload key the query service uses: bare pods of a namespace are one. */
export function workloadKey(pod: PodTruth): string {
  const w = pod.workload!;
  return `${pod.namespace}/${w.kind}/${w.kind === 'Pod' ? '_bare' : w.name}`;
}

/** Truth per `namespace/kind/name` → container name, over the collection runs at `times`. */
export function truthRecommendations(
  nodes: readonly NodeTruth[],
  times: readonly number[],
): Map<string, Map<string, TruthRecommendation>> {
  const groups = new Map<string, Map<string, Array<[PodTruth, ContainerTruth]>>>();
  for (const pod of nodes.flatMap((n) => n.pods))
    for (const c of pod.containers) {
      const key = workloadKey(pod);
      const byName = groups.get(key) ?? new Map<string, Array<[PodTruth, ContainerTruth]>>();
      groups.set(key, byName);
      byName.set(c.name, [...(byName.get(c.name) ?? []), [pod, c]]);
    }
  const out = new Map<string, Map<string, TruthRecommendation>>();
  for (const [key, byName] of groups) {
    const m = new Map<string, TruthRecommendation>();
    for (const [name, members] of byName) m.set(name, containerTruth(members, times));
    out.set(key, m);
  }
  return out;
}

function containerTruth(members: Array<[PodTruth, ContainerTruth]>, times: readonly number[]): TruthRecommendation {
  const windows: number[] = [];
  const pods = new Set<string>();
  let maxBytes = 0;
  const kills = new Set<string>();
  for (const [pod, c] of members) {
    const perWindow = new Map<number, number[]>();
    for (const [i, t] of times.entries()) {
      maxBytes = Math.max(maxBytes, memoryAt(c, t).workingSetBytes);
      const start = startAt(c, t);
      if (c.oomKills && start > c.oomKills.firstStartMs && t - start < HOUR) kills.add(`${pod.name}@${start}`);
      if (i === 0 || startAt(c, times[i - 1]!) !== start) continue;
      const w = Math.floor(t / WINDOW) * WINDOW;
      perWindow.set(w, [...(perWindow.get(w) ?? []), meanMillicores(c, start, times[i - 1]!, t)]);
    }
    for (const values of perWindow.values()) windows.push(values.reduce((a, b) => a + b, 0) / values.length);
    if (perWindow.size > 0) pods.add(pod.name);
  }
  windows.sort((a, b) => a - b);
  const p95 = windows[Math.ceil(0.95 * windows.length) - 1]!;
  const [, first] = members[0]!;
  const limit = first.limits.memoryBytes || null;
  // Whole bytes: × 115 ÷ 100 and × 12 ÷ 10 in integers, so the rounding up is exact.
  let memoryRecommended = Math.ceil((maxBytes * 115) / (100 * MIB)) * MIB;
  if (kills.size > 0 && limit)
    memoryRecommended = Math.max(memoryRecommended, Math.ceil((limit * 12) / (10 * MIB)) * MIB);
  return {
    pods: pods.size,
    windows: windows.length,
    p95,
    // Float sums of exact integers: forgive the last bits above a whole millicore.
    cpuRecommended: Math.max(1, Math.ceil(p95 * (1 - 1e-12))),
    maxBytes,
    memoryRecommended,
    oomKills: kills.size,
    cpuRequest: first.requests.cpuMillicores || null,
    memoryRequest: first.requests.memoryBytes || null,
    memoryLimit: limit,
  };
}
