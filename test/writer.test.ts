import { describe, expect, it } from 'vitest';
import { splitLines } from '#shared/influx/lines';
import { bisect } from '#shared/influx/bisect';
import { Writer } from '#shared/influx/writer';
import { freshDatabase, rows } from '#test/helpers/influx';

describe('splitLines', () => {
  it.each([
    ['plain lines', 'a v=1 1\nb v=2 2', ['a v=1 1', 'b v=2 2']],
    [
      'a newline inside a string field stays in its line',
      'e,k=x message="two\nlines" 1\nf v=1 2',
      ['e,k=x message="two\nlines" 1', 'f v=1 2'],
    ],
    [
      'a quote in a tag is literal',
      'm,labels=note:a\\ b\\,c\\=d"e v=1 1\nn v=2 2',
      ['m,labels=note:a\\ b\\,c\\=d"e v=1 1', 'n v=2 2'],
    ],
    [
      'escaped quotes and backslashes inside a string',
      'e m="say \\"hi\\"\\\\\nok" 1\nf v=1 2',
      ['e m="say \\"hi\\"\\\\\nok" 1', 'f v=1 2'],
    ],
    ['empty', '', []],
  ])('%s', (_name, body, want) => {
    expect(splitLines(body)).toEqual(want);
  });
});

describe('bisect', () => {
  it('isolates the bad lines with few requests and stores the rest', async () => {
    const sent: string[] = [];
    const lines = Array.from({ length: 64 }, (_, i) => (i === 17 || i === 40 ? `bad ${i}` : `ok v=${i} ${i}`));
    const r = await bisect(lines, async (body) => {
      sent.push(body);
      return body.includes('bad') ? 400 : 204;
    });
    expect(r).toEqual({ stored: 62, bad: ['bad 17', 'bad 40'], unresolved: [] });
    expect(sent.length).toBeLessThan(30);
  });
});

describe('Writer against a real influxd', () => {
  it('stores every good line of a rejected body, multi-line string fields included, and counts the bad one', async () => {
    const client = await freshDatabase('writer_bisect');
    await client.ensureDatabase('INF');
    const t = Date.now();
    const writer = new Writer(client, { batchSize: 10, maxInFlight: 2, deadlineMs: Date.now() + 10_000 });
    const lines = [
      ...Array.from({ length: 7 }, (_, i) => `m,k=v${i} v=${i} ${t}`),
      `events,uid=x message="first\nsecond \\"q\\"" ${t}`,
      `m,k=bad v=notanumber ${t}`,
      `m,k=last v=9 ${t}`,
    ];
    await writer.write(lines);
    const stats = await writer.close();
    expect(stats).toMatchObject({ points: 9, badPoints: 1, failedPoints: 0, spooledPoints: 0 });
    expect(stats.badLines).toEqual([`m,k=bad v=notanumber ${t}`]);
    expect(await rows(client, 'SELECT count("v") FROM "m"')).toEqual([{ time: 0, count: 8 }]);
    expect(await rows(client, 'SELECT "message" FROM "events"')).toEqual([{ time: t, message: 'first\nsecond "q"' }]);
  });
});
