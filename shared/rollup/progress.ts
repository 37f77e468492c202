/**
 * @module rollup/progress
 * How far each level is rolled up lives in InfluxDB (measurement `heapless_rollup`, tag `level`,
 * field `done` = end of the last window done, epoch ms), in the level's own retention policy so
 * it lasts as long as the rollups it describes. A run reads it first and writes it only after
 * every statement of a range succeeded: a failed or cut run is simply redone by the next.
 */
import type { InfluxClient } from '#shared/influx/client';
import { ident, literal } from '#shared/influx/influxql';
import { escapeTag } from '#shared/encode/escape';
import type { Level } from '#shared/rollup/levels';

export const PROGRESS_MEASUREMENT = 'heapless_rollup';

/** Each level's progress (absent: never run). One request for every level. */
export async function readProgress(client: InfluxClient, levels: readonly Level[]): Promise<Map<string, number>> {
  const statements = levels.map(
    (l) =>
      `SELECT last(${ident('done')}) FROM ${ident(l.rp)}.${ident(PROGRESS_MEASUREMENT)} WHERE ${ident('level')} = ${literal(l.name)}`,
  );
  const results = await client.query(statements.join('; '));
  const out = new Map<string, number>();
  levels.forEach((l, i) => {
    const value = results[i]?.series?.[0]?.values[0]?.[1];
    if (typeof value === 'number') out.set(l.name, value);
  });
  return out;
}

/** Records that `level` is done up to `doneMs`; throws unless InfluxDB stored it. */
export async function writeProgress(client: InfluxClient, level: Level, doneMs: number): Promise<void> {
  const line = `${PROGRESS_MEASUREMENT},level=${escapeTag(level.name)} done=${doneMs}i ${doneMs}`;
  const status = await client.postBody(line, level.rp);
  if (status !== 204) throw new Error(`InfluxDB answered ${status} to the rollup progress of level ${level.name}`);
}
