/**
 * `npx tsx bench/rollup-probe.ts --from DIR [--variants a,b] [--only REGEX]`: where a rollup
 * run's influxd CPU goes. Restores data saved by `bench/rollup.ts --save DIR`, then runs, for
 * every measurement, each variant of the raw → 5m statement over the first 5-minute window, and
 * prints influxd CPU-s and wall per variant (one JSON line each, stderr per measurement).
 */
import { readFileSync } from 'node:fs';
import { InfluxClient } from '#shared/influx/client';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { type Plan, readPlans } from '#shared/rollup/catalog';
import { parseLevels } from '#shared/rollup/levels';
import { rollupStatements } from '#shared/rollup/statements';
import { restoreData } from '#bench/rollup-disk';
import { startInfluxd } from '#test/influxd/server';

const DB = 'k8s';
const MIN = 60_000;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

function influxdCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Variant = (m: string, tags: readonly string[], where: string, plan: Plan, startMs: number) => string;

const LEVELS = parseLevels('5m:30d,1h:400d');

/** The rollup's own statements, over an empty range (what a level with nothing due used to send). */
function emptyRange(plan: Plan, startMs: number, level: 0 | 1): string {
  const l = LEVELS[level]!;
  const range = { fromMs: startMs, toMs: startMs, level: l, sourceRp: level === 0 ? 'heapless' : 'heapless_5m' };
  return rollupStatements(plan, { ...range, fromRaw: level === 0, into: true }).join('; ');
}

const q = ident;
const VARIANTS: Record<string, Variant> = {
  // What the rollup writes today for a gauge (mean, max, count), INTO the 5m policy.
  into3: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count INTO heapless_5m.${q(m)} FROM heapless.${q(m)} ${w} GROUP BY time(5m), * fill(none)`,
  select3: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count FROM heapless.${q(m)} ${w} GROUP BY time(5m), * fill(none)`,
  select1: (m, _t, w) =>
    `SELECT count(value) AS value_count FROM heapless.${q(m)} ${w} GROUP BY time(5m), * fill(none)`,
  selectTags3: (m, t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count FROM heapless.${q(m)} ${w} GROUP BY time(5m)${t.map((k) => `, ${q(k)}`).join('')} fill(none)`,
  selectNoGroup3: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count FROM heapless.${q(m)} ${w} GROUP BY time(5m) fill(none)`,
  raw: (m, _t, w) => `SELECT value FROM heapless.${q(m)} ${w}`,
  rawTags: (m, _t, w) => `SELECT value FROM heapless.${q(m)} ${w} GROUP BY *`,
  // The same aggregates over a subquery that reads each series once (one cursor, not three).
  sub3: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count FROM (SELECT value FROM heapless.${q(m)} ${w} GROUP BY *) GROUP BY time(5m), * fill(none)`,
  sub3into: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count INTO heapless_5m.${q(m)} FROM (SELECT value FROM heapless.${q(m)} ${w} GROUP BY *) GROUP BY time(5m), * fill(none)`,
  // Only some object types: no containers; then neither pods nor containers.
  into3NoContainers: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count INTO heapless_5m.${q(m)} FROM heapless.${q(m)} ${w} AND "type" != 'pod_container' GROUP BY time(5m), * fill(none)`,
  into3NoPods: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count INTO heapless_5m.${q(m)} FROM heapless.${q(m)} ${w} AND "type" != 'pod_container' AND "type" != 'pod' GROUP BY time(5m), * fill(none)`,
  into3Regex: (m, _t, w) =>
    `SELECT mean(value) AS value, max(value) AS value_max, count(value) AS value_count INTO heapless_5m.${q(m)} FROM heapless.${q(m)} ${w} AND "type" =~ /^(node|ns|cluster|workload|sys_container)$/ GROUP BY time(5m), * fill(none)`,
  empty5m: (_m, _t, _w, plan, startMs) => emptyRange(plan, startMs, 0),
  empty1h: (_m, _t, _w, plan, startMs) => emptyRange(plan, startMs, 1),
  meanTags: (m, _t, w) => `SELECT mean(value) AS value FROM heapless.${q(m)} ${w} GROUP BY time(5m), * fill(none)`,
};

async function main(): Promise<void> {
  const from = arg('from', '');
  const names = arg('variants', Object.keys(VARIANTS).join(',')).split(',');
  const only = new RegExp(arg('only', '.'));
  const influx = await startInfluxd();
  try {
    const saved = await restoreData<{ startMs: number }>(influx, from);
    const client = new InfluxClient({ url: influx.url, db: DB, auth: {}, timeoutMs: 3_600_000 });
    await client.query(`CREATE RETENTION POLICY heapless_5m ON ${q(DB)} DURATION 30d REPLICATION 1`, { db: null });
    const plans = (await readPlans(client, 'heapless', 'heapster')).filter((p) => only.test(p.measurement));
    const where = `WHERE time >= ${timeLiteral(saved.startMs)} AND time < ${timeLiteral(saved.startMs + 5 * MIN)}`;
    for (const name of names) {
      const variant = VARIANTS[name];
      if (!variant) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')}`);
      const [c0, t0] = [influxdCpuS(influx.pid), performance.now()];
      let rows = 0;
      for (const plan of plans) {
        const [res] = await client.query(variant(plan.measurement, plan.tagKeys, where, plan, saved.startMs));
        rows += (res?.series ?? []).reduce((a, s) => a + s.values.length, 0);
      }
      const out = {
        variant: name,
        measurements: plans.length,
        rows,
        influxdCpuS: Number((influxdCpuS(influx.pid) - c0).toFixed(2)),
        wallS: Number(((performance.now() - t0) / 1000).toFixed(2)),
      };
      console.log(JSON.stringify(out));
    }
  } finally {
    await influx.stop();
  }
}

await main();
