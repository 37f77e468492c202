/**
 * `npm run bench [-- --scenario 1000x30] [-- --schema withfields]`: the collector measured against
 * the physical limits of this machine, side by side in one run. For each scenario and schema it
 * runs the built bundle twice into a fresh database: the first run (every series new, no rates)
 * and the second (with rates), each followed by its own baselines on the same data (parse,
 * minimal encoder, minimal writer), and prints one JSON line. CPU is reported as a multiple of
 * the floor (parse + minimal encoder), wall as a multiple of parse + ingest.
 */
import { existsSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { PROJECT_DIR } from '#test/helpers/paths';
import { scenarioCluster, SCENARIOS, type Scenario } from '#bench/scenarios';
import { runBundle, type ProcessFigures } from '#bench/collect-process';
import { measureBaselines } from '#bench/baselines';
import { measureQueries } from '#bench/queries';
import { collectFlags } from '#test/helpers/collect-bundle';
import { readSim } from '#bench/sim-reader';
import { measuredUsage } from '#bench/process-usage';
import type { Schema } from '#shared/encode/line-protocol';

const BUNDLE = `${PROJECT_DIR}/dist/collect/index.mjs`;
/** The bundle runs with the collect CronJob's own V8 flags, so the memory figure is the deployed one. */
const NODE_OPTIONS = collectFlags();
const INTERVAL_MS = 5_000;

function pickScenarios(argv: string[]): Scenario[] {
  const at = argv.findIndex((a) => a === '--scenario' || a.startsWith('--scenario='));
  if (at < 0) return [...SCENARIOS];
  const name = argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1];
  const found = SCENARIOS.filter((s) => s.name === name);
  if (found.length === 0)
    throw new Error(`unknown scenario ${name}; choose one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** Runs start on distinct interval boundaries, so the second run has the first as its previous state. */
async function nextInterval(): Promise<void> {
  await new Promise((r) => setTimeout(r, INTERVAL_MS - (Date.now() % INTERVAL_MS) + 50));
}

function pickSchemas(argv: string[]): Schema[] {
  const at = argv.findIndex((a) => a === '--schema' || a.startsWith('--schema='));
  if (at < 0) return ['heapster', 'withfields'];
  const name = argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1];
  if (name !== 'heapster' && name !== 'withfields') throw new Error(`unknown schema ${name}`);
  return [name];
}

async function collectOnce(
  sim: SimCluster,
  influx: InfluxdServer,
  s: Scenario,
  schema: Schema,
): Promise<ProcessFigures[]> {
  const shards: ProcessFigures[] = [];
  sim.clock.set(Date.now());
  for (let i = 0; i < s.shards; i++) {
    shards.push(
      await runBundle(BUNDLE, {
        KUBECONFIG: sim.kubeconfigPath,
        KUBELET_CA_FILE: sim.caFile,
        INFLUX_URL: influx.url,
        INTERVAL: `${INTERVAL_MS / 1000}s`,
        // Generous: on a busy machine a 1,000-node first run took over 10 minutes, was cut by a
        // 10m deadline, and its second run then came too late for rates.
        RATE_MAX_GAP: '60m',
        RUN_DEADLINE: '30m',
        SHARD_COUNT: String(s.shards),
        SHARD_INDEX: String(i),
        NODE_OPTIONS,
        INFLUX_DB: dbOf(schema),
        INFLUX_SCHEMA: schema,
      }),
    );
  }
  return shards;
}

function dbOf(schema: Schema): string {
  return `k8s_${schema}`;
}

async function scenario(s: Scenario, schemas: Schema[]): Promise<Array<Record<string, unknown>>> {
  const [influx, sim] = await Promise.all([startInfluxd(), startCluster(scenarioCluster(s))]);
  const out: Array<Record<string, unknown>> = [];
  try {
    for (const schema of schemas) {
      await nextInterval();
      sim.requests.reset();
      const first = await measured(sim, influx, s, schema, false);
      await nextInterval();
      sim.requests.reset();
      const second = await measured(sim, influx, s, schema, true);
      const queries =
        s.nodes === 1000 && schema === 'heapster' ? await measureQueries(influx.url, dbOf(schema)) : undefined;
      out.push({
        scenario: s.name,
        schema,
        nodes: s.nodes,
        pods: s.nodes * s.podsPerNode,
        shards: s.shards,
        nodeOptions: NODE_OPTIONS,
        bundleBytes: statSync(BUNDLE).size,
        first,
        second,
        ...(queries ? { queries } : {}),
      });
    }
    return out;
  } finally {
    await Promise.all([sim.stop(), influx.stop()]);
  }
}

/** One run of the collector (every shard), then its baselines on the same data. */
async function measured(
  sim: SimCluster,
  influx: InfluxdServer,
  s: Scenario,
  schema: Schema,
  withRates: boolean,
): Promise<Record<string, unknown>> {
  // influxd's own cost over the collect run alone (the baselines after it write into it too).
  const { result: shards, usage: influxd } = await measuredUsage(influx.pid, () => collectOnce(sim, influx, s, schema));
  const firstRequest = sim.requests.firstKubeletRequestAtMs;
  const wall = shards.reduce((a, r) => a + r.wallSeconds, 0);
  const cpu = shards.reduce((a, r) => a + r.cpuSeconds, 0);
  const points = shards.reduce((a, r) => a + Number(r.run['points']), 0);
  // The first run's baseline writes into a database of its own, so its series are new too.
  const b = await baselinesFor(sim, influx, schema, withRates, withRates ? dbOf(schema) : `fresh_${schema}`);
  const floor = b.parseSeconds + b.encodeFloorSeconds;
  return {
    pointsWritten: points,
    runWallSeconds: round(wall),
    runCpuSeconds: round(cpu),
    cpuMicrosPerPoint: round((cpu * 1e6) / Math.max(1, points)),
    peakRssMb: Math.max(...shards.map((r) => r.peakRssMb)),
    pointsPerSecond: Math.round(points / wall),
    influxdCpuSeconds: influxd.cpuSeconds,
    influxdPeakRssMb: influxd.peakRssMb,
    nodesFailed: shards.reduce((a, r) => a + Number(r.run['nodesFailed']), 0),
    nodesCut: shards.reduce((a, r) => a + Number(r.run['nodesCut'] ?? 0), 0),
    overflowPoints: shards.reduce((a, r) => a + Number(r.run['overflowPoints'] ?? 0), 0),
    failedPoints: shards.reduce((a, r) => a + Number(r.run['failedPoints']) + Number(r.run['spooledPoints']), 0),
    listMs: Math.max(...shards.map((r) => Number(r.run['listMs']))),
    stateReadMs: Math.max(...shards.map((r) => Number(r.run['stateReadMs']))),
    coldStartMs: firstRequest && shards[0] ? firstRequest - shards[0].spawnedAtMs : null,
    baselineParseSeconds: round(b.parseSeconds),
    baselineEncodeFloorSeconds: round(b.encodeFloorSeconds),
    baselineIngestSeconds: round(b.ingestSeconds),
    baselinePoints: b.points,
    cpuOverFloor: round(cpu / floor),
    overhead: round(wall / (b.parseSeconds + b.ingestSeconds)),
    runDurationMs: shards.map((r) => r.run['durationMs']),
  };
}

async function baselinesFor(
  sim: SimCluster,
  influx: InfluxdServer,
  schema: Schema,
  withRates: boolean,
  db: string,
): Promise<Awaited<ReturnType<typeof measureBaselines>>> {
  const { nodes, pods, fetchSummary } = await readSim(sim);
  return measureBaselines({
    nodes,
    pods,
    fetchSummary,
    advanceSeconds: (s) => sim.clock.advance(s),
    influxUrl: influx.url,
    db,
    schema,
    withRates,
    // An hour back: the collector's series, none of its points.
    timeMs: Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000,
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const scenarios = pickScenarios(process.argv.slice(2));
  if (!existsSync(BUNDLE) || process.env['BENCH_SKIP_BUILD'] !== '1')
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: PROJECT_DIR, stdio: 'ignore' });
  const schemas = pickSchemas(process.argv.slice(2));
  for (const s of scenarios)
    for (const line of await scenario(s, schemas)) process.stdout.write(JSON.stringify(line) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
