/**
 * @module query/resolution
 * Which stored resolution answers a time range: the raw points, or one of the rollup levels
 * (rollup/levels). The finest one that still holds the range's start and answers it in at most
 * `pointsPerSeries` points per series; past every level's reach, the coarsest. An object type the
 * rollup does not keep (ROLLUP_TYPES) is always read raw. Rollups keep
 * Heapster's measurement names and their main aggregate in `value`, so a reader changes only the
 * retention policy it names. Pure.
 */
import { parseDurationMs } from '#shared/config/parsers';
import type { ObjectType } from '#shared/model';
import type { Level } from '#shared/rollup/levels';
import type { Scope } from '#shared/query/where';

export interface Resolution {
  /** Retention policy to read; undefined: the database's default (the raw points). */
  rp: string | undefined;
  stepMs: number;
}

export interface ResolutionOptions {
  /** The collector's interval: the raw points' spacing. */
  rawStepMs: number;
  /** How long raw points are kept (INFLUX_RETENTION); Infinity for forever. */
  rawRetentionMs: number;
  levels: readonly Level[];
  pointsPerSeries: number;
}

/** `30d` → ms; `INF` → Infinity. */
export function retentionMs(retention: string): number {
  return retention === 'INF' ? Number.POSITIVE_INFINITY : parseDurationMs(retention);
}

export function pickResolution(startMs: number, endMs: number, nowMs: number, o: ResolutionOptions): Resolution {
  const candidates: Array<Resolution & { keptMs: number }> = [
    { rp: undefined, stepMs: o.rawStepMs, keptMs: o.rawRetentionMs },
    ...o.levels.map((l) => ({ rp: l.rp, stepMs: l.windowMs, keptMs: retentionMs(l.retention) })),
  ];
  const span = Math.max(0, endMs - startMs);
  const fits = candidates.find((c) => startMs >= nowMs - c.keptMs && span / c.stepMs <= o.pointsPerSeries);
  const chosen = fits ?? candidates[candidates.length - 1]!;
  return { rp: chosen.rp, stepMs: chosen.stepMs };
}

/** The settings that decide the resolution (query/settings). */
export interface ResolutionSettings {
  interval: number;
  influxRetention: string;
  rollupLevels: readonly Level[];
  /** The object types the rollup keeps (its ROLLUP_TYPES). */
  rollupTypes: readonly ObjectType[];
  queryPointsPerSeries: number;
}

/**
 * The scope read at the resolution its range calls for. A rollup point is stamped with its
 * window's start, so the start is moved back to the window holding it: the first point covers
 * the range's start instead of being dropped. `type`: the object type the statement reads; one the
 * rollup does not keep has no rollup points, so it stays on the raw points (an empty answer where
 * they are gone, rather than a level that never held it).
 */
export function resolveScope(scope: Scope, type: ObjectType, nowMs: number, s: ResolutionSettings): Scope {
  if (!s.rollupTypes.includes(type)) return scope;
  const r = pickResolution(scope.startMs, scope.endMs, nowMs, {
    rawStepMs: s.interval,
    rawRetentionMs: retentionMs(s.influxRetention),
    levels: s.rollupLevels,
    pointsPerSeries: s.queryPointsPerSeries,
  });
  if (r.rp === undefined) return scope;
  return { ...scope, rp: r.rp, startMs: Math.floor(scope.startMs / r.stepMs) * r.stepMs };
}
