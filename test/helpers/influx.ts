/**
 * @module test/helpers/influx
 * Test access to the suite's real influxd: a fresh database per test file, and InfluxQL reads.
 */
import { inject } from 'vitest';
import { InfluxClient } from '#shared/influx/client';
import { ident } from '#shared/influx/influxql';

let counter = 0;

/** A client on a new, empty database of the suite's influxd. */
export async function freshDatabase(prefix: string): Promise<InfluxClient> {
  const db = `${prefix.replace(/[^a-z0-9_]/gi, '_')}_${process.pid}_${Date.now()}_${counter++}`;
  const client = new InfluxClient({ url: inject('influxUrl'), db, auth: {}, timeoutMs: 10_000 });
  await client.query(`DROP DATABASE ${ident(db)}`, { db: null });
  return client;
}

/** Rows of the first statement's series, each as column → value, with the series tags merged in. */
export async function rows(client: InfluxClient, q: string): Promise<Array<Record<string, unknown>>> {
  const [result] = await client.query(q);
  const out: Array<Record<string, unknown>> = [];
  for (const s of result?.series ?? []) {
    for (const v of s.values) out.push({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) });
  }
  return out;
}

/** Writes raw line protocol (ms precision); throws on any non-204. */
export async function writeLines(client: InfluxClient, lines: string[]): Promise<void> {
  const res = await fetch(`${client.options.url}/write?db=${encodeURIComponent(client.options.db)}&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  if (res.status !== 204) throw new Error(`write failed: HTTP ${res.status} ${await res.text()}`);
}
