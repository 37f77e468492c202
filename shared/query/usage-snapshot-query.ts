/**
 * @module query/usage-snapshot-query
 * metrics.k8s.io lists from the collector's usage snapshots (influx/usage-snapshot): the last
 * SNAPSHOT_DEPTH rows of each node inside the look-back, decoded and folded with the same
 * NodeFold / PodFold as the per-series rows, so the latest reading and the window come out alike.
 * Field selectors on nodes go to InfluxDB (`nodename` is a tag); on pods they filter the decoded
 * entries. undefined from a fold = no snapshot in the look-back (data from an older collector):
 * the caller then asks the per-series measurements.
 */
import type { QueryResult } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { decodeNodeReadings, decodeUsagePods, USAGE_MEASUREMENT } from '#shared/influx/usage-snapshot';
import type { TagPredicate } from '#shared/query/field-selector';
import { forEachRow, num } from '#shared/query/rows';
import { NodeFold, PodFold, type NodeUsage, type PodUsage } from '#shared/query/usage-query';
import { idents, tagEquals, tagPredicate, type Scope } from '#shared/query/where';

/** The look-back (2.5 intervals) holds at most three interval-aligned runs: all of them are read. */
export const SNAPSHOT_DEPTH = 3;
const NODE_COLUMNS = ['node_cpu', 'node_memory', 'node_labels'];

/**
 * `nodePredicates` may only name the `nodename` tag. `what: 'nodes'` reads the plain node fields
 * only; `'pods'` every field (the packed parts are `s0`, `s1`, … as many as a node needs).
 */
export function snapshotStatement(
  what: 'nodes' | 'pods',
  nodePredicates: readonly TagPredicate[],
  scope: Scope,
): string {
  const conditions = nodePredicates.map(tagPredicate);
  if (scope.clusterName) conditions.push(tagEquals('cluster_name', scope.clusterName));
  conditions.push(`time >= ${timeLiteral(scope.startMs)}`, `time <= ${timeLiteral(scope.endMs)}`);
  const columns = what === 'nodes' ? idents(NODE_COLUMNS) : '*';
  const from = `FROM ${ident(USAGE_MEASUREMENT)} WHERE ${conditions.join(' AND ')}`;
  return `SELECT ${columns} ${from} GROUP BY ${ident('nodename')} ORDER BY time DESC LIMIT ${SNAPSHOT_DEPTH}`;
}

/** The predicates InfluxDB can apply to snapshots (the rest filter decoded pods). */
export function nodenamePredicates(predicates: readonly TagPredicate[]): TagPredicate[] {
  return predicates.filter((p) => p.tag === 'nodename');
}

export function foldSnapshotNodes(result: QueryResult | undefined): NodeUsage[] | undefined {
  if (!result?.series?.length) return undefined;
  const nodes = new NodeFold();
  forEachRow(result, ({ tags, cell }) => {
    const time = num(cell('time'));
    const node = decodeNodeReadings(cell);
    const name = tags['nodename'] ?? '';
    if (time === undefined || !node) return;
    if (node.cpu !== undefined) nodes.add(name, node.labels, 'cpu', time, node.cpu);
    if (node.memory !== undefined) nodes.add(name, node.labels, 'memory', time, node.memory);
  });
  return nodes.result();
}

/** Pods of the snapshots that match every predicate (tags `namespace_name`, `pod_name`, `nodename`). */
export function foldSnapshotPods(
  result: QueryResult | undefined,
  predicates: readonly TagPredicate[],
): PodUsage[] | undefined {
  if (!result?.series?.length) return undefined;
  const pods = new PodFold();
  forEachRow(result, ({ tags, cell }) => {
    const time = num(cell('time'));
    const nodename = tags['nodename'] ?? '';
    const entries = time === undefined ? undefined : decodeUsagePods(cell);
    for (const [namespace, name, labels, containers] of entries ?? []) {
      if (predicates.length > 0 && !matches(predicates, { namespace_name: namespace, pod_name: name, nodename }))
        continue;
      pods.addPod(namespace, name, labels, time as number, containers);
    }
  });
  return pods.result();
}

/** InfluxQL's semantics: an absent tag reads as "", so `= ''` matches it and `!= ''` does not. */
function matches(predicates: readonly TagPredicate[], tags: Readonly<Record<string, string>>): boolean {
  return predicates.every((p) => ((tags[p.tag] ?? '') === p.value) !== p.negated);
}
