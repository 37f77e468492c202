import { describe, expect, it } from 'vitest';
import { encodeSeries, fieldValue, tagString } from '#shared/encode/line-protocol';
import { LineBuffer } from '#shared/encode/line-buffer';
import { FAMILY_BY_NAME } from '#shared/families/catalogue';
import type { Family } from '#shared/families/family';
import { freshDatabase, rows, writeLines } from '#test/helpers/influx';
import { anyDayStartMs } from '#test/helpers/any-day';

const memoryUsage = FAMILY_BY_NAME.get('memory/usage') as Family;
const cpuRate = FAMILY_BY_NAME.get('cpu/usage_rate') as Family;

/** A point time from the wall clock: InfluxDB's retention keeps it on any day. */
const AT = anyDayStartMs();

describe('line-protocol encoding', () => {
  it('sorts tags, drops empty values, and formats int and float fields', () => {
    const out: string[] = [];
    encodeSeries(
      {
        tags: { type: 'pod', pod_name: 'p', labels: '', namespace_name: 'ns' },
        samples: [
          { family: memoryUsage, value: 1024 },
          { family: cpuRate, value: 12.5 },
        ],
      },
      AT,
      'heapster',
      out,
    );
    expect(out).toEqual([
      `memory/usage,namespace_name=ns,pod_name=p,type=pod value=1024i ${AT}`,
      `cpu/usage_rate,namespace_name=ns,pod_name=p,type=pod value=12.5 ${AT}`,
    ]);
  });

  it('splits the name at the first slash in the withfields schema', () => {
    const out: string[] = [];
    encodeSeries({ tags: { type: 'node' }, samples: [{ family: cpuRate, value: 1 }] }, 5, 'withfields', out);
    expect(out).toEqual(['cpu,type=node usage_rate=1 5']);
  });

  it('prints integers above 2^53 without an exponent', () => {
    expect(fieldValue(2 ** 60, true)).toBe('1152921504606846976i');
    expect(fieldValue(1e-7, false)).toBe('1e-7');
  });

  it('escapes commas, equals signs and spaces in tags', () => {
    expect(tagString({ labels: 'a:b c,d=e' })).toBe(',labels=a:b\\ c\\,d\\=e');
  });
});

describe('tag values round-trip exactly through a real influxd', () => {
  const hostile = [
    'a b',
    'a,b',
    'a=b',
    'quote"d',
    "single'q",
    'back\\slash',
    'emoji 🚀 ünïcödé',
    'tab\there',
    'x'.repeat(2000),
    'app:demo,tier:web',
  ];

  it.each(hostile.map((v, i) => [i, v] as const))('value #%i', async (i, value) => {
    const client = await freshDatabase(`lp_${i}`);
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const out: string[] = [];
    encodeSeries(
      { tags: { type: 'pod', labels: value }, samples: [{ family: memoryUsage, value: 7 }] },
      AT,
      'heapster',
      out,
    );
    await writeLines(client, out);
    const got = await rows(client, 'SELECT "value", "labels" FROM "memory/usage"');
    expect(got).toEqual([{ time: AT, value: 7, labels: value }]);
  });
});

describe('tag values InfluxDB 1.x cannot hold are stored in a documented form, never breaking the batch', () => {
  const cases: Array<[string, string]> = [
    ['ends\\', 'ends\uFF3C'],
    ['a\\,b', 'a\uFF3C,b'],
    ['line\nbreak', 'line\\nbreak'],
    ['cr\r\nlf', 'cr\\nlf'],
  ];
  it.each(cases)('%j is stored as %j', async (value, stored) => {
    const client = await freshDatabase('lp_odd');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const out: string[] = [];
    encodeSeries(
      { tags: { type: 'pod', labels: value }, samples: [{ family: memoryUsage, value: 1 }] },
      AT,
      'heapster',
      out,
    );
    await writeLines(client, [...out, `memory/usage,type=ok value=2i ${AT}`]);
    const got = await rows(client, 'SELECT "value", "labels", "type" FROM "memory/usage"');
    expect(got).toEqual(
      expect.arrayContaining([
        { time: AT, value: 1, labels: stored, type: 'pod' },
        { time: AT, value: 2, labels: null, type: 'ok' },
      ]),
    );
  });
});

describe('LineBuffer: the bytes a body is made of', () => {
  it('writes integers, floats and UTF-8 text exactly as String() and Buffer.from() would', () => {
    const lb = new LineBuffer(8);
    const values: Array<[number, boolean]> = [
      [0, true],
      [-7, true],
      [1234567890123, true],
      [2 ** 60, true],
      [2.5, true],
      [1e-7, false],
      [-0.25, false],
      [1.7976931348623157e308, false],
    ];
    for (const [v, int] of values) {
      lb.number(v, int);
      lb.end();
    }
    lb.text('ünïcödé 🚀');
    lb.end();
    lb.bytes(Buffer.from('tail'));
    lb.end();
    const { data, lines } = lb.take();
    expect(lines).toBe(values.length + 2);
    expect(data.toString().split('\n')).toEqual([
      ...values.map(([v, int]) => fieldValue(v, int)),
      'ünïcödé 🚀',
      'tail',
    ]);
    expect(lb.take()).toEqual({ data: Buffer.alloc(0), lines: 0 });
  });
});

describe('LineBuffer numbers', () => {
  it('writes integers exactly as fieldValue prints them, in place or through a string', () => {
    const values = [0, 1, 9, 10, 99, 100, 12.4, 12.6, 65_535, 2 ** 31, 0xffffffff, 2 ** 32, 2 ** 53, 2 ** 60, -1, -5.5];
    for (const v of values) {
      const lb = new LineBuffer(4);
      lb.number(v, true);
      lb.end();
      expect(lb.take().data.toString(), String(v)).toBe(fieldValue(v, true));
    }
  });
});
