/**
 * The line-protocol escaping is the same in every position (measurement, tag key, tag value,
 * field key, string field value), a trailing backslash included. Fuzzed: random names and values
 * from a seeded generator, encoded, written to the real influxd, and read back exactly or in the
 * stored form escape.ts documents (a line break in a name is the two characters `\n`; a backslash
 * that ends a name or stands before `,` `=` space or `"` is `＼`, U+FF3C; a measurement's leading
 * tabs are dropped and a leading `#` is `＃`).
 */
import { describe, expect, it } from 'vitest';
import { escapeMeasurement, escapeTag, quoteString } from '#shared/encode/escape';
import { ident } from '#shared/influx/influxql';
import { freshDatabase } from '#test/helpers/influx';
import { anyDayStartMs } from '#test/helpers/any-day';

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  '_',
  '-',
  '.',
  '/',
  ':',
  ' ',
  ',',
  '=',
  '\\',
  '"',
  "'",
  '\n',
  '#',
  '\t',
  'é',
  '😀',
  '{',
];

/**
 * What a name reads back as, written independently of escape.ts from what influxd 1.6 does:
 * line breaks become `\n`; a backslash before `,` `=` space `"` or at the end becomes `＼`;
 * a measurement loses leading tabs and NULs, and a leading `#` becomes `＃`.
 */
function expected(s: string, measurement = false): string {
  let out = s.replace(/\r?\n|\r/g, '\\n').replace(/\\(?=[,= "]|$)/g, '\uFF3C');
  if (measurement) out = out.replace(/^[\t\0]+/, '').replace(/^#/, '\uFF03');
  return out;
}

/** JSON with the row's keys sorted, to compare rows whatever InfluxDB's column order. */
function sorted(x: { measurement: string; row: Record<string, unknown> } | undefined): string {
  return JSON.stringify(x && [x.measurement, Object.entries(x.row).sort(([a], [b]) => (a < b ? -1 : 1))]);
}

describe('line-protocol escaping, fuzzed against the real influxd', () => {
  it('reads back 300 random measurements, tag keys and values, field keys and string values', async () => {
    const client = await freshDatabase('escape_fuzz');
    await client.ensureDatabase('INF');
    const rand = prng(20261129);
    const word = (min: number): string => {
      const n = min + Math.floor(rand() * 8);
      let s = '';
      for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      // One case in four ends in a backslash: the defect the review found.
      return rand() < 0.25 ? `${s}\\` : s;
    };
    const cases = Array.from({ length: 300 }, (_, i) => ({
      // A unique prefix or suffix per case keeps one point per measurement, whatever the random
      // part; a prefix lets the name end in anything, a suffix lets it start with anything.
      measurement: i % 2 === 0 ? `m${i}${word(0)}` : `${word(1)}_${i}`,
      tagKey: `t${word(0)}`,
      tagValue: word(1),
      fieldKey: `f${word(0)}`,
      value: word(0),
      time: anyDayStartMs() + i,
    }));
    const lines = cases.map(
      (c) =>
        `${escapeMeasurement(c.measurement)},${escapeTag(c.tagKey)}=${escapeTag(c.tagValue)} ${escapeTag(c.fieldKey)}=${quoteString(c.value)} ${c.time}`,
    );
    const res = await fetch(`${client.options.url}/write?db=${client.options.db}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect({ status: res.status, body: res.status === 204 ? '' : await res.text() }).toEqual({ status: 204, body: '' });

    // Every stored measurement, then each one read by name (a regex FROM skips names with `"`).
    const [shown] = await client.query('SHOW MEASUREMENTS');
    const names = (shown?.series?.[0]?.values ?? []).map((v) => v[0] as string).sort();
    expect(names).toEqual(cases.map((c) => expected(c.measurement, true)).sort());
    const results = await client.query(names.map((n) => `SELECT * FROM ${ident(n)}`).join(';'));
    const got = new Map<number, { measurement: string; row: Record<string, unknown> }>();
    for (const result of results)
      for (const s of result.series ?? [])
        for (const v of s.values) {
          const row = Object.fromEntries(s.columns.map((col, i) => [col, v[i]]).filter(([, x]) => x !== null));
          got.set(row['time'] as number, { measurement: s.name ?? '', row });
        }
    const mismatches = cases.flatMap((c) => {
      const want = {
        measurement: expected(c.measurement, true),
        row: { time: c.time, [expected(c.tagKey)]: expected(c.tagValue), [expected(c.fieldKey)]: c.value },
      };
      const have = got.get(c.time);
      return sorted(have) === sorted(want) ? [] : [{ line: lines[cases.indexOf(c)], want, have }];
    });
    expect(mismatches).toEqual([]);
    expect(got.size).toBe(300);
  });

  it('a custom metric named `evil\\` keeps its tags (the review’s case)', async () => {
    const client = await freshDatabase('escape_evil');
    await client.ensureDatabase('INF');
    const line = `${escapeMeasurement('custom/evil\\')},${escapeTag('container_name')}=${escapeTag('c0-evil')} value=1 1000`;
    const res = await fetch(`${client.options.url}/write?db=${client.options.db}&precision=ms`, {
      method: 'POST',
      body: line,
    });
    expect(res.status).toBe(204);
    // Before the fix: stored as the measurement `custom/evil,container_name=c0-evil＼`, tag lost.
    const [shown] = await client.query('SHOW SERIES');
    expect(shown?.series?.[0]?.values).toEqual([['custom/evil＼,container_name=c0-evil']]);
  });
});
