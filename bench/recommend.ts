/**
 * @module bench/recommend
 * Right-sizing's cost (issue 25): `npx tsx bench/recommend.ts --nodes 1000 --pods 30 --hours 168`.
 * A fresh influxd gets the history (bench/recommend-history) straight in the 5-minute level's
 * policy: the rollup's right-sizing rows (default; `--edges no`: the spans' own rows only, as an
 * install before the edge rows has them) or, with `--source level`, every container's 5-minute
 * rollups; the rollup's progress points, and each container's current requests and limits as raw
 * points. Then the query service's app (in-process, auth off) answers the cluster-wide route, one
 * namespace's and one workload's, each the median of three requests. Prints one JSON line.
 * `--tail <minutes>` (10): the route answers that long after the rows end, the stretch read from
 * the collector's samples (bench/recommend-tail; `--samples no`: raw points, as before them);
 * `--align hour|5m`: the route's week ends on the hour, or 5 minutes past (two more edge rows).
 * Beside each time: influxd's CPU-s and ours per request (the mean of the three).
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
import { writeRawTail, writeSamples } from '#bench/recommend-tail';
import { usageOf } from '#bench/process-usage';
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
    tail: { type: 'string', default: '10' },
    samples: { type: 'string', default: 'yes' },
    align: { type: 'string', default: 'hour' },
  },
});
const MIN = 60_000;
const shape: Shape = shapeOf(values);
const { nodes, podsPerNode, windows } = shape;

interface Timing {
  ms: number;
  bytes: number;
  influxdCpuS: number;
  ownCpuS: number;
}

async function timed(app: ReturnType<typeof createApp>, influxdPid: number, path: string): Promise<Timing> {
  const runs: number[] = [];
  let bytes = 0;
  const [influxd0, own0] = [usageOf(influxdPid).cpuSeconds, process.cpuUsage()];
  for (let i = 0; i < TRIES; i++) {
    const started = performance.now();
    const res = await app.request(path);
    const text = await res.text();
    bytes = text.length;
    if (process.env['BENCH_DUMP']) (await import('node:fs')).writeFileSync(process.env['BENCH_DUMP'], text);
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    runs.push(performance.now() - started);
  }
  const own = process.cpuUsage(own0);
  return {
    ms: Math.round(runs.sort((a, b) => a - b)[1]!),
    bytes,
    influxdCpuS: Math.round(((usageOf(influxdPid).cpuSeconds - influxd0) / TRIES) * 100) / 100,
    ownCpuS: Math.round(((own.user + own.system) / 1e6 / TRIES) * 100) / 100,
  };
}

async function main(): Promise<void> {
  const influx = await startInfluxd();
  try {
    const db = 'bench_recommend';
    const client = await benchDatabase(influx.url, db);
    // The route's now: on the hour, or 5 minutes past; the rows end `--tail` minutes before it.
    const nowMs = Math.floor(Date.now() / 3_600_000) * 3_600_000 + (values.align === '5m' ? 5 * MIN : 0);
    const endMs = Math.floor((nowMs - Number(values.tail) * MIN) / WINDOW_MS) * WINDOW_MS;
    const started = performance.now();
    const points =
      values.source === 'level'
        ? await writeLevel(influx.url, db, shape, endMs)
        : await writeRows(influx.url, db, shape, endMs, values.edges !== 'no');
    await writeCurrent(influx.url, db, shape, endMs);
    // The samples from a window before the rows end (the route reads it for kills), as the collector writes them.
    let tailPoints = 0;
    if (values.samples === 'no') await writeRawTail(influx.url, db, shape, endMs, nowMs);
    else tailPoints = await writeSamples(influx.url, db, shape, endMs - WINDOW_MS, nowMs);
    const writeS = (performance.now() - started) / 1000;
    const app = benchApp(client, () => nowMs + 1_000);
    const window = `${Math.max(1, Math.floor(Number(values.hours) / 24))}d`;
    const cluster = await timed(app, influx.pid, `/api/v1/model/recommendations?window=${window}`);
    const one = await timed(
      app,
      influx.pid,
      `/api/v1/model/namespaces/ns-3/workloads/Deployment/web-3/recommendation?window=${window}`,
    );
    const ns = await timed(app, influx.pid, `/api/v1/model/recommendations?window=${window}&namespace=ns-3`);
    console.log(
      JSON.stringify({
        bench: 'recommend',
        source: values.source,
        edges: values.edges,
        nodes,
        podsPerNode,
        containers: pods(shape).length * CONTAINERS.length,
        windows,
        tailMinutes: Number(values.tail),
        samples: values.samples,
        align: values.align,
        end: new Date(nowMs).toISOString(),
        points,
        tailPoints,
        writeS: Math.round(writeS),
        clusterMs: cluster.ms,
        clusterBytes: cluster.bytes,
        clusterInfluxdCpuS: cluster.influxdCpuS,
        clusterOwnCpuS: cluster.ownCpuS,
        namespaceMs: ns.ms,
        namespaceInfluxdCpuS: ns.influxdCpuS,
        workloadMs: one.ms,
        workloadInfluxdCpuS: one.influxdCpuS,
      }),
    );
  } finally {
    await influx.stop();
  }
}

await main();
