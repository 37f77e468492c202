import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';

const run = promisify(execFile);
/** The CronJob's heap (deploy/base/collect.yaml). */
const CRONJOB_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=4';

describe('a 40 MB summary on one node, under the CronJob’s heap flags', () => {
  let sim: SimCluster;
  let client: InfluxClient;
  let exitCode: number;
  let summary: Record<string, unknown> | undefined;
  beforeAll(async () => {
    sim = await startCluster({ nodes: 6, podsPerNode: 2 });
    client = await freshDatabase('bigpayload');
    await sim.setFault('node-1', { kind: 'oversize', bytes: 40_000_000 });
    const env = {
      PATH: process.env['PATH'] ?? '',
      NODE_OPTIONS: CRONJOB_NODE_OPTIONS,
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: client.options.url,
      INFLUX_DB: client.options.db,
    };
    const r = await run(process.execPath, ['dist/collect/index.mjs'], { cwd: PROJECT_DIR, env }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    exitCode = 'code' in r ? r.code : 0;
    summary = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['event'] === 'run');
  });
  afterAll(() => sim.stop());

  it('survives: that node alone fails as body_too_large, under the cap derived from the heap', () => {
    expect(exitCode).toBe(0);
    expect(summary).toMatchObject({ nodes: 6, nodesOk: 5, failures: { body_too_large: 1 } });
  });

  it('stores every other node complete', async () => {
    const got = await rows(
      client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod_container' GROUP BY "nodename"`,
    );
    const byNode = Object.fromEntries(got.map((r) => [r['nodename'], r['count']]));
    for (const n of sim.truth.nodes)
      expect(byNode[n.name]).toBe(
        n.name === 'node-1' ? undefined : n.pods.reduce((a, p) => a + p.containers.length, 0),
      );
  });
});
