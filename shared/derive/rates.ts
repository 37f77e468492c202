/**
 * @module derive/rates
 * Rates from two readings of a cumulative counter: this run's and the previous run's, read back
 * from InfluxDB. No rate when the object restarted (startTime changed), when the counter went
 * backwards, when the readings are not strictly ordered, or across a gap longer than `maxGapMs`.
 */
import type { EntityState } from '#shared/derive/types';

export interface RateContext {
  prev: EntityState | undefined;
  startMs: number | undefined;
  maxGapMs: number;
}

/**
 * Per-second rate of `counter` between the previous and current reading, or undefined. A
 * reading is [sample time ms, value], the shape the state keeps between runs.
 */
export function ratePerSecond(
  ctx: RateContext,
  counter: string,
  cur: readonly [number, number] | undefined,
): number | undefined {
  const before = ctx.prev?.c[counter];
  if (!cur || !before || ctx.prev?.s !== ctx.startMs) return undefined;
  const dtMs = cur[0] - before[0];
  const dv = cur[1] - before[1];
  if (dtMs <= 0 || dtMs > ctx.maxGapMs || dv < 0) return undefined;
  return (dv * 1000) / dtMs;
}
