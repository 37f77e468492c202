/**
 * @module bench/scenarios
 * Cluster sizes measured by `npm run bench` (nodes × pods per node, 2 containers per pod).
 */
export interface Scenario {
  name: string;
  nodes: number;
  podsPerNode: number;
  /** Shards run one after another (5,000 nodes are collected as an Indexed Job of 5). */
  shards: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: '100x30', nodes: 100, podsPerNode: 30, shards: 1 },
  { name: '1000x30', nodes: 1000, podsPerNode: 30, shards: 1 },
  { name: '5000x30', nodes: 5000, podsPerNode: 30, shards: 5 },
];

/** The simulated cluster of a scenario: 2 containers a pod, 10 namespaces, one address past 200 nodes. */
export function scenarioCluster(s: Scenario, extra: { startTimeMs?: number } = {}) {
  return {
    nodes: s.nodes,
    podsPerNode: s.podsPerNode,
    containersPerPod: 2,
    namespaces: 10,
    sameAddress: s.nodes > 200,
    ...extra,
  };
}
