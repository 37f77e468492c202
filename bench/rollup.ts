/**
 * `npx tsx bench/rollup.ts [--scenario 100x30] [--intervals 60]`: what the rollup costs and
 * stores, its two modes side by side on the same data in one run. A fresh influxd and the
 * simulated cluster; the collector runs `--intervals` times, one simulated minute apart; then
 * the rollup runs in `into` mode (InfluxDB computes) and, after its policies are dropped, in
 * `copy` mode (we query and write back). CPU is counted on both sides: this process and influxd
 * (/proc/<pid>/stat). Disk is measured per retention policy after InfluxDB has written its cache
 * to TSM files (level-1 files: a full compaction, hours later, makes them smaller still). One
 * JSON line, with storage per day projected from the measured bytes per point.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { InfluxClient } from '#shared/influx/client';
import { ident } from '#shared/influx/influxql';
import { createLogger } from '#shared/log';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup, type RollupStats } from '#shared/rollup/run';
import { startCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { scenarioCluster, SCENARIOS } from '#bench/scenarios';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DB = 'k8s';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

/** influxd's user+system CPU so far, in seconds (Linux clock ticks of 10 ms). */
function influxdCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function dirBytes(path: string): number {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** Bytes of one retention policy once the cache is on disk (cache-snapshot-write-cold-duration is 10 s). */
async function policyBytes(influx: InfluxdServer, rp: string): Promise<number> {
  await new Promise((r) => setTimeout(r, 15_000));
  return dirBytes(join(influx.dir, 'data', DB, rp));
}

async function countPoints(client: InfluxClient, rp: string, field: string): Promise<number> {
  const [res] = await client.query(`SELECT count(${ident(field)}) FROM ${ident(rp)}./.*/`);
  return (res?.series ?? []).reduce((sum, s) => sum + Number(s.values[0]?.[1] ?? 0), 0);
}

async function measureRollup(
  influx: InfluxdServer,
  mode: 'into' | 'copy',
  nowMs: number,
): Promise<{ stats: RollupStats; wallS: number; cpuS: number; influxdCpuS: number }> {
  const config = readRollupConfig({
    INFLUX_URL: influx.url,
    INFLUX_DB: DB,
    ROLLUP_MODE: mode,
    ROLLUP_BACKFILL: '3h',
    ROLLUP_MAX_WINDOWS: '1000',
    RUN_DEADLINE: '1h',
  });
  const [cpu0, icpu0, t0] = [process.cpuUsage(), influxdCpuS(influx.pid), performance.now()];
  const { stats } = await runRollup(config, { log: createLogger({ fn: 'rollup', level: 'warn' }), now: () => nowMs });
  const cpu = process.cpuUsage(cpu0);
  return {
    stats,
    wallS: (performance.now() - t0) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    influxdCpuS: influxdCpuS(influx.pid) - icpu0,
  };
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

async function main(): Promise<void> {
  const name = arg('scenario', '100x30');
  const intervals = Number(arg('intervals', '60'));
  // Any NxP is accepted; the named scenarios are the collector bench's.
  const size = /^(\d+)x(\d+)$/.exec(name);
  const s =
    SCENARIOS.find((x) => x.name === name) ??
    (size ? { name, nodes: Number(size[1]), podsPerNode: Number(size[2]), shards: 1 } : undefined);
  if (!s) throw new Error(`unknown scenario ${name}: NODESxPODS such as 100x30`);
  const start = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
  const [influx, sim] = await Promise.all([startInfluxd(), startCluster(scenarioCluster(s, { startTimeMs: start }))]);
  try {
    const env = {
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: influx.url,
      INTERVAL: '60s',
    };
    const collect = readCollectConfig({ ...env, RUN_DEADLINE: '10m', RATE_MAX_GAP: '10m' });
    const log = createLogger({ fn: 'collect', level: 'error' });
    let rawPoints = 0;
    for (let i = 0; i < intervals; i++) {
      rawPoints += (await runCollect(collect, { log, now: () => sim.clock.nowMs() })).stats.points;
      sim.clock.advance(60);
    }
    const end = start + intervals * MIN;
    const client = new InfluxClient({ url: influx.url, db: DB, auth: {}, timeoutMs: 600_000 });
    const rawBytes = await policyBytes(influx, 'heapless');

    const now = end + 5 * MIN;
    const into = await measureRollup(influx, 'into', now);
    const points = { '5m': await countPoints(client, 'heapless_5m', 'value_count') };
    const bytes5m = await policyBytes(influx, 'heapless_5m');
    const bytes1h = await policyBytes(influx, 'heapless_1h');
    const points1h = await countPoints(client, 'heapless_1h', 'value_count');
    for (const rp of ['heapless_5m', 'heapless_1h'])
      await client.query(`DROP RETENTION POLICY ${ident(rp)} ON ${ident(DB)}`, { db: null });
    const copy = await measureRollup(influx, 'copy', now);

    const perInterval = rawPoints / intervals;
    const windows5m = Math.floor(intervals / 5);
    const per5mWindow = points['5m'] / Math.max(1, windows5m);
    const per1hWindow = points1h / Math.max(1, Math.floor(intervals / 60));
    const perDay = (pointsPerDay: number, bytesPerPoint: number): number =>
      round((pointsPerDay * bytesPerPoint) / 2 ** 30, 3);
    const raw = { points: rawPoints, bytes: rawBytes, bytesPerPoint: round(rawBytes / rawPoints) };
    const level5m = { points: points['5m'], bytes: bytes5m, bytesPerPoint: round(bytes5m / Math.max(1, points['5m'])) };
    const level1h = { points: points1h, bytes: bytes1h, bytesPerPoint: round(bytes1h / Math.max(1, points1h)) };
    const modes = Object.fromEntries(
      (
        [
          ['into', into],
          ['copy', copy],
        ] as const
      ).map(([m, r]) => [
        m,
        {
          wallS: round(r.wallS),
          cpuS: round(r.cpuS),
          influxdCpuS: round(r.influxdCpuS),
          pointsWritten: r.stats.points,
          windows: r.stats.levels.map((l) => `${l.level}:${l.windows}`).join(','),
        },
      ]),
    );
    console.log(
      JSON.stringify({
        bench: 'rollup',
        scenario: s.name,
        intervals,
        raw,
        level5m,
        level1h,
        modes,
        // One 5-minute rollup run (what the CronJob does every 5 minutes), from the measured totals.
        perRun5m: Object.fromEntries(
          Object.entries(modes).map(([m, r]) => [m, round((r.cpuS + r.influxdCpuS) / Math.max(1, windows5m), 3)]),
        ),
        // GiB a day: the measured bytes per point times the points a day at this scenario's size.
        gibPerDay: {
          raw: perDay(perInterval * 1440, raw.bytesPerPoint),
          '5m': perDay(per5mWindow * 288, level5m.bytesPerPoint),
          '1h': perDay(per1hWindow * 24, level1h.bytesPerPoint),
        },
      }),
    );
  } finally {
    await Promise.all([sim.stop(), influx.stop()]);
  }
}

await main();
