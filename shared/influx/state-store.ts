/**
 * @module influx/state-store
 * The previous run's counters live in InfluxDB, one series per node (measurement
 * `heapless_state`, tag `nodename`), so reading them costs one row per node whatever the number
 * of containers. The value is the node's counter map in influx/state-pack's bytes, deflated over
 * string fields (influx/packed-fields), with the field `pack=2` (a name no other measurement uses:
 * InfluxQL over several measurements loses one whose field shares a name of another type). Rows
 * an older collector wrote as packed JSON (no `pack`) are still read, so the first run after an
 * upgrade keeps its rates.
 */
import type { NodeState } from '#shared/derive/types';
import type { InfluxClient } from '#shared/influx/client';
import { escapeTag } from '#shared/encode/escape';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { packBytes, unpackBytes, unpackFields } from '#shared/influx/packed-fields';
import { packState, STATE_PACK_VERSION, unpackState } from '#shared/influx/state-pack';

export const STATE_MEASUREMENT = 'heapless_state';

/** `bucket` (collect/shard.ts) lets a shard read only its own nodes' state. */
export function encodeState(node: string, bucket: number, state: NodeState, timeMs: number): string {
  const fields = `pack=${STATE_PACK_VERSION}i,${packBytes(packState(state))}`;
  return `${STATE_MEASUREMENT},bucket=${bucket},nodename=${escapeTag(node)} ${fields} ${timeMs}`;
}

/** A row of either format; undefined when it is corrupt or of a version this collector does not know. */
export function decodeState(row: Record<string, unknown>): NodeState | undefined {
  const cell = (column: string) => row[column];
  const version = row['pack'];
  if (version === undefined || version === null) return unpackFields(cell) as NodeState | undefined;
  if (version !== STATE_PACK_VERSION) return undefined;
  const bytes = unpackBytes(cell);
  return bytes && unpackState(bytes);
}

/** A node's state as read, still packed: decoded only when its node is processed (decodeState). */
export type PackedState = Record<string, unknown>;

/**
 * The latest state of every node written in [sinceMs, beforeMs). Strictly before this run's
 * timestamp, so repeating an interval reads the same previous state and never its own. States
 * stay packed (≈ 5 KB a node) until used: decoded all at once they were the largest thing a
 * 1,000-node run held.
 */
export async function readStates(
  client: InfluxClient,
  sinceMs: number,
  beforeMs: number,
  buckets?: readonly number[],
): Promise<Map<string, PackedState>> {
  const only = buckets ? ` AND ${ident('bucket')} =~ /^(?:${buckets.join('|')})$/` : '';
  const range = `time >= ${timeLiteral(sinceMs)} AND time < ${timeLiteral(beforeMs)}${only}`;
  const q = `SELECT * FROM ${ident(STATE_MEASUREMENT)} WHERE ${range} GROUP BY ${ident('nodename')} ORDER BY time DESC LIMIT 1`;
  const [result] = await client.query(q);
  const states = new Map<string, PackedState>();
  for (const series of result?.series ?? []) {
    const node = series.tags?.['nodename'];
    const values = series.values[0];
    if (!node || !values) continue;
    const row = Object.fromEntries(series.columns.map((c, i) => [c, values[i]]));
    delete row['bucket'];
    states.set(node, row);
  }
  return states;
}
