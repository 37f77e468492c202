/**
 * `npx tsx bench/cronjob.ts [--scenario 1000x30] [--schema heapster] [--runs 3]`: the collector as
 * the CronJob runs it, which `npm run bench` does not (it sets RUN_DEADLINE=30m so that every run
 * completes): a 60 s interval, the default deadline (INTERVAL − 5 s), a spool, the CronJob's V8
 * flags, influxd and the simulator on the same cores. Runs start on consecutive interval
 * boundaries; one more run follows that only replays whatever the spool still holds (the
 * collector's own replay, influx/replay, within a run's deadline). One JSON line
 * per run: the collector's wall, CPU and peak RSS, influxd's CPU and peak RSS over the run, and
 * what a user alerts on (nodes cut, points lost, overflowed, left in the spool, exit code).
 * A last line compares every run's interval with the simulator's truth (bench/cronjob-truth):
 * every container's and node's working set and CPU counter.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '#test/sim/cluster';
import { startInfluxd } from '#test/influxd/server';
import { PROJECT_DIR } from '#test/helpers/paths';
import { collectFlags } from '#test/helpers/collect-bundle';
import { scenarioCluster, SCENARIOS } from '#bench/scenarios';
import { runBundle } from '#bench/collect-process';
import { measuredUsage } from '#bench/process-usage';
import { compareWithTruth, type Interval } from '#bench/cronjob-truth';
import { InfluxClient } from '#shared/influx/client';
import { replaySpool } from '#shared/influx/replay';
import { Spool } from '#shared/influx/spool';
import type { Schema } from '#shared/encode/line-protocol';

const BUNDLE = `${PROJECT_DIR}/dist/collect/index.mjs`;
const INTERVAL_MS = 60_000;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

async function nextInterval(): Promise<void> {
  await new Promise((r) => setTimeout(r, INTERVAL_MS - (Date.now() % INTERVAL_MS) + 50));
}

async function main(): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.name === arg('scenario', '1000x30'));
  if (scenario?.shards !== 1) throw new Error('choose a one-shard scenario: 100x30 or 1000x30');
  const schema = arg('schema', 'heapster') as Schema;
  const runs = Number(arg('runs', '3'));
  if (!existsSync(BUNDLE) || process.env['BENCH_SKIP_BUILD'] !== '1')
    execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: PROJECT_DIR, stdio: 'ignore' });
  const spoolDir = mkdtempSync(join(tmpdir(), 'heapless-bench-spool-'));
  const [influx, sim] = await Promise.all([startInfluxd(), startCluster(scenarioCluster(scenario))]);
  const intervals: Interval[] = [];
  try {
    for (let i = 1; i <= runs; i++) {
      await nextInterval();
      sim.clock.set(Date.now());
      const simMs = sim.clock.nowMs();
      const { result: r, usage } = await measuredUsage(influx.pid, () =>
        runBundle(BUNDLE, {
          KUBECONFIG: sim.kubeconfigPath,
          KUBELET_CA_FILE: sim.caFile,
          INFLUX_URL: influx.url,
          INFLUX_DB: `k8s_${schema}`,
          INFLUX_SCHEMA: schema,
          INTERVAL: `${INTERVAL_MS / 1000}s`,
          SPOOL_DIR: spoolDir,
          NODE_OPTIONS: collectFlags(),
        }),
      );
      const f = (k: string): unknown => r.run[k];
      intervals.push({ timeMs: Date.parse(String(f('runTime'))), simMs });
      const line = {
        scenario: scenario.name,
        schema,
        run: i,
        exitCode: r.exitCode,
        wallSeconds: r.wallSeconds,
        cpuSeconds: Math.round(r.cpuSeconds * 100) / 100,
        peakRssMb: r.peakRssMb,
        influxdCpuSeconds: usage.cpuSeconds,
        influxdPeakRssMb: usage.peakRssMb,
        ...Object.fromEntries(
          [
            'nodes',
            'nodesOk',
            'nodesCut',
            'points',
            'failedPoints',
            'spooledPoints',
            'overflowPoints',
            'replayedPoints',
            'spoolBacklogPoints',
            'spoolDroppedPoints',
          ].map((k) => [k, f(k)]),
        ),
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    const client = new InfluxClient({ url: influx.url, db: `k8s_${schema}`, auth: {}, timeoutMs: 600_000 });
    // One more run that only replays: the collector's own replay (influx/replay), with a run's budget.
    await nextInterval();
    const t0 = performance.now();
    const { result: replay, usage } = await measuredUsage(influx.pid, () =>
      replaySpool(client, new Spool(spoolDir, Number.MAX_SAFE_INTEGER), Date.now() + INTERVAL_MS - 5_000),
    );
    const replayLine = {
      scenario: scenario.name,
      schema,
      run: runs + 1,
      replayOnly: true,
      wallSeconds: Math.round((performance.now() - t0) / 10) / 100,
      influxdCpuSeconds: usage.cpuSeconds,
      replayedPoints: replay.replayedPoints,
      badPoints: replay.badPoints,
      spoolBacklogPoints: replay.remainingPoints,
    };
    process.stdout.write(`${JSON.stringify(replayLine)}\n`);
    const truth = await compareWithTruth(client, schema, sim.truth, intervals);
    process.stdout.write(`${JSON.stringify({ scenario: scenario.name, schema, truth })}\n`);
  } finally {
    await Promise.all([sim.stop(), influx.stop()]);
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
