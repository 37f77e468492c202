/**
 * @module query/usage-query
 * The per-series InfluxQL statement behind a metrics.k8s.io pod get (and lists, when no usage
 * snapshot is in view: query/usage-snapshot-query), and the folds of readings into the latest CPU
 * and memory reading per node or per container, shared by both sources.
 *
 * The statement is a raw SELECT with the identifying tags as columns, over both measurements and
 * the last 2.5 collection intervals: so every object yields its latest point (a run may still be
 * writing the newest interval) and the one before it (whose spacing is the `window`), in a single
 * series per measurement rather than one JSON series per object.
 */
import type { QueryResult } from '#shared/influx/client';
import { forEachRow, num, str } from '#shared/query/rows';
import { idents, tagPredicate, where, type Scope } from '#shared/query/where';
import type { TagPredicate } from '#shared/query/field-selector';

/** millicores; the collector's rate over the collection interval (or the kubelet's own). */
export const CPU_MEASUREMENT = 'cpu/usage_rate';
/** bytes; metrics-server's `memory` is the working set too. */
export const MEMORY_MEASUREMENT = 'memory/working_set';

export interface Reading {
  timeMs: number;
  value: number;
  /** Time of the reading before, when it is inside the look-back. */
  prevTimeMs?: number;
}

export interface Usage {
  cpu?: Reading;
  memory?: Reading;
}

export interface NodeUsage extends Usage {
  name: string;
  labels: string;
}

export interface PodUsage {
  namespace: string;
  name: string;
  labels: string;
  containers: Map<string, Usage>;
}

/** Look-back in collection intervals: the latest run, the one before, and slack for a run still writing. */
const LOOKBACK_INTERVALS = 2.5;

export function usageScope(nowMs: number, intervalMs: number, clusterName: string | undefined): Scope {
  return { clusterName, startMs: nowMs - LOOKBACK_INTERVALS * intervalMs + 1, endMs: nowMs };
}

const NODE_COLUMNS = ['value', 'nodename', 'labels'];
const POD_COLUMNS = ['value', 'namespace_name', 'pod_name', 'container_name', 'labels'];

export function nodeUsageStatement(predicates: readonly TagPredicate[], scope: Scope): string {
  return `SELECT ${idents(NODE_COLUMNS)} FROM ${idents([CPU_MEASUREMENT, MEMORY_MEASUREMENT])} ${where('node', predicates.map(tagPredicate), scope)}`;
}

export function podUsageStatement(predicates: readonly TagPredicate[], scope: Scope): string {
  return `SELECT ${idents(POD_COLUMNS)} FROM ${idents([CPU_MEASUREMENT, MEMORY_MEASUREMENT])} ${where('pod_container', predicates.map(tagPredicate), scope)}`;
}

/** Every row that is a complete cpu or memory reading: its usage key, time (ms) and value. */
function forEachReading(
  result: QueryResult | undefined,
  visit: (
    r: { key: NonNullable<ReturnType<typeof usageKey>>; time: number; value: number },
    cell: (column: string) => unknown,
  ) => void,
): void {
  forEachRow(result, ({ measurement, cell }) => {
    const time = num(cell('time'));
    const value = num(cell('value'));
    const key = usageKey(measurement);
    if (key && time !== undefined && value !== undefined) visit({ key, time, value }, cell);
  });
}

/** Latest readings per node, sorted by name. */
export function foldNodes(result: QueryResult | undefined): NodeUsage[] {
  const nodes = new NodeFold();
  forEachReading(result, (r, cell) => nodes.add(str(cell('nodename')), str(cell('labels')), r.key, r.time, r.value));
  return nodes.result();
}

/** Latest readings per container, grouped by pod, sorted by namespace then name. */
export function foldPods(result: QueryResult | undefined): PodUsage[] {
  const pods = new PodFold();
  forEachReading(result, (r, cell) =>
    pods.add(
      str(cell('namespace_name')),
      str(cell('pod_name')),
      str(cell('container_name')),
      str(cell('labels')),
      r.key,
      r.time,
      r.value,
    ),
  );
  return pods.result();
}

