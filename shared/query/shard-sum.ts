/**
 * @module query/shard-sum
 * The one statement shape that reads an object's `value` points. With SHARD_COUNT > 1 every
 * collector shard writes the namespace, workload and cluster series as its own partial sum
 * (tag `shard`), all at the run's timestamp; the total is their sum at each timestamp. Those
 * types are therefore read as `sum("value") … GROUP BY time(1s) fill(none)`: one point per
 * timestamp (collections are whole seconds), the same answer a single collector gives, and a
 * LIMIT counts timestamps, not shards. The rollup stores these types already summed, so the
 * same statement reads its levels unchanged. Other types are written by exactly one shard.
 */
import type { ObjectType } from '#shared/model';
import { ident } from '#shared/influx/influxql';

/** Object types a sharded collector writes as partial sums (derive/aggregate's `extraTags`). */
export const SHARDED_TYPES: ReadonlySet<ObjectType> = new Set<ObjectType>(['ns', 'workload', 'cluster']);

/**
 * `SELECT "value"[,extra] FROM <from> <where>`, or for a sharded type the per-timestamp sum.
 * `extra` columns (a pod's name) exist only for unsharded types.
 */
export function selectValues(type: ObjectType, from: string, where: string, extra: readonly string[] = []): string {
  const columns = [ident('value'), ...extra.map(ident)].join(',');
  if (!SHARDED_TYPES.has(type)) return `SELECT ${columns} FROM ${from} ${where}`;
  if (extra.length > 0) throw new Error(`selectValues: type ${type} is summed over shards and has no extra columns`);
  return `SELECT sum(${ident('value')}) AS ${ident('value')} FROM ${from} ${where} GROUP BY time(1s) fill(none)`;
}
