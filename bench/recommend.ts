/**
 * @module bench/recommend
 * Right-sizing's cost (issue 25): `npx tsx bench/recommend.ts --nodes 1000 --pods 30 --hours 168`.
 * A fresh influxd gets the history (bench/recommend-history) straight in the 5-minute level's
 * policy: the rollup's right-sizing rows (default; `--edges no`: the spans' own rows only, as an
 * install before the edge rows has them) or, with `--source level`, every container's 5-minute
 * rollups; the rollup's progress points, and each container's current requests and limits as raw
 * points. Then the query service's app (in-process, auth off) answers the cluster-wide route, one
 * namespace's and one workload's, each the median of three requests. Prints one JSON line.
 */
import { parseArgs } from 'node:util';
import { benchApp } from '#bench/queries';
import {
  CONTAINERS,
  pods,
  SHAPE_OPTIONS,
  type Shape,
  shapeOf,
  WINDOW_MS,
  writeCurrent,
  writeLevel,
  writeRows,
  benchDatabase,
} from '#bench/recommend-history';
import { startInfluxd } from '#test/influxd/server';
import type { createApp } from '../functions/query/app';

const TRIES = 3;

const { values } = parseArgs({
  options: {
    ...SHAPE_OPTIONS,
    // rows: the rollup's right-sizing rows (heapless_rightsizing); level: every container's 5-minute rollups.
    source: { type: 'string', default: 'rows' },
    // no: the 5m/1h/1d rows only, as an install before the edge rows (rollup/rightsizing-edges) has them.
    edges: { type: 'string', default: 'yes' },
  },
});
const shape: Shape = shapeOf(values);
const { nodes, podsPerNode, windows } = shape;

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

async function main(): Promise<void> {
  const influx = await startInfluxd();
  try {
    const db = 'bench_recommend';
    const client = await benchDatabase(influx.url, db);
    const endMs = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    const started = performance.now();
    const points =
      values.source === 'level'
        ? await writeLevel(influx.url, db, shape, endMs)
        : await writeRows(influx.url, db, shape, endMs, values.edges !== 'no');
    await writeCurrent(influx.url, db, shape, endMs);
    const writeS = (performance.now() - started) / 1000;
    const app = benchApp(client, () => endMs + 1_000);
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
        edges: values.edges,
        nodes,
        podsPerNode,
        containers: pods(shape).length * CONTAINERS.length,
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
