/**
 * @module test/helpers/collect-bundle
 * The built collect bundle run once as its own process, as the CronJob runs it: with the V8 flags
 * of deploy/base/collect.yaml (read from the manifest, so tests and bench follow it), against a
 * simulated cluster and a real influxd. Resolves with the exit code and the run's log line.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { InfluxClient } from '#shared/influx/client';
import type { SimCluster } from '#test/sim/cluster';
import { PROJECT_DIR } from '#test/helpers/paths';

const run = promisify(execFile);

/** The collect CronJob's NODE_OPTIONS. */
export function collectFlags(): string {
  const manifest = readFileSync(`${PROJECT_DIR}/deploy/base/collect.yaml`, 'utf8');
  return /--max-old-space-size=\d+(?: --max-semi-space-size=\d+)?/.exec(manifest)?.[0] ?? '';
}

export interface BundleRun {
  exitCode: number;
  /** The `run` log line, parsed. */
  summary: Record<string, unknown> | undefined;
  /** Every log line, parsed (stdout; a line that is not JSON, such as a raw stack, fails the parse). */
  lines: Array<Record<string, unknown>>;
  /** What the process wrote to stderr (a crash's stack). */
  stderr: string;
}

export async function runCollectBundle(
  sim: SimCluster,
  client: InfluxClient,
  extraEnv: Record<string, string> = {},
): Promise<BundleRun> {
  const env = {
    PATH: process.env['PATH'] ?? '',
    NODE_OPTIONS: collectFlags(),
    KUBECONFIG: sim.kubeconfigPath,
    KUBELET_CA_FILE: sim.caFile,
    INFLUX_URL: client.options.url,
    INFLUX_DB: client.options.db,
    ...extraEnv,
  };
  const r = await run(process.execPath, ['dist/collect/index.mjs'], {
    cwd: PROJECT_DIR,
    env,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  const lines = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    exitCode: 'code' in r ? r.code : 0,
    summary: lines.find((l) => l['event'] === 'run'),
    lines,
    stderr: r.stderr,
  };
}