export type UsageKey = 'cpu' | 'memory';

function usageKey(measurement: string): UsageKey | undefined {
  return measurement === CPU_MEASUREMENT ? 'cpu' : measurement === MEMORY_MEASUREMENT ? 'memory' : undefined;
}

/**
 * Readings in any order → each node's latest CPU and memory and the time of the CPU reading
 * before (the `window`); the labels are those of the newest reading. Shared by the per-series
 * rows and the usage snapshots (query/usage-snapshot-query), so both answer alike.
 */
export class NodeFold {
  private readonly nodes = new Map<string, NodeUsage>();

  add(name: string, labels: string, key: UsageKey, timeMs: number, value: number): void {
    if (!name) return;
    let node = this.nodes.get(name);
    if (!node) this.nodes.set(name, (node = { name, labels: '' }));
    if (record(node, key, timeMs, value)) node.labels = labels;
  }

  result(): NodeUsage[] {
    return [...this.nodes.values()].sort((a, b) => compare(a.name, b.name));
  }
}

/** The same per container, grouped by pod. */
export class PodFold {
  private readonly pods = new Map<string, Map<string, PodUsage>>();

  add(
    namespace: string,
    name: string,
    container: string,
    labels: string,
    key: UsageKey,
    timeMs: number,
    value: number,
  ): void {
    if (!namespace || !name || !container) return;
    const pod = this.pod(namespace, name);
    if (record(containerOf(pod, container), key, timeMs, value)) pod.labels = labels;
  }

  /** A whole pod at once (one lookup for all its containers): [container, cpu or null, memory or null]. */
  addPod(
    namespace: string,
    name: string,
    labels: string,
    timeMs: number,
    containers: ReadonlyArray<readonly [string, number | null, number | null]>,
  ): void {
    if (!namespace || !name) return;
    const pod = this.pod(namespace, name);
    for (const [container, cpu, memory] of containers) {
      if (!container) continue;
      const usage = containerOf(pod, container);
      if (cpu !== null && record(usage, 'cpu', timeMs, cpu)) pod.labels = labels;
      if (memory !== null && record(usage, 'memory', timeMs, memory)) pod.labels = labels;
    }
  }

  /** By namespace, then name: no key string built per reading. */
  private pod(namespace: string, name: string): PodUsage {
    let inNamespace = this.pods.get(namespace);
    if (!inNamespace) this.pods.set(namespace, (inNamespace = new Map()));
    let pod = inNamespace.get(name);
    if (!pod) inNamespace.set(name, (pod = { namespace, name, labels: '', containers: new Map() }));
    return pod;
  }

  result(): PodUsage[] {
    const namespaces = [...this.pods.keys()].sort(compare);
    return namespaces.flatMap((ns) =>
      [...(this.pods.get(ns) as Map<string, PodUsage>).values()].sort((a, b) => compare(a.name, b.name)),
    );
  }
}

function containerOf(pod: PodUsage, container: string): Usage {
  let usage = pod.containers.get(container);
  if (!usage) pod.containers.set(container, (usage = {}));
  return usage;
}

/** Keeps the latest reading and the time of the one before; true when this one is the newest. */
function record(usage: Usage, key: UsageKey, timeMs: number, value: number): boolean {
  const current = usage[key];
  if (!current) {
    usage[key] = { timeMs, value };
    return true;
  }
  // Updated in place: a 30,000-pod list records a quarter of a million readings.
  if (timeMs > current.timeMs) {
    current.prevTimeMs = current.timeMs;
    current.timeMs = timeMs;
    current.value = value;
    return true;
  }
  if (timeMs < current.timeMs && (current.prevTimeMs === undefined || timeMs > current.prevTimeMs))
    current.prevTimeMs = timeMs;
  return false;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
