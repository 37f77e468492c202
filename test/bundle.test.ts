import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase, rows } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';
import type { InfluxClient } from '#shared/influx/client';

const run = promisify(execFile);

describe('the built bundle, as a CronJob runs it', () => {
  let sim: SimCluster;
  let client: InfluxClient;
  beforeAll(async () => {
    sim = await startCluster({ nodes: 3, podsPerNode: 2 });
    client = await freshDatabase('bundle');
  });
  afterAll(() => sim.stop());

  it('builds one ESM bundle with a source map per function', () => {
    for (const f of ['dist/collect/index.mjs', 'dist/collect/index.mjs.map'])
      expect(existsSync(`${PROJECT_DIR}/${f}`)).toBe(true);
    expect(statSync(`${PROJECT_DIR}/dist/collect/index.mjs`).size).toBeLessThan(2 * 1024 * 1024);
  });

  it('collects with only KUBECONFIG, INFLUX_URL and KUBELET_CA_FILE (plus the test database) set', async () => {
    expect(new Set(sim.nodes.map((n) => n.address)).size).toBe(3);
    const env = {
      KUBECONFIG: sim.kubeconfigPath,
      INFLUX_URL: client.options.url,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_DB: client.options.db,
    };
    const { stdout } = await run(process.execPath, ['dist/collect/index.mjs'], { cwd: PROJECT_DIR, env });
    const summary = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['event'] === 'run');
    expect(summary).toMatchObject({ fn: 'collect', nodes: 3, nodesOk: 3, nodesFailed: 0 });
    const got = await rows(client, `SELECT count("value") FROM "memory/working_set" GROUP BY "type"`);
    expect(Object.fromEntries(got.map((r) => [r['type'], r['count']]))).toMatchObject({
      node: 3,
      pod: 6,
      pod_container: 12,
    });
  });

  it('reports every configuration problem at once and exits 2', async () => {
    const err = await run(
      process.execPath,
      ['dist/collect/index.mjs', '--interval=soon', '--kubelet-port', '99999', '--nope'],
      { cwd: PROJECT_DIR, env: {} },
    ).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    const line = JSON.parse((err as { stdout: string }).stdout.trim()) as { event: string; problems: string[] };
    expect(line.event).toBe('config_invalid');
    expect(line.problems).toHaveLength(3);
    expect(line.problems.join('\n')).toMatch(/unknown flag --nope[\s\S]*INTERVAL "soon"[\s\S]*KUBELET_PORT "99999"/);
  });

  it('--help lists every setting as a flag and an environment variable', async () => {
    const { stdout } = await run(process.execPath, ['dist/collect/index.mjs', '--help'], { cwd: PROJECT_DIR });
    for (const s of [
      '--influx-url',
      'INFLUX_URL',
      '--kubelet-address-types',
      '--kubelet-insecure-tls',
      '--interval',
      '--cluster-name',
    ])
      expect(stdout).toContain(s);
  });
});
