/**
 * @module events/export-state
 * Which event versions were exported, kept in InfluxDB (measurement `heapless_events_state`).
 *
 * Each run that wrote something adds one point holding the versions it wrote, as a map
 * uid → count (influx/packed-fields, like the collector's state). A run reads back the points of the last
 * EVENTS_STATE_WINDOW and keeps, per uid, the highest count: a listed event whose count is not
 * above it was exported already. Each version is stored once, in the run that wrote it, so the
 * state costs about 30 bytes per event version, not per event per run.
 *
 * The state only saves work; it never decides correctness. A version it does not remember is
 * written again and overwrites its own point (encode.ts). It is written only after the run's
 * event points were all acknowledged, so it never claims a version that InfluxDB lacks.
 * Tags `schema` and `cluster_name` scope it, so two exporters sharing a database keep apart.
 */
import type { InfluxClient } from '#shared/influx/client';
import type { EventsSchema } from '#shared/events/events-settings';
import { packFields, unpackFields } from '#shared/influx/packed-fields';
import { tagString } from '#shared/encode/line-protocol';
import { ident, literal, timeLiteral } from '#shared/influx/influxql';

export const EVENTS_STATE_MEASUREMENT = 'heapless_events_state';

/** Event uid → the highest count exported. */
export type Exported = Map<string, number>;

export interface StateScope {
  schema: EventsSchema;
  clusterName: string | undefined;
}

/** True when this version (or a later one) of the event was exported. */
export function wasExported(exported: Exported, uid: string, count: number): boolean {
  return (exported.get(uid) ?? 0) >= count;
}

/** Records a version; keeps the highest count per uid. */
export function remember(exported: Exported, uid: string, count: number): void {
  if (!wasExported(exported, uid, count)) exported.set(uid, count);
}

/** The state point for the versions one run wrote, at the run's wall-clock time (ms). */
export function encodeStateDelta(versions: Exported, scope: StateScope, timeMs: number): string {
  const tags = tagString({ schema: scope.schema, cluster_name: scope.clusterName ?? '' });
  return `${EVENTS_STATE_MEASUREMENT}${tags} versions=${versions.size}i,${packFields(Object.fromEntries(versions))} ${timeMs}`;
}

/** The versions of one state row; undefined when the row is damaged (it is then ignored). */
export function decodeStateDelta(row: Record<string, unknown>): Array<[string, number]> | undefined {
  const map = unpackFields((column) => row[column]);
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return undefined;
  return Object.entries(map).filter((e): e is [string, number] => typeof e[1] === 'number');
}

/** Every version exported since `sinceMs` in this scope. */
export async function readExported(client: InfluxClient, scope: StateScope, sinceMs: number): Promise<Exported> {
  // An absent tag compares equal to '' in InfluxQL, so an unset cluster name matches its points.
  const where = [
    `time >= ${timeLiteral(sinceMs)}`,
    `${ident('schema')} = ${literal(scope.schema)}`,
    `${ident('cluster_name')} = ${literal(scope.clusterName ?? '')}`,
  ].join(' AND ');
  const [result] = await client.query(`SELECT * FROM ${ident(EVENTS_STATE_MEASUREMENT)} WHERE ${where}`);
  const exported: Exported = new Map();
  for (const series of result?.series ?? []) {
    for (const values of series.values) {
      const versions = decodeStateDelta(Object.fromEntries(series.columns.map((c, i) => [c, values[i]])));
      for (const [uid, count] of versions ?? []) remember(exported, uid, count);
    }
  }
  return exported;
}
