import { describe, expect, it } from 'vitest';
import { parseLevels } from '#shared/rollup/levels';
import { pickResolution, resolveScope, type ResolutionSettings } from '#shared/query/resolution';
import { OBJECT_TYPES } from '#shared/rollup/statements';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const now = Date.UTC(2026, 10, 29, 12);
const o = { rawStepMs: MIN, rawRetentionMs: 7 * DAY, levels: parseLevels('5m:30d,1h:400d'), pointsPerSeries: 1000 };
const pick = (startAgoMs: number, spanMs = startAgoMs) =>
  pickResolution(now - startAgoMs, now - startAgoMs + spanMs, now, o).rp;

describe('resolution by range', () => {
  it('reads raw points for short ranges, 5-minute rollups for days, hourly ones for months', () => {
    expect(pick(15 * MIN)).toBeUndefined();
    expect(pick(16 * HOUR)).toBeUndefined();
    expect(pick(17 * HOUR)).toBe('heapless_5m');
    expect(pick(3 * DAY)).toBe('heapless_5m');
    expect(pick(4 * DAY)).toBe('heapless_1h');
    expect(pick(90 * DAY)).toBe('heapless_1h');
  });

  it('never reads a level whose retention has dropped the range start', () => {
    // An hour, 8 days ago: the raw points are gone (7 days), the 5-minute ones are there.
    expect(pick(8 * DAY, HOUR)).toBe('heapless_5m');
    // An hour, 31 days ago: only the hourly level holds it.
    expect(pick(31 * DAY, HOUR)).toBe('heapless_1h');
    // Past every level: the coarsest, which holds the most.
    expect(pick(500 * DAY, HOUR)).toBe('heapless_1h');
  });
});

describe('resolution by object type (ROLLUP_TYPES)', () => {
  const settings = (rollupTypes: ResolutionSettings['rollupTypes']): ResolutionSettings => ({
    interval: MIN,
    influxRetention: '7d',
    rollupLevels: o.levels,
    rollupTypes,
    queryPointsPerSeries: 1000,
  });
  const month = { startMs: now - 30 * DAY, endMs: now };

  it('reads a type the rollup keeps from its level, one it does not from the raw points whatever the range', () => {
    const some = settings(['node', 'ns', 'workload', 'cluster', 'sys_container']);
    expect(resolveScope(month, 'node', now, some).rp).toBe('heapless_1h');
    expect(resolveScope(month, 'pod', now, some)).toEqual(month);
    expect(resolveScope(month, 'pod_container', now, some)).toEqual(month);
    // Every type by default (the rollup's default too).
    expect(resolveScope(month, 'pod_container', now, settings(OBJECT_TYPES)).rp).toBe('heapless_1h');
  });
});
