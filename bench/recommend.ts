/**
 * @module bench/recommend
 * Right-sizing's cost (issue 25): `npx tsx bench/recommend.ts --nodes 1000 --pods 30 --hours 168`.
 * A fresh influxd gets the history straight in the 5-minute level (`heapless_5m`: the rolled-up
 * `cpu/usage_rate` mean and `memory/working_set` max of every container, one row per window),
 * the rollup's progress point, and each container's current requests and limits as raw points;
 * then the query service's app (in-process, auth off) answers the cluster-wide route and one
 * workload's route, each the median of three requests. Workloads are Deployments of 10 pods
 * spread over 10 namespaces, 2 containers a pod. Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import { InfluxClient } from '#shared/influx/client';
import { benchApp } from '#bench/queries';
import { startInfluxd } from '#test/influxd/server';
import type { createApp } from '../functions/query/app';

const WINDOW_MS = 300_000;
const REPLICAS = 10;
const CONTAINERS = ['app', 'sidecar'];
const LINES_PER_WRITE = 50_000;
const TRIES = 3;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '30' },
    hours: { type: 'string', default: '168' },
    // rows: the rollup's right-sizing rows (heapless_rightsizing); level: every container's 5-minute rollups.
    source: { type: 'string', default: 'rows' },
  },
});
const nodes = Number(values.nodes);
const podsPerNode = Number(values.pods);
const windows = Math.round((Number(values.hours) * 3_600_000) / WINDOW_MS);

interface Pod {
  node: string;
  ns: string;
  name: string;
  workload: string;
}

function pods(): Pod[] {
  return Array.from({ length: nodes * podsPerNode }, (_, i) => {
    const w = Math.floor(i / REPLICAS);
    return { node: `node-${i % nodes}`, ns: `ns-${w % 10}`, name: `web-${w}-${i % REPLICAS}`, workload: `web-${w}` };
  });
}

const tags = (p: Pod, c: string): string =>
  `container_name=${c},namespace_name=${p.ns},nodename=${p.node},pod_name=${p.name},type=pod_container,workload_kind=Deployment,workload_name=${p.workload}`;

async function write(url: string, db: string, rp: string, lines: string[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${db}&rp=${rp}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204) throw new Error(`write to ${rp} failed: HTTP ${res.status} ${await res.text()}`);
}

/** Lines into `heapless_5m`, `size` to a request; `done()` writes the rest and counts them all. */
function levelWriter(url: string, db: string, size: number) {
  let batch: string[] = [];
  let points = 0;
  const flush = async (): Promise<void> => {
    if (batch.length) await write(url, db, 'heapless_5m', batch);
    points += batch.length;
    batch = [];
  };
  return {
    push: async (line: string): Promise<void> => {
      batch.push(line);
      if (batch.length >= size) await flush();
    },
    done: async (): Promise<number> => {
      await flush();
      return points;
    },
  };
}

/** Window by window, so influxd's cache takes the points in time order, as the rollup writes them. */
async function writeHistory(url: string, db: string, all: Pod[], endMs: number): Promise<number> {
  const out = levelWriter(url, db, LINES_PER_WRITE);
  for (let k = windows; k >= 1; k--) {
    const t = endMs - k * WINDOW_MS;
    for (const [i, p] of all.entries())
      for (const [j, c] of CONTAINERS.entries()) {
        const cpu = cpuOf(i, j, k, t);
        const ws = wsOf(i, j, k) - 4_194_304;
        await out.push(
          `cpu/usage_rate,${tags(p, c)} value=${cpu.toFixed(3)},value_max=${(cpu * 1.5).toFixed(3)},value_count=5i ${t}`,
        );
        await out.push(
          `memory/working_set,${tags(p, c)} value=${ws}i,value_max=${ws + 4_194_304}i,value_count=5i ${t}`,
        );
      }
  }
  return out.done();
}

const cpuOf = (i: number, j: number, k: number, t: number): number =>
  20 + 10 * j + ((i * 7 + k * 13) % 50) + 15 * Math.sin((2 * Math.PI * t) / 86_400_000);
