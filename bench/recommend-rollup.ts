/**
 * @module bench/recommend-rollup
 * What the right-sizing rows cost the rollup (issue 25): `npx tsx bench/recommend-rollup.ts --nodes
 * 1000 --pods 30`. A fresh influxd gets, for every workload container of bench/recommend-history's
 * cluster, the 5-minute rows of the last hour of a day and the hour rows before it, the day rows
 * of the week so far, the heads the runs read back, and one raw point per pod container and
 * measurement in the day's last 5-minute window; then one rollup run of the rows at the end of that window (the 5-minute, hour
 * and day steps all due: the costliest run of a day), and one mid-hour run (the 5-minute step
 * only). Prints, per run, our CPU-s, influxd's CPU-s, the wall time and the points written.
 */
import { parseArgs } from 'node:util';
import type { InfluxClient } from '#shared/influx/client';
import type { Level } from '#shared/rollup/levels';
import { readProgress, writeProgress } from '#shared/rollup/progress';
import { FROM_KEY, progressKey, progressLevel, rollRightsizing } from '#shared/rollup/rightsizing-run';
import { EDGES } from '#shared/rollup/rightsizing-edges';
import { startInfluxd } from '#test/influxd/server';
import { usageOf } from '#bench/process-usage';
import { benchDatabase, CONTAINERS, pods, type Shape, write } from '#bench/recommend-history';

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '1000' }, pods: { type: 'string', default: '30' } },
});
const shape: Shape = { nodes: Number(values.nodes), podsPerNode: Number(values.pods), windows: 0 };
const M5 = 300_000;
const H = 3_600_000;
const D = 86_400_000;
const LEVEL: Level = { name: '5m', windowMs: M5, retention: '30d', rp: 'heapless_5m' };
const round = (x: number): number => Math.round(x * 100) / 100;

function rowsLines(kind: string, t: number, ws: number): string[] {
  const all = pods(shape);
  const out: string[] = [];
  for (let w = 0; w * 10 < all.length; w++)
    for (const c of CONTAINERS) {
      const names = all.slice(w * 10, w * 10 + 10).map((p) => p.name);
      const hist = Array.from({ length: kind === '5m' ? 10 : 60 }, (_, i) => `${20 + i}:${1 + (i % 7)}`).join(',');
      out.push(
        `heapless_rightsizing,container_name=${c},namespace_name=ns-${w % 10},span=${kind},workload_kind=Deployment,workload_name=web-${w} ` +
          `cpu="${hist}",pods="${names.join(' ')}",last_pods="${names.join(' ')}",first=${t}i,last=${t}i,ws_max=${ws}i,oom=0i,cpu_request=250,cpu_limit=1000 ${t}`,
      );
    }
  return out;
}

function rawLines(t: number): string[] {
  return pods(shape).flatMap((p, i) =>
    CONTAINERS.flatMap((c) => {
      const tags = `container_name=${c},namespace_name=${p.ns},nodename=${p.node},pod_name=${p.name},type=pod_container,workload_kind=Deployment,workload_name=${p.workload}`;
      return [
        `cpu/usage_rate,${tags} value=${20 + (i % 50)} ${t + 10_000}`,
        `memory/working_set,${tags} value=${100_000_000 + i}i ${t + 10_000}`,
        `cpu/request,${tags} value=250i ${t + 10_000}`,
        `memory/request,${tags} value=268435456i ${t + 10_000}`,
      ];
    }),
  );
}

async function batches(url: string, db: string, rp: string, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 5_000) await write(url, db, rp, lines.slice(i, i + 5_000));
}

