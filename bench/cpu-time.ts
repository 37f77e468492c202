/**
 * @module bench/cpu-time
 * What the stage benches share: a node derived as a run derives it, and the least process CPU
 * time of a few rounds (CPU rather than wall, so other work on the machine counts less).
 */
import { deriveNode } from '#shared/derive/node';
import type { NodeState } from '#shared/derive/types';
import type { NodeInfo, PodInfo, Summary } from '#shared/model';

/** One node's derive, with a gap wide enough (1 h) that every previous reading gives a rate. */
export function derive(summary: Summary, node: NodeInfo, pods: Map<string, PodInfo>, prev: NodeState | undefined) {
  return deriveNode({ summary, node, pods, prev, clusterName: undefined, maxGapMs: 3_600_000 });
}

/** Least CPU time of `rounds` calls of `fn`, in ms. */
export function best(rounds: number, fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t = process.cpuUsage();
    fn();
    const used = process.cpuUsage(t);
    min = Math.min(min, (used.user + used.system) / 1000);
  }
  return min;
}