const wsOf = (i: number, j: number, k: number): number => (64 + 32 * j + ((i + k) % 64)) * 1_048_576 + 4_194_304;

/**
 * The rollup's right-sizing rows of the same history (rollup/rightsizing): the day and hour rows
 * of every workload container, and the 5-minute rows of the first and last hour (the only ones a
 * route over the whole history reads). Built from the same per-(pod, window) values as writeHistory.
 */
async function writeRows(url: string, db: string, all: Pod[], endMs: number): Promise<number> {
  const { addCpu, addWorkingSet, emptyRow, mergeRow, rowFields } = await import('#shared/rollup/rightsizing');
  const { quoteString } = await import('#shared/encode/escape');
  type Row = ReturnType<typeof emptyRow>;
  const line = (w: Pod, c: string, span: string, t: number, row: Row): string => {
    const f = Object.entries(rowFields(row)).map(
      ([k, v]) =>
        `${k}=${typeof v === 'string' ? quoteString(v) : k.endsWith('_request') || k.endsWith('_limit') ? v : `${v}i`}`,
    );
    return `heapless_rightsizing,container_name=${c},namespace_name=${w.ns},span=${span},workload_kind=Deployment,workload_name=${w.workload} ${f.join(',')} ${t}`;
  };
  const startMs = endMs - windows * WINDOW_MS;
  // Day rows are long (every pod's name, the histogram): influxd refuses bodies over 25 MB.
  const out = levelWriter(url, db, LINES_PER_WRITE / 10);
  for (let w = 0; w * REPLICAS < all.length; w++) {
    const members = all.slice(w * REPLICAS, (w + 1) * REPLICAS);
    for (const [j, c] of CONTAINERS.entries()) {
      let day: Row | undefined;
      let hour: Row | undefined;
      for (let k = windows; k >= 1; k--) {
        const t = endMs - k * WINDOW_MS;
        const five = emptyRow();
        for (const [r, p] of members.entries()) {
          addCpu(five, p.name, t, cpuOf(w * REPLICAS + r, j, k, t));
          addWorkingSet(five, wsOf(w * REPLICAS + r, j, k));
          // The current requests and limits, as writeCurrent writes them raw.
          Object.assign(five.current, {
            'cpu/request': 250,
            'cpu/limit': 1000,
            'memory/request': 268435456,
            'memory/limit': 536870912,
          });
        }
        if (t < startMs + 3_600_000 || t >= Math.floor(endMs / 3_600_000) * 3_600_000)
          await out.push(line(members[0]!, c, '5m', t, five));
        mergeRow((hour ??= emptyRow()), five);
        mergeRow((day ??= emptyRow()), five);
        const next = t + WINDOW_MS;
        if (next % 3_600_000 === 0) {
          await out.push(line(members[0]!, c, '1h', next - 3_600_000, hour));
          hour = undefined;
        }
        if (next % 86_400_000 === 0) {
          await out.push(line(members[0]!, c, '1d', next - 86_400_000, day));
          day = undefined;
        }
      }
    }
  }
  const points = await out.done();
  const done = {
    '5m': endMs,
    '1h': Math.floor(endMs / 3_600_000) * 3_600_000,
    '1d': Math.floor(endMs / 86_400_000) * 86_400_000,
  };
  const progress = [
    ...Object.entries(done).map(
      ([span, ms]) => `heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/${span} done=${ms}i ${endMs}`,
    ),
    `heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/from done=${startMs}i ${endMs}`,
  ];
  await write(url, db, 'heapless_5m', progress);
  return points;
}

async function writeCurrent(url: string, db: string, all: Pod[], endMs: number): Promise<void> {
  const lines = all.flatMap((p) =>
    CONTAINERS.flatMap((c) => [
      `cpu/request,${tags(p, c)} value=250 ${endMs - 60_000}`,
      `cpu/limit,${tags(p, c)} value=1000 ${endMs - 60_000}`,
      `memory/request,${tags(p, c)} value=268435456 ${endMs - 60_000}`,
      `memory/limit,${tags(p, c)} value=536870912 ${endMs - 60_000}`,
    ]),
  );
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE)
    await write(url, db, 'heapless', lines.slice(i, i + LINES_PER_WRITE));
  if (values.source !== 'level') return;
  const progress = ['cpu/usage_rate', 'memory/working_set'].map(
    (m) => `heapless_rollup,level=5m,measurement=${m} done=${endMs}i ${endMs}`,
  );
  await write(url, db, 'heapless_5m', progress);
}

