/**
 * The rollup's progress per (level, measurement), against the real influxd: a statement influxd
 * fails for one measurement costs that measurement only, the next runs do only it, and once it
 * succeeds every rollup point equals the raw points it covers; progress kept per level by older
 * versions is continued from, not redone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident, literal } from '#shared/influx/influxql';
import { parseLevels } from '#shared/rollup/levels';
import { PROGRESS_MEASUREMENT, readProgress, writeProgress } from '#shared/rollup/progress';
import type { RollupResult } from '#shared/rollup/run';
import { collected, type Collected } from '#test/helpers/collected';
import { checkLevel, collectFor, HOUR, MIN, rawPoints, rollup, rollupRun } from '#test/helpers/rollup-check';

const LEVELS = parseLevels('5m:30d,1h:400d');
/** The measurement made to fail: the node's CPU, present in every cluster. */
const FAILING = 'cpu/usage_rate';

const perLevel = (r: RollupResult, key: 'statements' | 'measurements' | 'failed'): number[] =>
  r.stats.levels.map((l) => l[key]);

describe('rollup progress per measurement', () => {
  let c: Collected;
  let start: number;
  let end: number;
  let measurements: number;
  const db = (): string => ident(c.client.options.db);

  beforeAll(async () => {
    // Two hours of collection ending well before now: the raw policy (7 days) keeps them.
    start = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    end = start + 2 * HOUR;
    c = await collected('rollup_progress', { nodes: 2, podsPerNode: 2, namespaces: 2, startTimeMs: start });
    await collectFor(c, 120);
  }, 600_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('a statement influxd fails costs only its measurement; the next run does only that one', async () => {
    // Prepare: a string `value` in the 5-minute policy's FAILING makes influxd refuse every INTO
    // of that measurement there (field type conflict), as its write-timeout refuses a large one.
    await c.client.query(`CREATE RETENTION POLICY "heapless_5m" ON ${db()} DURATION 30d REPLICATION 1`, { db: null });
    const status = await c.client.postBody(`${FAILING},type=conflict value="not a number" ${start}`, 'heapless_5m');
    expect(status).toBe(204);
    const now = end + 10 * MIN;
    // Act
    const logs: Array<Record<string, unknown>> = [];
    const first = await rollupRun(c, now, {}, logs);
    // Assess: every other measurement is rolled up at both levels and recorded as done; the
    // failing one is logged with its level, range and a hint, and the run exits 1.
    measurements = first.stats.measurements;
    expect(measurements).toBeGreaterThan(30);
    expect(first.exitCode).toBe(1);
    expect(first.stats).toMatchObject({ failedStatements: 1, cut: false });
    expect(perLevel(first, 'failed')).toEqual([1, 0]);
    expect(perLevel(first, 'measurements')).toEqual([measurements - 1, measurements - 1]);
    // The 1-hour level reads only what the 5-minute level did for the same measurement.
    expect(perLevel(first, 'statements')).toEqual([measurements, measurements - 1]);
    const failed = logs.filter((l) => l['event'] === 'rollup_statement_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      level: 'error',
      rollupLevel: '5m',
      measurement: FAILING,
      to: new Date(end + 5 * MIN).toISOString(),
    });
    expect(String(failed[0]?.['error'])).toMatch(/field type conflict/);
    expect(String(failed[0]?.['hint'])).toMatch(/write-timeout.*ROLLUP_TYPES/);
    const progress = await readProgress(c.client, LEVELS);
    expect(progress.get('5m')?.byMeasurement.size).toBe(measurements - 1);
    expect(progress.get('5m')?.byMeasurement.has(FAILING)).toBe(false);
    expect(progress.get('1h')?.byMeasurement.get('memory/usage')).toBe(end);

    // Still failing: the next run sends the failing measurement's statement alone.
    const second = await rollupRun(c, now);
    expect(second.exitCode).toBe(1);
    expect(perLevel(second, 'statements')).toEqual([1, 0]);

    // Once influxd accepts it (the measurement dropped from every policy and its raw points
    // written back), one run does it at both levels and nothing else.
    await c.client.query(`SELECT * INTO "heapless"."saved" FROM "heapless".${ident(FAILING)} GROUP BY *`);
    await c.client.query(`DROP MEASUREMENT ${ident(FAILING)}`);
    await c.client.query(`SELECT * INTO "heapless".${ident(FAILING)} FROM "heapless"."saved" GROUP BY *`);
    await c.client.query('DROP MEASUREMENT "saved"');
    const third = await rollup(c, now);
    expect(perLevel(third, 'statements')).toEqual([1, 1]);
    expect(perLevel(third, 'measurements')).toEqual([1, 1]);
    expect((await rollup(c, now)).stats.levels.map((l) => l.statements)).toEqual([0, 0]);
    // The rollups equal the raw points they cover, the failed-then-redone measurement included.
    const raw = await rawPoints(c.client, 'heapster');
    expect([...raw.keys()].some((k) => k.startsWith(`${FAILING}|`))).toBe(true);
    expect(
      await checkLevel(c.client, 'heapster', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs: end }),
    ).toBeGreaterThan(0);
    expect(
      await checkLevel(c.client, 'heapster', raw, 'heapless_1h', HOUR, { fromMs: start, toMs: end }),
    ).toBeGreaterThan(0);
  });

  it('continues from the progress per level that older versions kept, without redoing earlier windows', async () => {
    // Prepare: only level-wide progress, as before progress per measurement: the 5-minute level
    // done up to 30 minutes before the end, the hourly one up to an hour before.
    await c.client.query(`DROP MEASUREMENT ${ident(PROGRESS_MEASUREMENT)}`);
    await writeProgress(c.client, LEVELS[0]!, end - 30 * MIN);
    await writeProgress(c.client, LEVELS[1]!, end - HOUR);
    // Act
    const r = await rollup(c, end + 10 * MIN);
    // Assess: every measurement resumes from the level's point, one statement each (no shards here).
    const [five, hour] = r.stats.levels;
    expect(five).toMatchObject({ fromMs: end - 30 * MIN, toMs: end + 5 * MIN, windows: 7 });
    expect(hour).toMatchObject({ fromMs: end - HOUR, toMs: end, windows: 1 });
    expect(perLevel(r, 'statements')).toEqual([measurements, measurements]);
    expect(perLevel(r, 'measurements')).toEqual([measurements, measurements]);
    // Each measurement now has its own progress; the old point stays as the fallback.
    const progress = await readProgress(c.client, LEVELS);
    expect(progress.get('5m')).toMatchObject({ level: end - 30 * MIN });
    expect(new Set(progress.get('5m')?.byMeasurement.values())).toEqual(new Set([end + 5 * MIN]));
    expect(new Set(progress.get('1h')?.byMeasurement.values())).toEqual(new Set([end]));
    expect((await rollup(c, end + 10 * MIN)).stats.levels.map((l) => l.statements)).toEqual([0, 0]);
    // A measurement with no progress of its own (here: its own point dropped) resumes from the level's.
    await c.client.query(
      `DELETE FROM ${ident(PROGRESS_MEASUREMENT)} WHERE "measurement" = ${literal(FAILING)} AND "level" = '5m'`,
    );
    const again = await rollup(c, end + 10 * MIN);
    expect(again.stats.levels[0]).toMatchObject({ fromMs: end - 30 * MIN, statements: 1, measurements: 1 });
    const raw = await rawPoints(c.client, 'heapster');
    await checkLevel(c.client, 'heapster', raw, 'heapless_5m', 5 * MIN, { fromMs: start, toMs: end });
    await checkLevel(c.client, 'heapster', raw, 'heapless_1h', HOUR, { fromMs: start, toMs: end });
  });
});
