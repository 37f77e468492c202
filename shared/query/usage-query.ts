/**
 * @module query/usage-query
 * The one InfluxQL statement behind each metrics.k8s.io list or get, and the fold of its rows into
 * the latest CPU and memory reading per node or per container.
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

/** Latest readings per node, sorted by name. */
export function foldNodes(result: QueryResult | undefined): NodeUsage[] {
  const nodes = new Map<string, NodeUsage>();
  forEachRow(result, ({ measurement, cell }) => {
    const name = str(cell('nodename'));
    const time = num(cell('time'));
    const value = num(cell('value'));
    if (!name || time === undefined || value === undefined) return;
    let node = nodes.get(name);
    if (!node) nodes.set(name, (node = { name, labels: '' }));
    if (record(node, measurement, time, value)) node.labels = str(cell('labels'));
  });
  return [...nodes.values()].sort((a, b) => compare(a.name, b.name));
}

/** Latest readings per container, grouped by pod, sorted by namespace then name. */
export function foldPods(result: QueryResult | undefined): PodUsage[] {
  const pods = new Map<string, PodUsage>();
  forEachRow(result, ({ measurement, cell }) => {
    const namespace = str(cell('namespace_name'));
    const name = str(cell('pod_name'));
    const container = str(cell('container_name'));
    const time = num(cell('time'));
    const value = num(cell('value'));
    if (!namespace || !name || !container || time === undefined || value === undefined) return;
    const key = `${namespace}/${name}`;
    let pod = pods.get(key);
    if (!pod) pods.set(key, (pod = { namespace, name, labels: '', containers: new Map() }));
    let usage = pod.containers.get(container);
    if (!usage) pod.containers.set(container, (usage = {}));
    if (record(usage, measurement, time, value)) pod.labels = str(cell('labels'));
  });
  return [...pods.values()].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
}

/** Keeps the latest reading and the time of the one before; true when this row is the newest. */
function record(usage: Usage, measurement: string, timeMs: number, value: number): boolean {
  const key = measurement === CPU_MEASUREMENT ? 'cpu' : measurement === MEMORY_MEASUREMENT ? 'memory' : undefined;
  if (!key) return false;
  const current = usage[key];
  if (!current || timeMs > current.timeMs) {
    usage[key] = { timeMs, value, ...(current ? { prevTimeMs: current.timeMs } : {}) };
    return true;
  }
  if (timeMs < current.timeMs && (current.prevTimeMs === undefined || timeMs > current.prevTimeMs)) current.prevTimeMs = timeMs;
  return false;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
