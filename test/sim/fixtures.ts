/**
 * @module sim/fixtures
 * Fixture-backed nodes: a real captured `/stats/summary` replayed at simulated time (see
 * sim/summary-template), plus the matching real Node and Pod objects when the capture comes
 * with an API-server snapshot (1.35 and 1.16 minikube), else minimal ones synthesized from it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { FIXTURES_DIR } from '#test/helpers/paths';
import { compileSummaryTemplate, type SummaryTemplate } from '#test/sim/summary-template';
import { synthesizedNode, synthesizedPods, type SummaryDoc } from '#test/sim/fixture-objects';

type Json = Record<string, unknown>;

/** The project's fixtures folder (test/fixtures; see SOURCES.md there). */
export function fixturesDir(): string {
  return FIXTURES_DIR;
}

/** Captures whose API-server snapshot (nodes + pods) was taken from the same cluster. */
const API_SNAPSHOTS: ReadonlyArray<{ summaryPrefix: string; nodes: string; pods: string }> = [
  {
    summaryPrefix: 'summary_k8s-1.35.0_',
    nodes: 'nodes_k8s-1.35_minikube_nri-kubernetes_from-kubectl-yaml.json',
    pods: 'pods_k8s-1.35_minikube_nri-kubernetes_from-kubectl-yaml.json',
  },
  {
    summaryPrefix: 'summary_k8s-1.16.15_',
    nodes: 'nodes_k8s-1.16_minikube_nri-kubernetes_from-kubectl-yaml.json',
    pods: 'pods_k8s-1.16_minikube_nri-kubernetes_from-kubectl-yaml.json',
  },
];

export interface FixtureNode {
  name: string;
  file: string;
  template: SummaryTemplate;
  /** Node object without address/port; see {@link fixtureNodeObject}. */
  node: Json;
  /** Pods of the snapshot (live-list item shape), including unscheduled/finished ones. */
  pods: Json[];
}

/** Load one fixture node from a kubelet-summary file name (or absolute path). */
export function loadFixtureNode(file: string): FixtureNode {
  const path = isAbsolute(file) ? file : join(fixturesDir(), 'kubelet-summary', file);
  const text = readFileSync(path, 'utf8');
  // Parsed only to read names and shapes; the served bytes come from `text`.
  const summary = JSON.parse(text) as SummaryDoc;
  const name = summary.node.nodeName;
  const snapshot = API_SNAPSHOTS.find((s) => file.includes(s.summaryPrefix));
  const node = snapshot ? snapshotNode(snapshot.nodes, name) : synthesizedNode(summary, file);
  const pods = snapshot ? snapshotItems(snapshot.pods) : synthesizedPods(summary);
  return { name, file, template: compileSummaryTemplate(text), node, pods };
}

/** The Node object with its InternalIP and kubelet port pointing at the simulated kubelet. */
export function fixtureNodeObject(fixture: FixtureNode, address: string, port: number): Json {
  const node = structuredClone(fixture.node) as {
    status?: { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: unknown };
  };
  const status = (node.status ??= {});
  const others = (status.addresses ?? []).filter((a) => a.type !== 'InternalIP');
  status.addresses = [{ type: 'InternalIP', address }, ...others];
  status.daemonEndpoints = { kubeletEndpoint: { Port: port } };
  return node as Json;
}

function snapshotNode(nodesFile: string, name: string): Json {
  const node = snapshotItems(nodesFile).find(
    (item) => (item['metadata'] as { name?: string } | undefined)?.name === name,
  );
  if (!node) throw new Error(`${nodesFile} has no node named ${name}`);
  return node;
}

/** `kubectl get -o yaml` lists → live-list items (no per-item kind/apiVersion). */
function snapshotItems(file: string): Json[] {
  const path = join(fixturesDir(), 'apiserver', file);
  const list = JSON.parse(readFileSync(path, 'utf8')) as { items: Json[] };
  return list.items.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item);
}
