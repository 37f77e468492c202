import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect, type RunResult } from '#shared/collect/run';
import type { InfluxClient } from '#shared/influx/client';
import { silentLogger } from '#shared/log';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';
import { pointsAt } from '#test/helpers/points';
import { PROJECT_DIR } from '#test/helpers/paths';

const HUNG = ['node-8', 'node-9'];

interface Child {
  exitCode: number | null;
  wallAfterTermMs: number;
  lines: Array<Record<string, unknown>>;
}

/** The built bundle as a CronJob runs it; SIGTERM once every healthy node has been asked and answered. */
function runAndTerminate(sim: SimCluster, env: Record<string, string>, healthy: string[]): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/collect/index.mjs'], {
      cwd: PROJECT_DIR,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let termAt = 0;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    const poll = setInterval(() => {
      const asked = [...healthy, ...HUNG].every((n) => (sim.requests.byNode[n] ?? 0) > 0);
      if (!asked || termAt) return;
      // The healthy kubelets answer at once; a moment later their lines are in the writer.
      setTimeout(() => {
        termAt = Date.now();
        child.kill('SIGTERM');
      }, 500);
      clearInterval(poll);
    }, 50);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({
        exitCode: code,
        wallAfterTermMs: Date.now() - termAt,
        lines: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      });
    });
  });
}

describe('SIGTERM in the middle of a run, with a spool', () => {
  let sim: SimCluster;
  let client: InfluxClient;
  let spoolDir: string;
  let env: Record<string, string>;
  let child: Child;
  let first: Record<string, unknown>;
  let second: RunResult;
  let healthy: string[];
  beforeAll(async () => {
    sim = await startCluster({ nodes: 10, podsPerNode: 3 });
    client = await freshDatabase('sigterm');
    spoolDir = mkdtempSync(join(tmpdir(), 'heapless-sigterm-'));
    healthy = sim.truth.nodes.map((n) => n.name).filter((n) => !HUNG.includes(n));
    for (const n of HUNG) await sim.setFault(n, { kind: 'hang' });
    env = {
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: client.options.url,
      INFLUX_DB: client.options.db,
      SPOOL_DIR: spoolDir,
      KUBELET_TIMEOUT: '60s',
      // Small bodies: some are stored before SIGTERM. No grace: what is left must go to the spool.
      INFLUX_BATCH_SIZE: '100',
      TERM_GRACE: '0s',
    };
    child = await runAndTerminate(sim, env, healthy);
    first = child.lines.find((l) => l['event'] === 'run') ?? {};
    for (const n of HUNG) await sim.setFault(n, undefined);
    // The next run, one interval later, replays the spool.
    const firstTime = Date.parse(String(first['runTime']));
    second = await runCollect(readCollectConfig(env), { log: silentLogger, now: () => firstTime + 60_000 });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('stops scraping, spools what it could not write, prints the run line and exits', () => {
    expect(child.wallAfterTermMs).toBeLessThan(3_000);
    expect(child.exitCode).toBe(1);
    expect(child.lines.some((l) => l['event'] === 'terminated')).toBe(true);
    expect(first).toMatchObject({ terminated: true, nodes: 10, nodesOk: 8, failures: { terminated: 2 } });
    expect(first['spooledPoints']).toBeGreaterThan(0);
    expect(first['failedPoints']).toBe(0);
  });

  it('after the next run, every healthy node’s points from both runs are stored exactly once', async () => {
    expect(second.stats.replayedPoints).toBe(first['spooledPoints']);
    const firstTime = Date.parse(String(first['runTime']));
    expect(await pointsAt(client, firstTime)).toBe(Number(first['points']) + Number(first['spooledPoints']));
    const got = await rows(
      client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod_container' GROUP BY "nodename"`,
    );
    const byNode = Object.fromEntries(got.map((r) => [r['nodename'], r['count']]));
    for (const n of sim.truth.nodes) {
      const containers = n.pods.reduce((a, p) => a + p.containers.length, 0);
      expect(byNode[n.name]).toBe(HUNG.includes(n.name) ? containers : 2 * containers);
    }
  });
});
