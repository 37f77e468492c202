/**
 * @module rollup/progress
 * How far each measurement of each level is rolled up lives in InfluxDB: measurement
 * `heapless_rollup`, tags `level` and `measurement`, field `done` = end of the last window done,
 * epoch ms, stamped at the run's time (older versions: at the done time; either way the latest
 * write is the one that counts, so late points can set it back), in the level's own retention
 * policy so it lasts as long as the rollups it describes. Per measurement, so a statement that fails or a run cut by its deadline
 * loses only the measurement it was on: the ones done before stay done.
 * A point without a `measurement` tag is how older versions kept one progress per level: it
 * stands for every measurement that has no progress of its own, so an upgrade redoes and skips
 * nothing.
 */
import type { InfluxClient } from '#shared/influx/client';
import { ident, literal } from '#shared/influx/influxql';
import { escapeTag } from '#shared/encode/escape';
import type { Level } from '#shared/rollup/levels';

export const PROGRESS_MEASUREMENT = 'heapless_rollup';
const MEASUREMENT_TAG = 'measurement';

export interface LevelProgress {
  /** The level-wide point of older versions (absent: none). */
  level?: number;
  byMeasurement: Map<string, number>;
}

/** Each level's progress, by level name. */
export type Progress = Map<string, LevelProgress>;

/** Every level's progress, each measurement's and the level-wide one. One request for every level. */
export async function readProgress(client: InfluxClient, levels: readonly Level[]): Promise<Progress> {
  const statements = levels.map(
    (l) =>
      `SELECT last(${ident('done')}) FROM ${ident(l.rp)}.${ident(PROGRESS_MEASUREMENT)} ` +
      `WHERE ${ident('level')} = ${literal(l.name)} GROUP BY ${ident(MEASUREMENT_TAG)}`,
  );
  const results = await client.query(statements.join('; '));
  const out: Progress = new Map();
  levels.forEach((l, i) => {
    const p: LevelProgress = { byMeasurement: new Map() };
    for (const series of results[i]?.series ?? []) {
      const value = series.values[0]?.[1];
      if (typeof value !== 'number') continue;
      // A point without the tag comes back grouped under the empty value.
      const measurement = series.tags?.[MEASUREMENT_TAG] ?? '';
      if (measurement === '') p.level = value;
      else p.byMeasurement.set(measurement, value);
    }
    out.set(l.name, p);
  });
  return out;
}

/** How far `measurement` is done at `level`: its own progress, else the level-wide one, else never. */
export function doneFor(progress: Progress, level: string, measurement: string): number | undefined {
  const p = progress.get(level);
  return p?.byMeasurement.get(measurement) ?? p?.level;
}

/** Records in memory what writeProgress stored, so a coarser level of the same run reads it. */
export function markDone(progress: Progress, level: string, measurement: string, doneMs: number): void {
  const p = progress.get(level) ?? { byMeasurement: new Map() };
  p.byMeasurement.set(measurement, Math.max(doneMs, p.byMeasurement.get(measurement) ?? doneMs));
  progress.set(level, p);
}

/** Sets the in-memory progress back (late points: rollup/late). */
export function setDone(progress: Progress, level: string, measurement: string, doneMs: number): void {
  const p = progress.get(level) ?? { byMeasurement: new Map() };
  p.byMeasurement.set(measurement, doneMs);
  progress.set(level, p);
}

/**
 * Records that `measurement` of `level` is done up to `doneMs` (without a measurement: the whole
 * level, as older versions did; the bench uses it to mark windows it does not measure), stamped
 * at `stampMs` (the run's time; default `doneMs`). Throws unless InfluxDB stored it.
 */
export async function writeProgress(
  client: InfluxClient,
  level: Level,
  doneMs: number,
  measurement?: string,
  stampMs = doneMs,
): Promise<void> {
  const tags = `level=${escapeTag(level.name)}${measurement ? `,${MEASUREMENT_TAG}=${escapeTag(measurement)}` : ''}`;
  const status = await client.postBody(`${PROGRESS_MEASUREMENT},${tags} done=${doneMs}i ${stampMs}`, level.rp);
  if (status !== 204)
    throw new Error(
      `InfluxDB answered ${status} to the rollup progress of level ${level.name}${measurement ? `, ${measurement}` : ''}`,
    );
}
