/**
 * `npx tsx bench/profile.ts [--scenario 200x30] [--schema heapster] [--flags none|cronjob|'<v8 flags>']
 * [--influx influxd|sink] [--sink-write-ms 0] [--runs 1] [--profile on|off]`: where a collect run spends its CPU.
 * Builds an unminified collect bundle into .cache/profile, runs it once against a fresh simulated
 * cluster and influxd (the first run, every series new), then `--runs` more times one interval
 * apart (steady runs, with rates), the last under `--cpu-prof` unless `--profile off`, and prints
 * one JSON line: each run's figures, self time by source module, and the 25 hottest functions.
 * `--influx sink` replaces influxd by bench/profile-sink (takes every write, keeps the state), so
 * the collector's CPU is measured without influxd's ingest on the same cores; `--sink-write-ms`
 * delays each write's answer, so that the run waits for its writer as it does against influxd.
 * The .cpuprofile stays in .cache/profile for Chrome DevTools or speedscope.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { unminifiedBundle } from '#bench/unminified-bundle';
import { startCluster } from '#test/sim/cluster';
import { startInfluxd } from '#test/influxd/server';
import { PROJECT_DIR } from '#test/helpers/paths';
import { scenarioCluster } from '#bench/scenarios';
import { runBundle } from '#bench/collect-process';
import { collectFlags } from '#test/helpers/collect-bundle';
import { selfTimes } from '#bench/profile-summary';
import { startInfluxSink } from '#bench/profile-sink';

const OUT = `${PROJECT_DIR}/.cache/profile`;
const INTERVAL_MS = 5_000;

function arg(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  return (argv[at]?.includes('=') ? argv[at]?.split('=')[1] : argv[at + 1]) ?? fallback;
}

async function main(): Promise<void> {
  const [nodes, podsPerNode] = arg('scenario', '200x30').split('x').map(Number);
  if (!nodes || !podsPerNode) throw new Error('--scenario must be <nodes>x<podsPerNode>, e.g. 200x30');
  const schema = arg('schema', 'heapster');
  const flagArg = arg('flags', 'cronjob');
  const flags = flagArg === 'cronjob' ? collectFlags() : flagArg === 'none' ? '' : flagArg;
  const steadyRuns = Number(arg('runs', '1'));
  const profiling = arg('profile', 'on') !== 'off';
  const sink = arg('influx', 'influxd') === 'sink';
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const bundle = `${OUT}/collect.mjs`;
  await unminifiedBundle(`${PROJECT_DIR}/functions/collect/index.ts`, bundle);
  const scenario = { name: 'profile', nodes, podsPerNode, shards: 1 };
  const [influx, sim] = await Promise.all([
    sink ? startInfluxSink(Number(arg('sink-write-ms', '0'))) : startInfluxd(),
    startCluster(scenarioCluster(scenario)),
  ]);
  try {
    const env = (nodeOptions: string) => ({
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: influx.url,
      INFLUX_DB: 'k8s',
      INFLUX_SCHEMA: schema,
      INTERVAL: `${INTERVAL_MS / 1000}s`,
      RATE_MAX_GAP: '10m',
      RUN_DEADLINE: '10m',
      NODE_OPTIONS: nodeOptions,
    });
    const runs = [];
    for (let i = 0; i <= steadyRuns; i++) {
      const profiled = profiling && i === steadyRuns;
      await new Promise((r) => setTimeout(r, INTERVAL_MS - (Date.now() % INTERVAL_MS) + 50));
      sim.clock.set(Date.now());
      const r = await runBundle(bundle, env(flags), profiled ? ['--cpu-prof', `--cpu-prof-dir=${OUT}`] : []);
      runs.push({
        wallSeconds: r.wallSeconds,
        cpuSeconds: r.cpuSeconds,
        peakRssMb: r.peakRssMb,
        points: r.run['points'],
      });
    }
    const file = readdirSync(OUT).find((f) => f.endsWith('.cpuprofile'));
    if (profiling && !file) throw new Error(`no .cpuprofile written in ${OUT}`);
    const summary = file && selfTimes(JSON.parse(readFileSync(`${OUT}/${file}`, 'utf8')), readFileSync(bundle, 'utf8'));
    const influxd = sink
      ? `sink${arg('sink-write-ms', '0') === '0' ? '' : ` ${arg('sink-write-ms', '0')} ms`}`
      : 'influxd';
    const head = { scenario: `${nodes}x${podsPerNode}`, schema, flags, influx: influxd, runs };
    process.stdout.write(`${JSON.stringify(summary ? { ...head, profile: `${OUT}/${file}`, ...summary } : head)}\n`);
  } finally {
    await Promise.all([sim.stop(), influx.stop()]);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
