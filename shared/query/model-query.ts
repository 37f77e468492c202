/**
 * @module query/model-query
 * InfluxQL for Heapster's model API (heapster.md §4.1) and the fold of its answers. An object is
 * a `type` plus its key tags (heapster.md §3.4); each route is one statement.
 */
import type { QueryResult } from '#shared/influx/client';
import { ident } from '#shared/influx/influxql';
import { GO_ZERO_TIME, rfc3339Nano } from '#shared/query/format';
import { rounderOf } from '#shared/query/round';
import { forEachRow, num, str } from '#shared/query/rows';
import { selectValues } from '#shared/query/shard-sum';
import { from, tagEquals, tagIn, where, type Scope } from '#shared/query/where';

export type ModelObject =
  | { type: 'cluster' }
  | { type: 'node'; nodename: string }
  | { type: 'sys_container'; nodename: string; container_name: string }
  | { type: 'ns'; namespace_name: string }
  | { type: 'pod'; namespace_name: string; pod_name: string }
  | { type: 'pod_container'; namespace_name: string; pod_name: string; container_name: string };

/** Tags that tell apart the series of a labeled metric (filesystems, accelerators). */
const METRIC_LABEL_TAGS = ['resource_id', 'make', 'model', 'accelerator_id'];

export interface MetricPoint {
  timestamp: string;
  value: number;
}

export interface MetricResult {
  metrics: MetricPoint[];
  latestTimestamp: string;
}

function keyConditions(o: ModelObject): string[] {
  return Object.entries(o)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => tagEquals(k, v as string));
}

/**
 * Heapster served a labeled metric only when `labels` named its labels exactly; without them,
 * only the unlabeled series. A missing tag reads as '' in InfluxQL, which expresses both.
 */
function labelConditions(labels: Readonly<Record<string, string>>): string[] {
  const given = Object.entries(labels).map(([k, v]) => tagEquals(k, v));
  const absent = METRIC_LABEL_TAGS.filter((t) => !(t in labels)).map((t) => tagEquals(t, ''));
  return [...given, ...absent];
}

/** `SHOW MEASUREMENTS WHERE …`: the metric names written for the object (over the retention). */
export function metricNamesStatement(o: ModelObject, clusterName: string | undefined): string {
  const parts = [tagEquals('type', o.type), ...keyConditions(o)];
  if (clusterName) parts.push(tagEquals('cluster_name', clusterName));
  return `SHOW MEASUREMENTS WHERE ${parts.join(' AND ')}`;
}

export function foldNames(result: QueryResult | undefined, column = 'name'): string[] {
  const names = new Set<string>();
  forEachRow(result, ({ cell }) => {
    const name = str(cell(column));
    if (name) names.add(name);
  });
  return [...names].sort();
}

/**
 * The object's points of one metric in [start, end], oldest first; a namespace's or the
 * cluster's summed over collector shards per timestamp (query/shard-sum).
 */
export function metricStatement(
  o: ModelObject,
  metric: string,
  labels: Readonly<Record<string, string>>,
  scope: Scope,
): string {
  return selectValues(
    o.type,
    from(metric, scope),
    where(o.type, [...keyConditions(o), ...labelConditions(labels)], scope),
  );
}

/** The points of `metric`, each rounded to what its unit can mean (query/round). */
export function foldMetric(result: QueryResult | undefined, metric: string): MetricResult {
  const round = rounderOf(metric);
  const points: Array<[number, number]> = [];
  forEachRow(result, ({ cell }) => {
    const time = num(cell('time'));
    const value = num(cell('value'));
    if (time !== undefined && value !== undefined) points.push([time, round(value)]);
  });
  return metricResult(points);
}

function metricResult(points: Array<[number, number]>): MetricResult {
  points.sort((a, b) => a[0] - b[0]);
  const last = points[points.length - 1];
  return {
    metrics: points.map(([t, v]) => ({ timestamp: rfc3339Nano(t), value: v })),
    latestTimestamp: last ? rfc3339Nano(last[0]) : GO_ZERO_TIME,
  };
}

/** Several pods of a namespace at once; the pod name comes back as a column. */
export function podListStatement(
  namespace: string,
  pods: readonly string[],
  metric: string,
  labels: Readonly<Record<string, string>>,
  scope: Scope,
): string {
  const conditions = [tagEquals('namespace_name', namespace), tagIn('pod_name', pods), ...labelConditions(labels)];
  return selectValues('pod', from(metric, scope), where('pod', conditions, scope), ['pod_name']);
}

/** One MetricResult per requested pod, in request order (empty for a pod without data), values rounded. */
export function foldPodList(result: QueryResult | undefined, pods: readonly string[], metric: string): MetricResult[] {
  const round = rounderOf(metric);
  const byPod = new Map<string, Array<[number, number]>>(pods.map((p) => [p, []]));
  forEachRow(result, ({ cell }) => {
    const time = num(cell('time'));
    const value = num(cell('value'));
    if (time !== undefined && value !== undefined) byPod.get(str(cell('pod_name')))?.push([time, round(value)]);
  });
  return pods.map((p) => metricResult(byPod.get(p) ?? []));
}

/**
 * Names of the objects of a type present in the scope (recent points of `uptime`, which every
 * node, pod and container has), one series per name via GROUP BY.
 */
export function childNamesStatement(
  type: ModelObject['type'],
  conditions: Record<string, string>,
  key: string,
  scope: Scope,
): string {
  const parts = Object.entries(conditions).map(([k, v]) => tagEquals(k, v));
  return `SELECT last(${ident('value')}) FROM ${ident('uptime')} ${where(type, parts, scope)} GROUP BY ${ident(key)}`;
}

export function foldGroupNames(result: QueryResult | undefined, key: string): string[] {
  return [...new Set((result?.series ?? []).map((s) => s.tags?.[key] ?? '').filter(Boolean))].sort();
}
