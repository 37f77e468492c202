/**
 * @module bench/recommend-probe
 * Where the cluster-wide right-sizing answer's time goes (issue 25):
 * `npx tsx bench/recommend-probe.ts --nodes 1000 --pods 30 --hours 168`. Writes the same history
 * as bench/recommend.ts (the samples' tail: the window before the rows end), then sends each statement of the cluster-wide route alone and prints,
 * per statement, influxd's CPU-s (/proc), the wall time to the last byte, the answer's bytes,
 * JSON.parse's ms and the rows; then the fold and the recommendations over all the answers.
 * One JSON line per statement on stderr, a summary on stdout.
 */
import { parseArgs } from 'node:util';
import type { QueryResult } from '#shared/influx/client';
import {
  foldRecommendationData,
  type Ranges,
  recommendationStatements,
  samplesTailRange,
} from '#shared/query/recommend-query';
import { readSamplesTail } from '#shared/query/recommend-samples';
import { writeSamples } from '#bench/recommend-tail';
import { cpuWindowCount, recommend } from '#shared/query/recommend';
import { startInfluxd } from '#test/influxd/server';
import { benchApp } from '#bench/queries';
import { usageOf } from '#bench/process-usage';
import {
  benchReach,
  SHAPE_OPTIONS,
  type Shape,
  shapeOf,
  WINDOW_MS,
  writeCurrent,
  writeRows,
  benchDatabase,
} from '#bench/recommend-history';
import { EDGES } from '#shared/rollup/rightsizing-edges';

const { values } = parseArgs({ options: SHAPE_OPTIONS });
const shape: Shape = shapeOf(values);
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

async function raw(url: string, db: string, q: string): Promise<string> {
  const body = new URLSearchParams({ q, db, epoch: 'ms' });
  const res = await fetch(`${url}/query`, { method: 'POST', body });
  return res.text();
}

async function probe(
  influx: { url: string; pid: number },
  db: string,
  ranges: Ranges,
  extra: Record<string, unknown>,
): Promise<void> {
  const statements = recommendationStatements({}, ranges);
  const tail = samplesTailRange(ranges);
  const results: Array<QueryResult | undefined> = [];
  const sum = { influxdCpuS: 0, wallMs: 0, bytes: 0, parseMs: 0, rows: 0 };
  for (const [i, q] of statements.entries()) {
    if (q === '') {
      results.push(undefined);
      continue;
    }
    const cpu0 = usageOf(influx.pid).cpuSeconds;
    const started = performance.now();
    const text = await raw(influx.url, db, q);
    const wallMs = performance.now() - started;
    const influxdCpuS = usageOf(influx.pid).cpuSeconds - cpu0;
    const p0 = performance.now();
    const parsed = JSON.parse(text) as { results: QueryResult[] };
    const parseMs = performance.now() - p0;
    const r = parsed.results[0];
    results.push(r);
    const rows = (r?.series ?? []).reduce((n, x) => n + x.values.length, 0);
    Object.assign(sum, {
      influxdCpuS: sum.influxdCpuS + influxdCpuS,
      wallMs: sum.wallMs + wallMs,
      bytes: sum.bytes + text.length,
      parseMs: sum.parseMs + parseMs,
      rows: sum.rows + rows,
    });
    console.error(
      JSON.stringify({
        statement: i,
        q: q.slice(0, 90),
        influxdCpuS: round(influxdCpuS),
        wallMs: Math.round(wallMs),
        bytes: text.length,
        parseMs: Math.round(parseMs),
        rows,
      }),
    );
  }
  const f0 = performance.now();
  const samples = tail && readSamplesTail(results[7], results[8], tail.fromMs, tail.endMs);
  if (samples) results.splice(7, 2, undefined, undefined);
  const folded = foldRecommendationData(results, samples);
  const foldMs = performance.now() - f0;
  const r0 = performance.now();
  let containers = 0;
  for (const w of folded.values())
    for (const c of w.containers.values()) if (cpuWindowCount(c) > 0 && recommend(c)) containers++;
  const recommendMs = performance.now() - r0;
  console.log(
    JSON.stringify({
      bench: 'recommend-probe',
      ...shape,
      ...extra,
      statements: statements.filter((s) => s !== '').length,
      ...Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, round(v, k === 'influxdCpuS' ? 2 : 0)])),
      foldMs: Math.round(foldMs),
      recommendMs: Math.round(recommendMs),
      containers,
    }),
  );
}

async function main(): Promise<void> {
  const influx = await startInfluxd();
  try {
    const db = 'bench_recommend';
    const client = await benchDatabase(influx.url, db);
    const endMs = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS;
    const t0 = performance.now();
    const points = await writeRows(influx.url, db, shape, endMs);
    await writeCurrent(influx.url, db, shape, endMs);
    await writeSamples(influx.url, db, shape, endMs - WINDOW_MS, endMs);
    const writeS = round((performance.now() - t0) / 1000, 0);
    const startMs = endMs - shape.windows * WINDOW_MS;
    const { done, edgeFrom } = benchReach(shape, endMs);
    const base = { startMs, endMs: endMs + 1_000, rowsRp: 'heapless_5m', rowsFromMs: startMs, rowsDone: done };
    // spans: the 5m/1h/1d rows only (an install before the edge rows); edges: with them, the raw
    // points after them; samples: with them, the collector's samples after them.
    const edges = { ...base, rowsEdgeFrom: Object.fromEntries(EDGES.map((k) => [k, edgeFrom])) };
    for (const mode of (process.env['PROBE_MODES'] ?? 'edges,samples').split(',')) {
      const ranges =
        mode === 'spans' ? base : mode === 'samples' ? { ...edges, samplesFromMs: endMs - WINDOW_MS } : edges;
      await probe(influx, db, ranges, { mode, points, writeS });
    }
    // The route itself (edge rows and their progress as written), three times.
    const app = benchApp(client, () => endMs + 1_000);
    const routeMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const res = await app.request('/api/v1/model/recommendations?window=7d');
      await res.text();
      routeMs.push(Math.round(performance.now() - started));
    }
    console.log(JSON.stringify({ bench: 'recommend-probe', route: 'cluster', routeMs }));
  } finally {
    await influx.stop();
  }
}

await main();