/** Progress as a run after `windowEnd` − 5 minutes left it; edges from long before. */
async function setProgress(client: InfluxClient, windowEnd: number, stampMs: number): Promise<void> {
  const level = progressLevel(LEVEL);
  const at = (w: number) => Math.floor((windowEnd - M5) / w) * w;
  const done: Record<string, number> = { '5m': windowEnd - M5, '1h': at(H), '1d': at(D) };
  for (const k of EDGES)
    done[k] = k.endsWith('-head')
      ? at(k === '1h-head' ? M5 : k === '1d-head' ? H : D)
      : at(k === '1h-tail' ? H : k === '1d-tail' ? D : 7 * D);
  for (const [k, v] of Object.entries(done)) await writeProgress(client, level, v, progressKey(k as never), stampMs);
  for (const k of EDGES) await writeProgress(client, level, at(7 * D) - 7 * D, `${progressKey(k)}/from`, stampMs);
  await writeProgress(client, level, at(7 * D) - 7 * D, FROM_KEY, stampMs);
}

/** Progress points are stamped later at each run, so the latest is the one set for it. */
let stamp = Date.now();

async function run(client: InfluxClient, pid: number, windowEnd: number) {
  stamp += 3_600_000;
  await setProgress(client, windowEnd, stamp);
  const progress = await readProgress(client, [progressLevel(LEVEL)]);
  const [cpu0, i0, t0] = [process.cpuUsage(), usageOf(pid).cpuSeconds, performance.now()];
  const points = await rollRightsizing({
    client,
    level: LEVEL,
    rawRp: 'heapless',
    progress,
    due: { nowMs: windowEnd + 60_000, delayMs: 30_000, maxWindows: 12, backfillMs: 7 * D },
    deadline: Date.now() + 3_600_000,
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    oursCpuS: round((cpu.user + cpu.system) / 1e6),
    influxdCpuS: round(usageOf(pid).cpuSeconds - i0),
    wallS: round((performance.now() - t0) / 1000),
    points,
  };
}

async function main(): Promise<void> {
  const influx = await startInfluxd();
  try {
    const db = 'bench_rollup_rows';
    const client = await benchDatabase(influx.url, db);
    const dayEnd = Math.floor(Date.now() / D) * D;
    const dayStart = dayEnd - D;
    for (let t = dayEnd - H; t < dayEnd - M5; t += M5)
      await batches(influx.url, db, 'heapless_5m', rowsLines('5m', t, 1e8));
    for (let t = dayStart; t < dayEnd - H; t += H)
      await batches(influx.url, db, 'heapless_5m', rowsLines('1h', t, 1e8));
    const week = Math.floor(dayStart / (7 * D)) * 7 * D;
    for (let t = week; t < dayStart; t += D) await batches(influx.url, db, 'heapless_5m', rowsLines('1d', t, 1e8));
    // The heads the runs read back: of the day before the last hour, of the hour before the last
    // window, of the week before the day.
    for (const [kind, t] of [
      ['1d-head', dayEnd - 2 * H],
      ['1h-head', dayEnd - 2 * M5],
      ['7d-head', dayStart - D],
    ] as const)
      if (Math.floor(t / (7 * D)) === Math.floor(dayStart / (7 * D)))
        await batches(influx.url, db, 'heapless_5m', rowsLines(kind, t, 1e8));
    await batches(influx.url, db, 'heapless', rawLines(dayEnd - M5));
    // The mid-hour run's window, 15 minutes into its hour, and the hour's 5-minute rows before it.
    const mid = dayEnd - 12 * H - 20 * M5;
    for (let t = Math.floor(mid / H) * H; t < mid - M5; t += M5)
      await batches(influx.url, db, 'heapless_5m', rowsLines('5m', t, 1e8));
    await batches(influx.url, db, 'heapless_5m', rowsLines('1h-head', mid - 2 * M5, 1e8));
    await batches(influx.url, db, 'heapless', rawLines(mid - M5));
    const day = await run(client, influx.pid, dayEnd);
    const midRun = await run(client, influx.pid, mid);
    console.log(JSON.stringify({ bench: 'recommend-rollup', ...shape, dayEndRun: day, midHourRun: midRun }));
  } finally {
    await influx.stop();
  }
}

await main();
