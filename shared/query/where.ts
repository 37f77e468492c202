/**
 * @module query/where
 * WHERE-clause pieces. Every tag name goes through `ident` and every value through `literal`,
 * `exactRegex` or `timeLiteral` (influx/influxql), after the route validated it.
 */
import { exactRegex, ident, literal, timeLiteral } from '#shared/influx/influxql';
import type { TagPredicate } from '#shared/query/field-selector';

/** What every statement is limited to: the cluster (when CLUSTER_NAME is set) and a time range. */
export interface Scope {
  clusterName?: string | undefined;
  /** Inclusive bounds, epoch ms. */
  startMs: number;
  endMs: number;
  /** Retention policy to read (a rollup level, query/resolution); unset: the default (raw points). */
  rp?: string | undefined;
}

export function tagEquals(tag: string, value: string): string {
  return `${ident(tag)} = ${literal(value)}`;
}

/** One value: `=`; several: an anchored regex of escaped alternatives. */
export function tagIn(tag: string, values: readonly string[]): string {
  if (values.length === 1) return tagEquals(tag, values[0] as string);
  return `${ident(tag)} =~ ${exactRegex(values)}`;
}

export function tagPredicate(p: TagPredicate): string {
  return `${ident(p.tag)} ${p.negated ? '!=' : '='} ${literal(p.value)}`;
}

/** `WHERE "type" = '…' AND <conditions> [AND "cluster_name" = '…'] AND time >= … AND time <= …`. */
export function where(type: string, conditions: readonly string[], scope: Scope): string {
  const parts = [tagEquals('type', type), ...conditions];
  if (scope.clusterName) parts.push(tagEquals('cluster_name', scope.clusterName));
  parts.push(`time >= ${timeLiteral(scope.startMs)}`, `time <= ${timeLiteral(scope.endMs)}`);
  return `WHERE ${parts.join(' AND ')}`;
}

/** `"measurement"`, or `"rp"."measurement"` when the scope reads a rollup level. */
export function from(measurement: string, scope: Scope): string {
  return scope.rp === undefined ? ident(measurement) : `${ident(scope.rp)}.${ident(measurement)}`;
}

/** `"a","b"` for FROM and column lists. */
export function idents(names: readonly string[]): string {
  return names.map(ident).join(',');
}
