/**
 * @module query/resolution
 * Which stored resolution answers a time range: the raw points, or one of the rollup levels
 * (rollup/levels). The finest one that still holds the range's start and answers it in at most
 * `pointsPerSeries` points per series; past every level's reach, the coarsest. Rollups keep
 * Heapster's measurement names and their main aggregate in `value`, so a reader changes only the
 * retention policy it names. Pure.
 */
import { parseDurationMs } from '#shared/config/parsers';
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
  queryPointsPerSeries: number;
}

/**
 * The scope read at the resolution its range calls for. A rollup point is stamped with its
 * window's start, so the start is moved back to the window holding it: the first point covers
 * the range's start instead of being dropped.
 */
export function resolveScope(scope: Scope, nowMs: number, s: ResolutionSettings): Scope {
  const r = pickResolution(scope.startMs, scope.endMs, nowMs, {
    rawStepMs: s.interval,
    rawRetentionMs: retentionMs(s.influxRetention),
    levels: s.rollupLevels,
    pointsPerSeries: s.queryPointsPerSeries,
  });
  if (r.rp === undefined) return scope;
  return { ...scope, rp: r.rp, startMs: Math.floor(scope.startMs / r.stepMs) * r.stepMs };
}
