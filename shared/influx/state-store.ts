/**
 * @module influx/state-store
 * The previous run's counters live in InfluxDB, one series per node (measurement
 * `heapless_state`, tag `nodename`), so reading them costs one row per node whatever the number
 * of containers. The value is the node's counter map as JSON, deflated and base64-encoded, split
 * over fields `s0`, `s1`, … because InfluxDB 1.x caps a string field at 64 KB.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { NodeState } from '#shared/derive/types';
import type { InfluxClient } from '#shared/influx/client';
import { escapeTag, quoteString } from '#shared/encode/escape';
import { ident, timeLiteral } from '#shared/influx/influxql';

export const STATE_MEASUREMENT = 'heapless_state';
/** Characters per field, under the 64 KB string limit. */
const PART_CHARS = 60_000;

/** `bucket` (collect/shard.ts) lets a shard read only its own nodes' state. */
export function encodeState(node: string, bucket: number, state: NodeState, timeMs: number): string {
  const packed = deflateRawSync(JSON.stringify(state)).toString('base64');
  const parts: string[] = [];
  for (let i = 0; i * PART_CHARS < packed.length; i++) parts.push(`s${i}=${quoteString(packed.slice(i * PART_CHARS, (i + 1) * PART_CHARS))}`);
  return `${STATE_MEASUREMENT},bucket=${bucket},nodename=${escapeTag(node)} n=${parts.length}i,${parts.join(',')} ${timeMs}`;
}

export function decodeState(row: Record<string, unknown>): NodeState | undefined {
  const n = Number(row['n']);
  if (!Number.isInteger(n) || n < 1) return undefined;
  let packed = '';
  for (let i = 0; i < n; i++) {
    const part = row[`s${i}`];
    if (typeof part !== 'string') return undefined;
    packed += part;
  }
  try {
    return JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')) as NodeState;
  } catch {
    return undefined;
  }
}

/**
 * The latest state of every node written in [sinceMs, beforeMs). Strictly before this run's
 * timestamp, so repeating an interval reads the same previous state and never its own.
 */
export async function readStates(client: InfluxClient, sinceMs: number, beforeMs: number, buckets?: readonly number[]): Promise<Map<string, NodeState>> {
  const only = buckets ? ` AND ${ident('bucket')} =~ /^(?:${buckets.join('|')})$/` : '';
  const q = `SELECT * FROM ${ident(STATE_MEASUREMENT)} WHERE time >= ${timeLiteral(sinceMs)} AND time < ${timeLiteral(beforeMs)}${only} GROUP BY ${ident('nodename')} ORDER BY time DESC LIMIT 1`;
  const [result] = await client.query(q);
  const states = new Map<string, NodeState>();
  for (const series of result?.series ?? []) {
    const node = series.tags?.['nodename'];
    const values = series.values[0];
    if (!node || !values) continue;
    const row = Object.fromEntries(series.columns.map((c, i) => [c, values[i]]));
    delete row['bucket'];
    const state = decodeState(row);
    if (state) states.set(node, state);
  }
  return states;
}
