/**
 * @module bench/collect-process
 * Runs the built collect bundle as its own process, as a CronJob would, under GNU time for its
 * wall time, CPU seconds and peak RSS.
 */
import { spawn } from 'node:child_process';

export interface ProcessFigures {
  exitCode: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** The collector's `run` log line. */
  run: Record<string, unknown>;
  /** Epoch ms at spawn, for the cold-start figure. */
  spawnedAtMs: number;
}

/** `nodeArgs`: flags Node refuses in NODE_OPTIONS, such as `--cpu-prof`. */
export function runBundle(
  bundle: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ProcessFigures> {
  return new Promise((resolve, reject) => {
    const spawnedAtMs = Date.now();
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', process.execPath, ...nodeArgs, bundle], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const time = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      const run = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['event'] === 'run');
      if (!time || !run)
        return reject(
          new Error(`collect run produced no figures (exit ${code}): ${out.slice(-2000)} ${err.slice(-2000)}`),
        );
      resolve({
        exitCode: code ?? -1,
        wallSeconds: Number(time[1]),
        cpuSeconds: Number(time[2]) + Number(time[3]),
        peakRssMb: Math.round(Number(time[4]) / 1024),
        run,
        spawnedAtMs,
      });
    });
  });
}
