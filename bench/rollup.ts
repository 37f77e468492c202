/**
 * `npx tsx bench/rollup.ts [--scenario 100x30] [--intervals 60] [--modes into,copy] [--compact]
 * [--save DIR | --from DIR | --attach DIR] [--collect-deadline 10m] [--types node,ns,…]`: what the rollup costs and stores, its modes side by side on the
 * same data in one run. A fresh influxd and the simulated cluster; the collector runs
 * `--intervals` times, one simulated minute apart, from the top of an hour. Then, per mode
 * (`into`: InfluxDB computes; `copy`: we query and write back; the levels' policies dropped in
 * between), two runs as the CronJob makes them: the "5m run" when the last whole 5-minute window
 * is due, and the "hour run" when the hour is (its 5-minute windows, then the 1-hour window read
 * from them, whatever part of the hour was collected). CPU is counted on both sides: this process
 * and influxd (/proc/<pid>/stat). Disk per retention policy is measured once the cache is on disk
 * (level-1 files), and with `--compact` again after a full compaction (what a shard becomes hours
 * after its day), split into TSM index (per key) and blocks (per point), to model a whole shard.
 * `--save DIR` keeps the collected data; `--from DIR` skips collecting and rolls that up instead.
 * Progress on stderr; one JSON line on stdout.
 */
