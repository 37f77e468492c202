import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';

const run = promisify(execFile);
const PASSWORD = 'pw-9f2c41d7e0b3';
const FILE_PASSWORD = 'filepw-71ac09e3d5';

describe('secrets never reach logs, errors or points', () => {
  let c: Collected;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapless-secret-'));
    writeFileSync(join(dir, 'password'), `${FILE_PASSWORD}\n`);
    // influxd here has auth off and ignores the credentials, but the collector sends them.
    c = await collected(
      'secrets',
      { nodes: 2, podsPerNode: 1 },
      { INFLUX_USERNAME: 'collector', INFLUX_PASSWORD_FILE: join(dir, 'password'), LOG_LEVEL: 'debug' },
    );
    await c.sim.setFault('node-1', { kind: 'status', code: 401 });
    await c.run();
  });
  afterAll(async () => {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the kubelet token and the InfluxDB password out of every log line and of the run’s point', async () => {
    const text = JSON.stringify(c.logs);
    expect(c.logs.map((l) => l['event'])).toEqual(expect.arrayContaining(['node_failed', 'run']));
    for (const secret of [c.sim.token, FILE_PASSWORD]) expect(text).not.toContain(secret);
    const points = JSON.stringify(await rows(c.client, 'SELECT * FROM "heapless_run"'));
    for (const secret of [c.sim.token, FILE_PASSWORD]) expect(points).not.toContain(secret);
  });

  it('the bundle prints neither secret, even when InfluxDB refuses and the config is wrong', async () => {
    const env = {
      KUBECONFIG: c.sim.kubeconfigPath,
      KUBELET_CA_FILE: c.sim.caFile,
      INFLUX_URL: 'http://127.0.0.1:9',
      INFLUX_PASSWORD: PASSWORD,
      INFLUX_USERNAME: 'u',
      RUN_DEADLINE: '1s',
      LOG_LEVEL: 'debug',
    };
    const failed = await run(process.execPath, ['dist/collect/index.mjs'], { cwd: PROJECT_DIR, env }).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    const badConfig = await run(process.execPath, ['dist/collect/index.mjs', '--interval=x'], {
      cwd: PROJECT_DIR,
      env,
    }).catch((e: { stdout: string; stderr: string }) => e);
    const help = await run(process.execPath, ['dist/collect/index.mjs', '--help'], { cwd: PROJECT_DIR, env });
    for (const out of [failed, badConfig, help]) {
      const all = `${out.stdout}${out.stderr}`;
      expect(all.length).toBeGreaterThan(0);
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(c.sim.token);
    }
    expect(`${(failed as { stdout: string }).stdout}`).toContain('influx_unavailable');
  });
});

describe('the service-account token is never sent to a kubelet over plain HTTP', () => {
  it('kubelets that speak plain HTTP fail the TLS handshake before any request is made', async () => {
    const c = await collected('plainhttp', { nodes: 2, podsPerNode: 1, insecureHttpKubelets: true });
    try {
      const r = await c.run();
      expect(r.stats.nodesOk).toBe(0);
      expect(Object.keys(r.stats.failures)).not.toContain('http_401');
      // No HTTP request reached any kubelet: the bearer token never left over plain HTTP.
      expect(c.sim.requests.byNode).toEqual({});
    } finally {
      await c.stop();
    }
  });
});
