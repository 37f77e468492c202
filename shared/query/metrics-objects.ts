/**
 * @module query/metrics-objects
 * metrics.k8s.io/v1beta1 objects exactly as metrics-server shapes them (kubelet-and-apis.md §4):
 * list items without kind/apiVersion, `creationTimestamp` = when the answer was built, labels
 * copied from the object (here from the `labels` tag), CPU in nanocores and memory in BinarySI.
 */
import { cpuQuantity, goDuration, memoryQuantity, rfc3339Seconds } from '#shared/query/format';
import { parseLabelsTag } from '#shared/query/labels-tag';
import type { NodeUsage, PodUsage, Reading, Usage } from '#shared/query/usage-query';

export const GROUP_VERSION = 'metrics.k8s.io/v1beta1';

type Json = Record<string, unknown>;

export interface WindowPolicy {
  /** METRICS_WINDOW, when set: every answer carries this window. */
  fixedMs?: number | undefined;
  /** The collection interval: a rate with no earlier point in view covers one interval. */
  intervalMs: number;
}

export interface Built {
  nowMs: number;
  window: WindowPolicy;
}

/**
 * `window` is the span the CPU rate is an average over: the spacing of the object's last two
 * points (the collector's rate is Δcpu/usage over exactly that span), else one interval.
 */
function windowOf(cpu: Reading, policy: WindowPolicy): string {
  if (policy.fixedMs !== undefined) return goDuration(policy.fixedMs);
  return goDuration(cpu.prevTimeMs !== undefined ? cpu.timeMs - cpu.prevTimeMs : policy.intervalMs);
}

function complete(u: Usage): u is Required<Usage> {
  return u.cpu !== undefined && u.memory !== undefined;
}

function usage(u: Required<Usage>): Json {
  return { cpu: cpuQuantity(u.cpu.value), memory: memoryQuantity(u.memory.value) };
}

/** The NodeMetrics list item, or undefined when CPU or memory is missing (metrics-server omits it). */
export function nodeItem(node: NodeUsage, b: Built): Json | undefined {
  if (!complete(node)) return undefined;
  return {
    metadata: { name: node.name, creationTimestamp: rfc3339Seconds(b.nowMs), labels: parseLabelsTag(node.labels) },
    timestamp: rfc3339Seconds(Math.min(node.cpu.timeMs, node.memory.timeMs)),
    window: windowOf(node.cpu, b.window),
    usage: usage(node),
  };
}

/**
 * The PodMetrics list item, only when every container seen has both readings (HPA needs whole
 * pods). timestamp/window come from the container read earliest, as metrics-server does.
 */
export function podItem(pod: PodUsage, b: Built): Json | undefined {
  const containers = [...pod.containers].sort(([a], [z]) => (a < z ? -1 : a > z ? 1 : 0));
  if (containers.length === 0 || !containers.every(([, u]) => complete(u))) return undefined;
  const full = containers as Array<[string, Required<Usage>]>;
  const earliest = full.reduce((a, c) => (time(c[1]) < time(a[1]) ? c : a))[1];
  return {
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      creationTimestamp: rfc3339Seconds(b.nowMs),
      labels: parseLabelsTag(pod.labels),
    },
    timestamp: rfc3339Seconds(time(earliest)),
    window: windowOf(earliest.cpu, b.window),
    containers: full.map(([name, u]) => ({ name, usage: usage(u) })),
  };
}

function time(u: Required<Usage>): number {
  return Math.min(u.cpu.timeMs, u.memory.timeMs);
}

export function list(kind: 'NodeMetricsList' | 'PodMetricsList', items: Json[]): Json {
  return { kind, apiVersion: GROUP_VERSION, metadata: {}, items };
}

/** A single object: the list item with kind and apiVersion first. */
export function single(kind: 'NodeMetrics' | 'PodMetrics', item: Json): Json {
  return { kind, apiVersion: GROUP_VERSION, ...item };
}

/** The 404 Status metrics-server answers for a missing object. */
export function notFound(resource: 'nodemetrics' | 'podmetrics', name: string): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${resource}.metrics.k8s.io "${name}" not found`,
    reason: 'NotFound',
    details: { name, group: 'metrics.k8s.io', kind: resource },
    code: 404,
  };
}

/** A failure Status for errors on these routes, so kubectl prints the message. */
export function failure(code: number, reason: string, message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const READ = ['get', 'list'];

/** `GET /apis/metrics.k8s.io/v1beta1`: the aggregator's availability probe and discovery fallback. */
export const RESOURCE_LIST: Json = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: GROUP_VERSION,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: READ },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: READ },
  ],
};

/** `GET /apis/metrics.k8s.io` (kube-apiserver answers it in a cluster; useful stand-alone). */
export const API_GROUP: Json = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: 'metrics.k8s.io',
  versions: [{ groupVersion: GROUP_VERSION, version: 'v1beta1' }],
  preferredVersion: { groupVersion: GROUP_VERSION, version: 'v1beta1' },
};