import { readFileSync } from 'node:fs';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { InfluxClient } from '#shared/influx/client';
import { ident } from '#shared/influx/influxql';
import { createLogger } from '#shared/log';
import { parseLevels } from '#shared/rollup/levels';
import { readProgress, writeProgress } from '#shared/rollup/progress';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup, type RollupStats } from '#shared/rollup/run';
import { startCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { scenarioCluster, SCENARIOS } from '#bench/scenarios';
import { compactFully, type PolicyDisk, policyDisk, restoreData, saveData } from '#bench/rollup-disk';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DB = 'k8s';
const RAW_RP = 'heapless';
const LEVEL_RPS = ['heapless_5m', 'heapless_1h'] as const;
const ROLLUP_DELAY_MS = 2 * MIN;
const LEVELS = parseLevels('5m:30d,1h:400d');

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const progress = (what: string, data: object = {}): void =>
  void process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), what, ...data })}\n`);

/** influxd's user+system CPU so far, in seconds (Linux clock ticks of 10 ms). */
function influxdCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function countPoints(client: InfluxClient, rp: string, field: string): Promise<number> {
  const [res] = await client.query(`SELECT count(${ident(field)}) FROM ${ident(rp)}./.*/`);
  return (res?.series ?? []).reduce((sum, s) => sum + Number(s.values[0]?.[1] ?? 0), 0);
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

interface RunCost {
  wallS: number;
  /** Rows written per level, e.g. `{ "5m": 79946 }`. */
  byLevel: Record<string, number>;
  cpuS: number;
  influxdCpuS: number;
  pointsWritten: number;
  statements: number;
  windows: string;
}

async function measureRollup(influx: InfluxdServer, mode: string, nowMs: number, backfillMs: number): Promise<RunCost> {
  const config = readRollupConfig({
    INFLUX_URL: influx.url,
    INFLUX_DB: DB,
    ROLLUP_MODE: mode,
    ROLLUP_BACKFILL: `${backfillMs}ms`,
    ROLLUP_MAX_WINDOWS: '1000',
    RUN_DEADLINE: '2h',
    ...(arg('types', '') ? { ROLLUP_TYPES: arg('types', '') } : {}),
  });
  const [cpu0, icpu0, t0] = [process.cpuUsage(), influxdCpuS(influx.pid), performance.now()];
  const log = createLogger({ fn: 'rollup', level: 'warn' });
  const { stats } = await runRollup(config, { log, now: () => nowMs });
  const cpu = process.cpuUsage(cpu0);
  return {
    wallS: round((performance.now() - t0) / 1000),
    cpuS: round((cpu.user + cpu.system) / 1e6),
    influxdCpuS: round(influxdCpuS(influx.pid) - icpu0),
    pointsWritten: stats.points,
    byLevel: Object.fromEntries(stats.levels.map((l) => [l.level, l.points])),
    statements: stats.levels.reduce((a, l) => a + l.statements, 0),
    windows: windowsOf(stats),
  };
}

const windowsOf = (stats: RollupStats): string => stats.levels.map((l) => `${l.level}:${l.windows}`).join(',');

interface Saved {
  scenario: string;
  intervals: number;
  startMs: number;
  rawPoints: number;
}

async function collect(influx: InfluxdServer, name: string, intervals: number): Promise<Saved> {
  const size = /^(\d+)x(\d+)$/.exec(name);
  // Any NxP is accepted; the named scenarios are the collector bench's.
  const s =
    SCENARIOS.find((x) => x.name === name) ??
    (size ? { name, nodes: Number(size[1]), podsPerNode: Number(size[2]), shards: 1 } : undefined);
  if (!s) throw new Error(`unknown scenario ${name}: NODESxPODS such as 100x30`);
  const startMs = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
  const sim = await startCluster(scenarioCluster(s, { startTimeMs: startMs }));
  try {
    const env = {
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: influx.url,
      INTERVAL: '60s',
    };
    const config = readCollectConfig({ ...env, RUN_DEADLINE: arg('collect-deadline', '10m'), RATE_MAX_GAP: '10m' });
    const log = createLogger({ fn: 'collect', level: 'error' });
    let rawPoints = 0;
    for (let i = 0; i < intervals; i++) {
      const t0 = performance.now();
      const { stats } = await runCollect(config, { log, now: () => sim.clock.nowMs() });
      rawPoints += stats.points;
      progress('collected', { interval: i + 1, points: stats.points, wallS: round((performance.now() - t0) / 1000) });
      sim.clock.advance(60);
    }
    return { scenario: s.name, intervals, startMs, rawPoints };
  } finally {
    await sim.stop();
  }
}

interface LevelFigures {
  points: number;
  bytes: number;
  bytesPerPoint: number;
  /** The TSM files: keys (series × fields, once per file), index and block bytes. */
  tsm: Omit<PolicyDisk, 'bytes'>;
}

/** A policy's points and bytes once its cache is on disk (cache-snapshot-write-cold-duration is 10 s). */
async function figures(influx: InfluxdServer, rp: string, points: number): Promise<LevelFigures> {
  await sleep(15_000);
  const { bytes, ...tsm } = policyDisk(influx, DB, rp);
  return { points, bytes, bytesPerPoint: round(bytes / Math.max(1, points)), tsm };
}

/** Runs one mode's 5m run and hour run; the level figures are measured after each. */
async function measureMode(influx: InfluxdServer, client: InfluxClient, mode: string, saved: Saved) {
  // Fewer than 5 intervals: the one window is partial (fewer points per series, as many series).
  const windows5m = Math.max(1, Math.floor(saved.intervals / 5));
  // The 5m run: when the last whole 5-minute window collected is due, starting at the first.
  const now5m = saved.startMs + windows5m * 5 * MIN + ROLLUP_DELAY_MS;
  const run5m = await measureRollup(influx, mode, now5m, now5m - saved.startMs);
  progress('run5m', { mode, ...run5m });
  // The rows a run wrote (counting them back costs influxd a pass over every series: minutes at 1,000 nodes).
  const level5m = await figures(influx, LEVEL_RPS[0], run5m.byLevel['5m'] ?? 0);
  // The hour run: the 1-hour window from the 5-minute points. The 5-minute windows after the
  // collected ones hold nothing (each had its own run in production): marked done, not measured.
  // Progress is per measurement: each one the 5m run did is marked done to the hour.
  if (windows5m < 12) {
    const done = (await readProgress(client, LEVELS)).get(LEVELS[0]!.name)?.byMeasurement.keys() ?? [];
    for (const m of done) await writeProgress(client, LEVELS[0]!, saved.startMs + HOUR, m);
  }
  const nowHour = saved.startMs + HOUR + ROLLUP_DELAY_MS;
  const runHour = await measureRollup(influx, mode, nowHour, nowHour - saved.startMs);
  progress('runHour', { mode, ...runHour });
  const level1h = await figures(influx, LEVEL_RPS[1], (run5m.byLevel['1h'] ?? 0) + (runHour.byLevel['1h'] ?? 0));
  progress('levels', { mode, level5m, level1h });
  return { windows5m, run5m, runHour, level5m, level1h };
}

interface Projection {
  /** Points a day at this scenario's size. */
  pointsPerDay: number;
  /**
   * Naive: the bytes a point measured here × points a day. With few points a series, each TSM
   * key's index entry (≈250 bytes, paid once a shard) dominates: far above a whole shard's
   * bytes a point. The TSM split (keys, index, blocks) is printed to model a shard instead.
   */
  gibPerDayNaive: number;
}

const gib = (bytes: number): number => round(bytes / 2 ** 30, 3);

/**
 * `--attach DIR --attach-pid PID`: an influxd already running (e.g. this bench's own, its collection
 * stopped with SIGSTOP when a long one outlives the time there is), given `--scenario`,
 * `--intervals` and `--raw-points` of what it holds. Neither stopped nor restarted here.
 */
function attached(dir: string): InfluxdServer {
  const conf = readFileSync(`${dir}/influxdb.conf`, 'utf8');
  const port = /\[http\]\s+bind-address = "127\.0\.0\.1:(\d+)"/.exec(conf)?.[1];
  if (!port) throw new Error(`no [http] bind-address in ${dir}/influxdb.conf`);
  const refuse = (): Promise<void> => Promise.reject(new Error('an attached influxd is not restarted here'));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: Number(arg('attach-pid', '0')),
    dir,
    stop: () => Promise.resolve(),
    pause: refuse,
    start: refuse,
  };
}

/** The collection's start: its first run's own figures point (`heapless_run`, one a run). */
async function attachedData(influx: InfluxdServer): Promise<Saved> {
  const client = new InfluxClient({ url: influx.url, db: DB, auth: {}, timeoutMs: 600_000 });
  // A raw SELECT (not first(*): several selectors answer time 0) lists oldest first.
  const [res] = await client.query(`SELECT * FROM ${ident(RAW_RP)}.${ident('heapless_run')} LIMIT 1`);
  const first = res?.series?.[0]?.values[0]?.[0];
  if (typeof first !== 'number') throw new Error('no heapless_run point: nothing was collected');
  return {
    scenario: arg('scenario', '?'),
    intervals: Number(arg('intervals', '1')),
    startMs: Math.floor(first / HOUR) * HOUR,
    rawPoints: Number(arg('raw-points', '0')),
  };
}

async function main(): Promise<void> {
  const intervalsArg = Number(arg('intervals', '60'));
  const modes = arg('modes', 'into,copy')
    .split(',')
    .filter((m) => m !== '' && m !== 'none');
  const from = arg('from', '');
  const attach = arg('attach', '');
  const influx = attach ? attached(attach) : await startInfluxd();
  try {
    const saved = attach
      ? await attachedData(influx)
      : from
        ? await restoreData<Saved>(influx, from)
        : await collect(influx, arg('scenario', '100x30'), intervalsArg);
    const client = new InfluxClient({ url: influx.url, db: DB, auth: {}, timeoutMs: 1_800_000 });
    const raw = await figures(influx, RAW_RP, saved.rawPoints);
    progress('raw', raw);
    const save = arg('save', '');
    if (save) await saveData(influx, save, saved);

    const byMode: Record<string, Awaited<ReturnType<typeof measureMode>>> = {};
    for (const mode of modes) {
      for (const rp of LEVEL_RPS)
        await client.query(`DROP RETENTION POLICY ${ident(rp)} ON ${ident(DB)}`, { db: null });
      byMode[mode] = await measureMode(influx, client, mode, saved);
    }
    const first = Object.values(byMode)[0];
    const windows5m = Math.max(1, first?.windows5m ?? 1);
    const pointsPerDay = {
      [RAW_RP]: (saved.rawPoints / saved.intervals) * 1440,
      heapless_5m: ((first?.level5m.points ?? 0) / windows5m) * 288,
      heapless_1h: (first?.level1h.points ?? 0) * 24,
    };
    const projection: Record<string, Projection> = {
      raw: {
        pointsPerDay: Math.round(pointsPerDay[RAW_RP]),
        gibPerDayNaive: gib(pointsPerDay[RAW_RP] * raw.bytesPerPoint),
      },
      '5m': {
        pointsPerDay: Math.round(pointsPerDay.heapless_5m),
        gibPerDayNaive: gib(pointsPerDay.heapless_5m * (first?.level5m.bytesPerPoint ?? 0)),
      },
      '1h': {
        pointsPerDay: Math.round(pointsPerDay.heapless_1h),
        gibPerDayNaive: gib(pointsPerDay.heapless_1h * (first?.level1h.bytesPerPoint ?? 0)),
      },
    };
    let compacted: Record<string, unknown> | undefined;
    if (flag('compact')) {
      // Without a mode run only the raw points are there to measure.
      const rps = first ? [RAW_RP, ...LEVEL_RPS] : [RAW_RP];
      const done = await compactFully(influx, DB, rps, 1_800_000);
      compacted = { allOneFile: done };
      for (const [rp, key] of [
        [RAW_RP, 'raw'],
        [LEVEL_RPS[0], '5m'],
        [LEVEL_RPS[1], '1h'],
      ] as const) {
        if (!rps.includes(rp)) continue;
        const disk = policyDisk(influx, DB, rp);
        const points = rp === RAW_RP ? saved.rawPoints : await countPoints(client, rp, 'value_count');
        compacted[key] = { points, ...disk, bytesPerPoint: round(disk.bytes / Math.max(1, points)) };
      }
      progress('compacted', compacted);
    }
    const modesOut = Object.fromEntries(
      Object.entries(byMode).map(([m, r]) => [
        m,
        {
          run5m: r.run5m,
          runHour: r.runHour,
          // One 5-minute run of the CronJob: the measured 5m run over the windows it covered.
          perRun5m: {
            wallS: round(r.run5m.wallS / windows5m),
            cpuS: round(r.run5m.cpuS / windows5m),
            influxdCpuS: round(r.run5m.influxdCpuS / windows5m),
          },
        },
      ]),
    );
    console.log(
      JSON.stringify({
        bench: 'rollup',
        scenario: saved.scenario,
        intervals: saved.intervals,
        raw,
        level5m: first?.level5m,
        level1h: first?.level1h,
        modes: modesOut,
        projection,
        ...(compacted ? { compacted } : {}),
      }),
    );
  } finally {
    await influx.stop();
  }
}

await main();
