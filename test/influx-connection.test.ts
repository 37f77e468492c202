/**
 * How the functions reach InfluxDB: never with credentials in INFLUX_URL (refused, and never
 * printed), and over HTTPS behind a private CA with INFLUX_CA_FILE, verified. The HTTPS side is a
 * reverse proxy in front of the suite's real influxd, serving a certificate from a test CA.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readInfluxAuth } from '#shared/config/common';
import { InfluxClient } from '#shared/influx/client';
import { createCa, issueCert } from '#shared/tls/certificates';
import { collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';
import { freePort } from '#test/influxd/server';

const USER = 'heapless-admin';
const PASSWORD = 'S3cretPassw0rd';

/** Runs a bundle until it exits (or 20 s pass: a service that started is killed); all it printed. */
function runBundle(fn: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`dist/${fn}/index.mjs`],
      { cwd: PROJECT_DIR, env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe('credentials in INFLUX_URL', () => {
  it.each(['collect', 'events', 'query'])(
    '%s refuses them, points to the settings, and never prints them',
    async (fn) => {
      const env = {
        INFLUX_URL: `http://${USER}:${PASSWORD}@127.0.0.1:9`,
        KUBECONFIG: join(PROJECT_DIR, 'no-such-kubeconfig'),
        RUN_DEADLINE: '1s',
        LOG_LEVEL: 'debug',
        LISTEN_HOST: '127.0.0.1',
        QUERY_PORT: String(await freePort()),
        HTTP_PORT: '',
        QUERY_AUTH: 'none',
        MODEL_AUTH: 'none',
      };
      const { code, out } = await runBundle(fn, env);
      // Before the fix: collect logged `query to http://heapless-admin:S3cretPassw0rd@…` and the
      // query service its `listening` line with both, and kept running.
      const lines = out.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).not.toContain(PASSWORD);
        expect(line).not.toContain(USER);
      }
      expect(code).toBe(2);
      const invalid = lines.map((l) => JSON.parse(l) as { event: string; problems?: string[] });
      expect(invalid.find((l) => l.event === 'config_invalid')?.problems).toEqual([
        'INFLUX_URL "http://***@127.0.0.1:9": must not hold a user or password: set INFLUX_USERNAME and INFLUX_PASSWORD_FILE (a mounted Secret) instead',
      ]);
    },
  );
});

describe('InfluxDB over HTTPS behind a private CA (INFLUX_CA_FILE)', () => {
  let dir: string;
  let proxy: Server;
  let url: string;
  let caFile: string;
  let otherCaFile: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapless-influxca-'));
    const ca = createCa('private-influx-ca');
    const cert = issueCert(ca, { commonName: 'influxdb', ipSans: ['127.0.0.1'], usage: 'server' });
    caFile = join(dir, 'ca.crt');
    otherCaFile = join(dir, 'other-ca.crt');
    writeFileSync(caFile, ca.certPem);
    writeFileSync(otherCaFile, createCa('someone-else').certPem);
    const target = new URL(inject('influxUrl'));
    proxy = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const addr = proxy.address();
    url = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (caFilePath: string | undefined): InfluxClient =>
    new InfluxClient({
      url,
      db: 'k8s',
      timeoutMs: 5_000,
      auth: readInfluxAuth({
        influxUsername: '',
        influxPassword: '',
        influxToken: '',
        ...(caFilePath ? { influxCaFile: caFilePath } : {}),
      }),
    });

  it('is verified against INFLUX_CA_FILE, and refused without it or with another CA', async () => {
    expect(await client(caFile).query('SHOW DATABASES', { db: null })).toHaveLength(1);
    // Before the fix: only NODE_EXTRA_CA_CERTS worked; INFLUX_CA_FILE was an unknown setting.
    await expect(client(undefined).query('SHOW DATABASES', { db: null })).rejects.toThrow(/certificate/);
    await expect(client(otherCaFile).query('SHOW DATABASES', { db: null })).rejects.toThrow(/certificate/);
  });

  it('a collect run writes through it', async () => {
    const c = await collected('influx_ca', { nodes: 2, podsPerNode: 1 }, { INFLUX_URL: url, INFLUX_CA_FILE: caFile });
    try {
      const r = await c.run();
      expect(r.exitCode).toBe(0);
      expect(r.stats.points).toBeGreaterThan(0);
      const [count] = await rows(c.client, 'SELECT count("value") FROM "uptime"');
      expect(count?.['count']).toBeGreaterThan(0);
    } finally {
      await c.stop();
    }
  });
});
