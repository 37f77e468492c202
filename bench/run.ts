/**
 * `npm run bench [-- --scenario 1000x30]`: the collector measured against the physical limits of
 * this machine, side by side in one run. For each scenario it starts a fresh influxd and the
 * simulated cluster, runs the built bundle twice (the second run, with rates, is measured), then
 * measures the parse and ingest baselines on the same data, and prints one JSON line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadKubeConfig } from '#shared/kube/config';
import { listNodes, listPods } from '#shared/kube/list';
import { kubeletTarget } from '#shared/kube/kubelet-target';
import { createSummaryFetcher } from '#shared/scrape/kubelet-client';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { PROJECT_DIR } from '#test/helpers/paths';
import { SCENARIOS, type Scenario } from '#bench/scenarios';
import { runBundle, type ProcessFigures } from '#bench/collect-process';
import { measureBaselines } from '#bench/baselines';
import { measureQueries } from '#bench/queries';

const BUNDLE = `${PROJECT_DIR}/dist/collect/index.mjs`;
/** The bundle runs with the collect CronJob's own V8 flags, so the memory figure is the deployed one. */
const NODE_OPTIONS =
  /--max-old-space-size=\d+(?: --max-semi-space-size=\d+)?/.exec(
    readFileSync(`${PROJECT_DIR}/deploy/base/collect.yaml`, 'utf8'),
  )?.[0] ?? '';
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

async function collectOnce(sim: SimCluster, influx: InfluxdServer, s: Scenario): Promise<ProcessFigures[]> {
  const shards: ProcessFigures[] = [];
  sim.clock.set(Date.now());
  for (let i = 0; i < s.shards; i++) {
    shards.push(
      await runBundle(BUNDLE, {
        KUBECONFIG: sim.kubeconfigPath,
        KUBELET_CA_FILE: sim.caFile,
        INFLUX_URL: influx.url,
        INTERVAL: `${INTERVAL_MS / 1000}s`,
        RATE_MAX_GAP: '10m',
        RUN_DEADLINE: '10m',
        SHARD_COUNT: String(s.shards),
        SHARD_INDEX: String(i),
        NODE_OPTIONS,
      }),
    );
  }
  return shards;
}

async function scenario(s: Scenario): Promise<Record<string, unknown>> {
  const [influx, sim] = await Promise.all([
    startInfluxd(),
    startCluster({
      nodes: s.nodes,
      podsPerNode: s.podsPerNode,
      containersPerPod: 2,
      namespaces: 10,
      sameAddress: s.nodes > 200,
    }),
  ]);
  try {
    await collectOnce(sim, influx, s);
    await nextInterval();
    sim.requests.reset();
    const shards = await collectOnce(sim, influx, s);
    const firstRequest = sim.requests.firstKubeletRequestAtMs;
    const wall = shards.reduce((a, r) => a + r.wallSeconds, 0);
    const points = shards.reduce((a, r) => a + Number(r.run['points']), 0);
    const baselines = await baselinesFor(sim, influx);
    const queries = s.nodes === 1000 ? await measureQueries(influx.url, 'k8s') : undefined;
    return {
      scenario: s.name,
      nodes: s.nodes,
      pods: s.nodes * s.podsPerNode,
      shards: s.shards,
      pointsWritten: points,
      runWallSeconds: round(wall),
      runCpuSeconds: round(shards.reduce((a, r) => a + r.cpuSeconds, 0)),
      peakRssMb: Math.max(...shards.map((r) => r.peakRssMb)),
      pointsPerSecond: Math.round(points / wall),
      nodesFailed: shards.reduce((a, r) => a + Number(r.run['nodesFailed']), 0),
      stateReadMs: Math.max(...shards.map((r) => Number(r.run['stateReadMs']))),
      coldStartMs: firstRequest && shards[0] ? firstRequest - shards[0].spawnedAtMs : null,
      baselineParseSeconds: round(baselines.parseSeconds),
      baselineIngestSeconds: round(baselines.ingestSeconds),
      baselinePoints: baselines.points,
      overhead: round(wall / (baselines.parseSeconds + baselines.ingestSeconds)),
      nodeOptions: NODE_OPTIONS,
      bundleBytes: statSync(BUNDLE).size,
      runDurationMs: shards.map((r) => r.run['durationMs']),
      ...(queries ? { queries } : {}),
    };
  } finally {
    await Promise.all([sim.stop(), influx.stop()]);
  }
}

async function baselinesFor(
  sim: SimCluster,
  influx: InfluxdServer,
): Promise<Awaited<ReturnType<typeof measureBaselines>>> {
  const kc = loadKubeConfig(sim.kubeconfigPath);
  const opts = { pageSize: 500, timeoutMs: 120_000 };
  const [nodes, podList] = await Promise.all([listNodes(kc, opts), listPods(kc, opts)]);
  const fetch = await createSummaryFetcher(kc, {
    access: 'direct',
    caFile: sim.caFile,
    insecure: false,
    timeoutMs: 60_000,
    maxBodyBytes: 64 << 20,
    concurrency: 8,
  });
  const byNode = new Map(nodes.map((n) => [n.name, n]));
  return measureBaselines({
    nodes,
    pods: new Map(podList.map((p) => [`${p.namespace}/${p.name}`, p])),
    fetchSummary: (name) => fetch(kubeletTarget(byNode.get(name)!, ['InternalIP'], undefined)!),
    advanceSeconds: (s) => sim.clock.advance(s),
    influxUrl: influx.url,
    db: 'k8s',
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
  for (const s of scenarios) process.stdout.write(JSON.stringify(await scenario(s)) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
