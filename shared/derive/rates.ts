/**
 * @module derive/rates
 * Rates from two readings of a cumulative counter: this run's and the previous run's, read back
 * from InfluxDB. No rate when the object restarted (startTime changed), when the counter went
 * backwards, when the readings are not strictly ordered, or across a gap longer than `maxGapMs`.
 */
import type { EntityState } from '#shared/derive/types';

export interface Reading {
  timeMs: number;
  value: number;
}

export interface RateContext {
  prev: EntityState | undefined;
  startMs: number | undefined;
  maxGapMs: number;
}

/** Per-second rate of `counter` between the previous and current reading, or undefined. */
export function ratePerSecond(ctx: RateContext, counter: string, cur: Reading | undefined): number | undefined {
  const before = ctx.prev?.c[counter];
  if (!cur || !before || ctx.prev?.s !== ctx.startMs) return undefined;
  const [prevTime, prevValue] = before;
  const dtMs = cur.timeMs - prevTime;
  const dv = cur.value - prevValue;
  if (dtMs <= 0 || dtMs > ctx.maxGapMs || dv < 0) return undefined;
  return (dv * 1000) / dtMs;
}

/** A reading when both the block time and the counter exist. */
export function reading(timeMs: number | undefined, value: number | undefined): Reading | undefined {
  return timeMs === undefined || value === undefined ? undefined : { timeMs, value };
}
