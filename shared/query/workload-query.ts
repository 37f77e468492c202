/**
 * @module query/workload-query
 * InfluxQL for the model API's workload paths (`type=workload` series and the workload tags of
 * pods). Kept apart from query/model-query.ts; every value goes through `tagEquals` (validated by
 * the route first, then quoted).
 */
import { ident } from '#shared/influx/influxql';
import { selectValues } from '#shared/query/shard-sum';
import { from, tagEquals, where, type Scope } from '#shared/query/where';

export interface WorkloadKey {
  namespace_name: string;
  workload_kind?: string;
  workload_name?: string;
}

/** Every workload series has a request sum (0 when unset), whatever the kubelet reports. */
const PRESENCE = 'cpu/request';

function conditions(key: WorkloadKey): string[] {
  return Object.entries(key).map(([k, v]) => tagEquals(k, v as string));
}

/** Kinds (or names of one kind) of the namespace's workloads present in the scope. */
export function workloadNamesStatement(
  key: WorkloadKey,
  group: 'workload_kind' | 'workload_name',
  scope: Scope,
): string {
  return `SELECT last(${ident('value')}) FROM ${ident(PRESENCE)} ${where('workload', conditions(key), scope)} GROUP BY ${ident(group)}`;
}

/** The workload's pods present in the scope (their `uptime` carries the workload tags). */
export function workloadPodsStatement(key: Required<WorkloadKey>, scope: Scope): string {
  return `SELECT last(${ident('value')}) FROM ${ident('uptime')} ${where('pod', conditions(key), scope)} GROUP BY ${ident('pod_name')}`;
}

export function workloadMetricNamesStatement(key: Required<WorkloadKey>, clusterName: string | undefined): string {
  const parts = [tagEquals('type', 'workload'), ...conditions(key)];
  if (clusterName) parts.push(tagEquals('cluster_name', clusterName));
  return `SHOW MEASUREMENTS WHERE ${parts.join(' AND ')}`;
}

/**
 * The workload's points of one metric, from the scope's retention policy (raw or a rollup
 * level), summed over collector shards per timestamp (query/shard-sum).
 */
export function workloadMetricStatement(key: Required<WorkloadKey>, metric: string, scope: Scope): string {
  return selectValues('workload', from(metric, scope), where('workload', conditions(key), scope));
}
