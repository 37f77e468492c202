/**
 * @module test/helpers/any-day
 * Times for tests that talk to InfluxDB. InfluxDB drops points older than its retention policy
 * (7 days by default), so a test that wrote at a fixed calendar date would fail a week later:
 * every time such a test writes or asks about derives from the wall clock when it starts.
 * `test/any-day.test.ts` keeps calendar dates out of those tests.
 */
import { rfc3339 } from '#test/sim/clock';

const HOUR_MS = 3_600_000;

/**
 * The wall clock at load, floored to `alignMs` (1 h by default, so every interval, 5-minute
 * window and hour boundary a test counts on starts there). At most `alignMs` in the past:
 * far inside any retention policy.
 */
export function anyDayStartMs(alignMs = HOUR_MS): number {
  return Math.floor(Date.now() / alignMs) * alignMs;
}

/** RFC 3339 with whole seconds and `Z`, e.g. for `start=` parameters and expected timestamps. */
export const iso = rfc3339;

/** The same instant written with a `+HH:MM` offset, as a client in another zone would send it. */
export function isoWithOffset(ms: number, offsetHours: number): string {
  const local = rfc3339(ms + offsetHours * HOUR_MS).replace(/Z$/, '');
  const sign = offsetHours < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
}
