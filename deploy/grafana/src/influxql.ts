/**
 * @module deploy/grafana/influxql
 * The InfluxQL the dashboards run, built in one place so every panel aggregates the same way.
 *
 * Why subqueries: Heapster's panels ran `sum("value") … GROUP BY time($interval)`. With one point
 * per series a minute, a 5-minute bucket then adds five points of every series and shows five
 * times the real total (heapster.md §5, §10.3). Here every total is two steps:
 *
 *   inner: one value per series per bucket — mean("value") GROUP BY time($__interval), *
 *   outer: the sum of those per-series values — sum(...) GROUP BY time($__interval)[, tag]
 *
 * so a bucket's total is the same at any zoom, and partial sums written by collector shards
 * (tag `shard`) add up as separate series. The datasource's minimum interval (timeInterval: 60s)
 * keeps buckets at least one collection interval wide, so none is empty by accident.
 * Both levels carry $timeFilter: an outer query without a time range would span all of time.
 */

/** One of Heapster's object types, the `type` tag. */
export type ObjectType = 'node' | 'pod' | 'pod_container' | 'sys_container' | 'ns' | 'workload' | 'cluster';

/** What to read: a measurement, its object type and extra conditions (already InfluxQL). */
export interface Source {
  measurement: string;
  type: ObjectType;
  where?: string[];
  /** Outer math applied to the aggregate, e.g. `/ 1000` (millicores → cores). */
  scale?: string;
}

/** `"tag" =~ /^$var$/`: a template variable (single, multi as `(a|b)`, or All as `.*`). */
export function matches(tag: string, variable: string): string {
  return `"${tag}" =~ /^$${variable}$/`;
}

export function equals(tag: string, value: string): string {
  return `"${tag}" = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const CLUSTER = matches('cluster_name', 'cluster');

/**
 * Time series read from `$resolution`: the raw policy or a rollup level (README "Long-term
 * history"). Rollups keep Heapster's measurement names and their mean (or a counter's last value)
 * in `value`, so the same statement reads any of them. Tables of current values and point counts
 * (OOM kills) read the raw points.
 */
function rolled(s: Source): string {
  return `"$resolution"."${s.measurement}"`;
}

function raw(s: Source): string {
  return `"${s.measurement}"`;
}

function where(s: Source): string {
  return [equals('type', s.type), CLUSTER, ...(s.where ?? []), '$timeFilter'].join(' AND ');
}

function inner(s: Source, fn = 'mean', groupByTime = true): string {
  const group = groupByTime ? 'GROUP BY time($__interval), * fill(none)' : 'GROUP BY *';
  return `SELECT ${fn}("value") AS "v" FROM ${groupByTime ? rolled(s) : raw(s)} WHERE ${where(s)} ${group}`;
}

function groupBy(by: readonly string[]): string {
  return ['time($__interval)', ...by.map((t) => `"${t}"`)].join(', ');
}

/** Time series: the sum over series of each series' mean per bucket, optionally split by tags. */
export function total(s: Source, by: readonly string[] = []): string {
  return `SELECT sum("v")${s.scale ? ` ${s.scale}` : ''} AS "value" FROM (${inner(s)}) WHERE $timeFilter GROUP BY ${groupBy(by)} fill(null)`;
}

/** Time series of one entity per series (node, container…): its mean per bucket. */
export function each(s: Source, by: readonly string[]): string {
  return `SELECT mean("value")${s.scale ? ` ${s.scale}` : ''} AS "value" FROM ${rolled(s)} WHERE ${where(s)} GROUP BY ${groupBy(by)} fill(null)`;
}

/** Time series of the largest per-series mean per bucket (e.g. the slowest shard's run). */
export function largest(s: Source, by: readonly string[] = []): string {
  return `SELECT max("v")${s.scale ? ` ${s.scale}` : ''} AS "value" FROM (${inner(s)}) WHERE $timeFilter GROUP BY ${groupBy(by)} fill(null)`;
}

/**
 * Table rows of current values: each series' last value within the two collection intervals
 * before the end of the dashboard's range (series that ended earlier are gone, as in
 * kube-prometheus's instant queries), summed per `by` tags.
 */
export function current(s: Source, by: readonly string[], column: string): string {
  const recent = { ...s, where: [...(s.where ?? []), 'time > ${__to}ms - 2m', 'time <= ${__to}ms'] };
  return `SELECT sum("v")${s.scale ? ` ${s.scale}` : ''} AS "${column}" FROM (${inner(recent, 'last', false)}) WHERE $timeFilter GROUP BY ${by.map((t) => `"${t}"`).join(', ')}`;
}

/** Table rows: how many distinct series (pods, containers…) per `by` tags are current. */
export function count(s: Source, series: readonly string[], by: readonly string[], column: string): string {
  const recent = [...(s.where ?? []), 'time > ${__to}ms - 2m', 'time <= ${__to}ms'];
  const innerQ = `SELECT last("value") AS "v" FROM ${raw(s)} WHERE ${[equals('type', s.type), CLUSTER, ...recent, '$timeFilter'].join(' AND ')} GROUP BY ${[...series, ...by].map((t) => `"${t}"`).join(', ')}`;
  return `SELECT count("v") AS "${column}" FROM (${innerQ}) WHERE $timeFilter GROUP BY ${by.map((t) => `"${t}"`).join(', ')}`;
}

/** Time series: how much a cumulative counter (restart_count) grew per bucket, summed over series. */
export function increase(s: Source, by: readonly string[] = []): string {
  return `SELECT sum("v") AS "value" FROM (${inner(s, 'spread')}) WHERE $timeFilter GROUP BY ${groupBy(by)} fill(null)`;
}

/** Time series: how many points (events such as OOM kills, one point each) fell in each bucket. */
export function occurrences(s: Source, by: readonly string[] = []): string {
  return `SELECT count("value") AS "value" FROM ${raw(s)} WHERE ${where(s)} GROUP BY ${groupBy(by)} fill(none)`;
}

/** A single value: the counter's growth over the whole range, summed over series. */
export function increaseInRange(s: Source): string {
  return `SELECT sum("v") AS "value" FROM (SELECT spread("value") AS "v" FROM ${rolled(s)} WHERE ${where(s)} GROUP BY *) WHERE $timeFilter`;
}

/** `SHOW TAG VALUES` for a template variable, limited by the variables it depends on. */
export function tagValues(key: string, conditions: readonly string[] = [], measurement = 'uptime'): string {
  const w = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  return `SHOW TAG VALUES FROM "${measurement}" WITH KEY = "${key}"${w}`;
}
