/**
 * @module any-day.test
 * The suite passes on any day. InfluxDB drops points older than a retention policy, so a test
 * that talks to InfluxDB at a fixed calendar date passes for a week and then fails everywhere.
 * This guard reads every test file that reaches InfluxDB and fails on a calendar date or an
 * epoch-milliseconds literal in it; times there derive from the wall clock
 * (`#test/helpers/any-day`). A line may keep a date it never writes (a request parameter that
 * is rejected, say) when it says so: `// any-day: <why>`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collected } from '#test/helpers/collected';
import { PROJECT_DIR } from '#test/helpers/paths';

/** A file reaches InfluxDB when it starts one, writes to one, or uses a helper that does. */
const TALKS_TO_INFLUX =
  /influxd|freshDatabase|writeLines|inject\('influxUrl'\)|#test\/helpers\/(collected|influx|events|query-fixture|rollup-check|collect-bundle|start-process)'/;

const FIXED_DATE: Array<[string, RegExp]> = [
  ['a calendar date-time literal', /['"`](19|20)\d\d-[01]\d-[0-3]\dT/],
  ['Date.UTC', /Date\.UTC\(/],
  ['an epoch-milliseconds literal', /\b1[5-9]\d{11}\b|\b1_[5-9]\d\d_\d{3}_\d{3}_\d{3}\b/],
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** `line: what` for every fixed date in a file's text that reaches InfluxDB. */
function fixedDatesIn(text: string): string[] {
  if (!TALKS_TO_INFLUX.test(text)) return [];
  return text
    .split('\n')
    .flatMap((line, i) =>
      line.includes('any-day:')
        ? []
        : FIXED_DATE.filter(([, re]) => re.test(line)).map(([what]) => `${i + 1}: ${what}`),
    );
}

describe('the suite passes on any day', () => {
  it('no test that reaches InfluxDB names a fixed date', () => {
    const found = testFiles(join(PROJECT_DIR, 'test'))
      .filter((file) => !file.endsWith('any-day.test.ts'))
      .flatMap((file) => fixedDatesIn(readFileSync(file, 'utf8')).map((at) => `${relative(PROJECT_DIR, file)}:${at}`));
    expect(found).toEqual([]);
  });

  it('finds the fixed dates that once failed the suite a week later, and passes what the clock gives', () => {
    const uses = "import { freshDatabase } from '#test/helpers/influx';\n";
    // The samples are put together, so that this file names no date itself.
    const day = `'${2026}-11-23T10:00:00Z'`;
    expect(fixedDatesIn(`${uses}export const SIM_START_MS = Date.parse(${day});`)).toEqual([
      '2: a calendar date-time literal',
    ]);
    expect(
      fixedDatesIn(`${uses}const now = Date.UTC(${2026}, 10, 29, 12);\nconst t = ${'1_700'}_000_000_000;`),
    ).toEqual(['2: Date.UTC', '3: an epoch-milliseconds literal']);
    expect(fixedDatesIn(`${uses}const T0 = iso(anyDayStartMs());`)).toEqual([]);
    expect(fixedDatesIn(`${uses}get('?end=2026-13-01T00:00:00Z'); // any-day: a parameter, not a point`)).toEqual([]);
    // A pure test that never reaches InfluxDB may keep a readable date.
    expect(fixedDatesIn(`const NOW = Date.parse(${day});`)).toEqual([]);
  });

  it('a simulated cluster collected into InfluxDB starts near the wall clock', async () => {
    const weekAgo = Date.now() - 8 * 86_400_000;
    await expect(collected('any_day_guard', { nodes: 1, podsPerNode: 1, startTimeMs: weekAgo })).rejects.toThrow(
      /starts .* from the wall clock/,
    );
  });
});
