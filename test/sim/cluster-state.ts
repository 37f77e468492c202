/**
 * @module sim/cluster-state
 * The simulator's mutable state and the views the servers read from it: the API-server
 * sources (nodes, pods, namespaces, events) and each node's summary at the current time.
 */
import type { FixtureNodeTruth, GroundTruth, NodeTruth } from '#test/sim/truth';
import type { SimClock } from '#test/sim/clock';
import type { ApiAnswer, ApiData } from '#test/sim/api-routes';
import type { ApiGroupExtension } from '#test/sim/api-discovery';
import type { FieldTerm } from '#test/sim/selectors';
import { rfc3339 } from '#test/sim/clock';
import { arraySource, concatSources, type ListSource } from '#test/sim/api-lists';
import { createEventStore, type EventStore } from '#test/sim/events';
import { fixtureNodeObject, type FixtureNode } from '#test/sim/fixtures';
import { generatedNodeObject, generatedPodObject } from '#test/sim/generated-objects';
import { renderGeneratedSummary } from '#test/sim/generated-summary';
import { ownedObjects } from '#test/sim/generated-owners';
import { fixtureOwners } from '#test/sim/fixture-owners';
import { settleOomKills } from '#test/sim/varying-usage';

type Json = Record<string, unknown>;

export interface ClusterState {
  clock: SimClock;
  truth: GroundTruth;
  fixtures: Map<string, { fixture: FixtureNode; truth: FixtureNodeTruth }>;
  generated: Map<string, NodeTruth>;
  /** Current resourceVersion of generated pods by uid (absent = never changed = "1"). */
  podVersions: Map<string, number>;
  events: EventStore;
  extraApiGroups: ApiGroupExtension[];
  /** Hand-made API answers by path (SimCluster.setApiAnswer). */
  apiAnswers: Map<string, ApiAnswer>;
  /** Bump and return the cluster-wide resourceVersion. */
  nextResourceVersion(): number;
  resourceVersion(): number;
}

export function createClusterState(
  clock: SimClock,
  truth: GroundTruth,
  fixtures: FixtureNode[],
  extraApiGroups: ApiGroupExtension[],
): ClusterState {
  let resourceVersion = 1000;
  const nextResourceVersion = (): number => ++resourceVersion;
  const fixtureMap = new Map(fixtures.map((fixture, i) => [fixture.name, { fixture, truth: truth.fixtureNodes[i]! }]));
  return {
    clock,
    truth,
    fixtures: fixtureMap,
    generated: new Map(truth.nodes.map((n) => [n.name, n])),
    podVersions: new Map(),
    events: createEventStore(
      () => String(nextResourceVersion()),
      () => rfc3339(clock.nowMs()),
    ),
    extraApiGroups,
    apiAnswers: new Map(),
    nextResourceVersion,
    resourceVersion: () => resourceVersion,
  };
}

/** The `/stats/summary` body of node `name` at the simulated now. */
export function renderSummary(state: ClusterState, name: string): string {
  const now = state.clock.nowMs();
  settle(state);
  const generated = state.generated.get(name);
  if (generated) return renderGeneratedSummary(generated, now);
  const fixture = state.fixtures.get(name);
  if (!fixture) throw new Error(`no such node: ${name}`);
  return fixture.fixture.template.render(now, fixture.truth.baseTimeMs);
}

export function apiData(state: ClusterState): ApiData {
  const namespaces = namespaceObjects(state);
  return {
    resourceVersion: () => String(state.resourceVersion()),
    nodes: concatSources([generatedNodes(state), fixtureNodes(state)]),
    pods: allPods(state),
    replicaSets: arraySource([
      ...ownedObjects(state.truth.nodes, 'ReplicaSet'),
      ...fixtureOwners(fixturePods(state), 'ReplicaSet'),
    ]),
    jobs: arraySource([...ownedObjects(state.truth.nodes, 'Job'), ...fixtureOwners(fixturePods(state), 'Job')]),
    namespaces: () => namespaces,
    events: state.events,
    extraApiGroups: state.extraApiGroups,
    answers: state.apiAnswers,
  };
}

function generatedNodes(state: ClusterState): ListSource {
  const nodes = state.truth.nodes;
  return { size: () => nodes.length, at: (i) => generatedNodeObject(nodes[i]!) };
}

function fixtureNodes(state: ClusterState): ListSource {
  const entries = [...state.fixtures.values()];
  return {
    size: () => entries.length,
    at: (i) => {
      const { fixture, truth } = entries[i]!;
      return fixtureNodeObject(fixture, truth.address, truth.port);
    },
  };
}

function fixturePods(state: ClusterState): Json[] {
  return [...state.fixtures.values()].flatMap((f) => f.fixture.pods);
}

/** Generated pods (node-major order), then fixture pods; `spec.nodeName=<generated node>` narrows. */
function allPods(state: ClusterState): ListSource {
  const all = concatSources([generatedPods(state, state.truth.nodes), arraySource(fixturePods(state))]);
  return {
    ...all,
    narrow(terms: FieldTerm[]) {
      const term = terms.find((t) => t.path === 'spec.nodeName' && !t.negated);
      const node = term && state.generated.get(term.value);
      return node ? generatedPods(state, [node]) : undefined;
    },
  };
}

/** Varying usage: containers OOM-killed by now restart, and their pods get a new resourceVersion. */
function settle(state: ClusterState): void {
  for (const pod of settleOomKills(state.truth.nodes, state.clock.nowMs()))
    state.podVersions.set(pod.uid, state.nextResourceVersion());
}

function generatedPods(state: ClusterState, nodes: NodeTruth[]): ListSource {
  const perNode = nodes[0]?.pods.length ?? 0;
  return {
    size: () => {
      settle(state);
      return nodes.length * perNode;
    },
    at(i) {
      const node = nodes[Math.floor(i / perNode)]!;
      const pod = node.pods[i % perNode]!;
      return generatedPodObject(pod, node.name, state.podVersions.get(pod.uid) ?? 1);
    },
  };
}

function namespaceObjects(state: ClusterState): Json[] {
  const names = new Set(['default', 'kube-system', ...state.truth.namespaces]);
  for (const pod of fixturePods(state)) {
    const ns = (pod['metadata'] as { namespace?: string } | undefined)?.namespace;
    if (ns) names.add(ns);
  }
  const created = rfc3339(state.truth.startTimeMs - 86_400_000);
  return [...names].sort().map((name, i) => ({
    metadata: {
      name,
      uid: `00000000-0000-4000-b000-${String(i).padStart(12, '0')}`,
      resourceVersion: '1',
      creationTimestamp: created,
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}