async function timed(app: ReturnType<typeof createApp>, path: string): Promise<{ ms: number; bytes: number }> {
  const runs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < TRIES; i++) {
    const started = performance.now();
    const res = await app.request(path);
    const text = await res.text();
    bytes = text.length;
    if (process.env['BENCH_DUMP']) (await import('node:fs')).writeFileSync(process.env['BENCH_DUMP'], text);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    runs.push(performance.now() - started);
  }
  return { ms: Math.round(runs.sort((a, b) => a - b)[1]!), bytes };
}

/** Each statement of the cluster-wide answer alone, to see where its time goes. */
async function timeStatements(client: InfluxClient, endMs: number): Promise<void> {
  const { recommendationStatements } = await import('#shared/query/recommend-query');
  const startMs = endMs - windows * WINDOW_MS;
  const level = { rp: 'heapless_5m', cpuDoneMs: endMs, memoryDoneMs: endMs };
  const done = {
    '5m': endMs,
    '1h': Math.floor(endMs / 3_600_000) * 3_600_000,
    '1d': Math.floor(endMs / 86_400_000) * 86_400_000,
  };
  const rows = { rowsRp: 'heapless_5m', rowsFromMs: startMs, rowsDone: done };
  const ranges = { startMs, endMs: endMs + 1_000, ...(values.source === 'level' ? level : rows) };
  for (const [i, q] of recommendationStatements({}, ranges).entries()) {
    const started = performance.now();
    if (q === '') continue;
    const [r] = await client.query(q);
    const rows = (r?.series ?? []).reduce((n, x) => n + x.values.length, 0);
    const text = JSON.stringify(r).length;
    console.error(JSON.stringify({ statement: i, ms: Math.round(performance.now() - started), rows, bytes: text }));
  }
}

async function main(): Promise<void> {
  const influx = await startInfluxd();
  try {
    const db = 'bench_recommend';
    const client = new InfluxClient({ url: influx.url, db, auth: {}, timeoutMs: 600_000 });
    await client.query(`CREATE DATABASE ${db} WITH DURATION 7d NAME heapless`, { db: null });
    await client.query(`CREATE RETENTION POLICY heapless_5m ON ${db} DURATION 30d REPLICATION 1`, { db: null });
    const endMs = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    const all = pods();
    const started = performance.now();
    const points =
      values.source === 'level'
        ? await writeHistory(influx.url, db, all, endMs)
        : await writeRows(influx.url, db, all, endMs);
    await writeCurrent(influx.url, db, all, endMs);
    const writeS = (performance.now() - started) / 1000;
    const app = benchApp(client, () => endMs + 1_000);
    if (process.env['BENCH_STATEMENTS'] === '1') await timeStatements(client, endMs);
    const window = `${Math.max(1, Math.floor(Number(values.hours) / 24))}d`;
    const cluster = await timed(app, `/api/v1/model/recommendations?window=${window}`);
    const one = await timed(
      app,
      `/api/v1/model/namespaces/ns-3/workloads/Deployment/web-3/recommendation?window=${window}`,
    );
    const ns = await timed(app, `/api/v1/model/recommendations?window=${window}&namespace=ns-3`);
    console.log(
      JSON.stringify({
        bench: 'recommend',
        source: values.source,
        nodes,
        podsPerNode,
        containers: all.length * CONTAINERS.length,
        windows,
        points,
        writeS: Math.round(writeS),
        clusterMs: cluster.ms,
        clusterBytes: cluster.bytes,
        namespaceMs: ns.ms,
        workloadMs: one.ms,
      }),
    );
  } finally {
    await influx.stop();
  }
}

await main();
