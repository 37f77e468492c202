/**
 * @module query-server.test
 * The query service as a server: TLS (self-signed, mounted, rotated), graceful close, settings,
 * and the real entry point started with tsx and stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { freePort } from '#test/influxd/server';
import { createCa, issueCert } from '#shared/tls/certificates';
import { ConfigError } from '#shared/errors';
import { closeAll, listen, reloadTls } from '#shared/query/server';
import { servingCert, watchServingCert } from '#shared/query/tls';
import { helpText } from '#shared/config/settings';
import { querySettings, readQueryConfig } from '#shared/query/settings';
import { createApp } from '../functions/query/app';

const NODES = '/apis/metrics.k8s.io/v1beta1/nodes';

let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('q_server', { sim: { nodes: 2, podsPerNode: 2 } });
});
afterAll(() => f?.stop());

/** HTTPS GET verified against `ca`; resolves status and body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The serving certificate's fingerprint, read from a TLS handshake. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('TLS and listeners', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'heapless-query-tls-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves HTTPS with a self-signed certificate when none is mounted', async () => {
    const cert = servingCert({});
    expect(cert.selfSigned).toBe(true);
    const l = await listen(f.app, { port: 0, host: '127.0.0.1', tls: cert });
    try {
      const res = await httpsGet(`https://127.0.0.1:${l.port}/apis/metrics.k8s.io/v1beta1`, cert.cert);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).groupVersion).toBe('metrics.k8s.io/v1beta1');
    } finally {
      await closeAll([l], 1_000);
    }
  });

  it('serves a mounted certificate, verified against its CA, and picks up a rotated one', async () => {
    const ca = createCa('test-ca');
    const write = () => {
      const leaf = issueCert(ca, { commonName: 'heapless-query', ipSans: ['127.0.0.1'], usage: 'server' });
      writeFileSync(join(dir, 'tls.crt'), leaf.certPem);
      writeFileSync(join(dir, 'tls.key'), leaf.keyPem);
    };
    write();
    const files = { tlsCertFile: join(dir, 'tls.crt'), tlsKeyFile: join(dir, 'tls.key') };
    const l = await listen(f.app, { port: 0, host: '127.0.0.1', tls: servingCert(files) });
    let reloads = 0;
    const stop = watchServingCert(
      files,
      (pair) => {
        reloadTls(l, pair);
        reloads++;
      },
      () => {},
      50,
    );
    try {
      expect((await httpsGet(`https://127.0.0.1:${l.port}/healthz`, ca.certPem)).status).toBe(200);
      const before = await servedFingerprint(l.port);
      await new Promise((r) => setTimeout(r, 1_100)); // mtime has whole-second resolution on some filesystems
      write();
      await expect.poll(() => reloads, { timeout: 5_000 }).toBeGreaterThan(0);
      await expect.poll(() => servedFingerprint(l.port), { timeout: 5_000 }).not.toBe(before);
      expect((await httpsGet(`https://127.0.0.1:${l.port}/healthz`, ca.certPem)).status).toBe(200);
    } finally {
      stop();
      await closeAll([l], 1_000);
    }
  });

  it('closes gracefully: a request in flight completes, then the port refuses', async () => {
    const client = f.collected.client;
    const slow = createApp({
      ...f.deps,
      influx: {
        ping: () => client.ping(),
        query: async (q) => {
          await new Promise((r) => setTimeout(r, 400));
          return client.query(q);
        },
      },
    });
    const l = await listen(slow, { port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`http://127.0.0.1:${l.port}${NODES}`);
    await new Promise((r) => setTimeout(r, 100));
    await closeAll([l], 5_000);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(2);
    await expect(fetch(`http://127.0.0.1:${l.port}/healthz`)).rejects.toThrow();
  });
});

describe('settings and the entry point', () => {
  it('reads defaults, and reports every problem at once', () => {
    const c = readQueryConfig({});
    expect(c).toMatchObject({
      queryPort: 8443,
      listenHost: '0.0.0.0',
      httpListenHost: '127.0.0.1',
      influxDb: 'k8s',
      interval: 60_000,
      modelApi: true,
      dashboardApi: true,
      modelWindow: 900_000,
      dashboardWindow: 900_000,
    });
    expect(c.metricsWindow).toBeUndefined();
    expect(c.httpPort).toBeUndefined();
    let err: unknown;
    try {
      readQueryConfig({ QUERY_PORT: '70000', METRICS_WINDOW: 'soon' }, ['--tls-cert-file', '/x.crt']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /QUERY_PORT[\s\S]*METRICS_WINDOW[\s\S]*TLS_CERT_FILE and TLS_KEY_FILE go together/,
    );
    const help = helpText('query', querySettings);
    for (const flag of [
      '--query-port',
      '--http-port',
      '--tls-cert-file',
      '--tls-key-file',
      '--metrics-window',
      '--model-api',
      '--dashboard-api',
      '--influx-url',
      '--interval',
    ])
      expect(help).toContain(flag);
  });

  it('starts with tsx, serves both ports, and exits 0 on SIGTERM after logging the shutdown', async () => {
    const [https, http] = [await freePort(), await freePort()];
    // Authentication as deployed (QUERY_AUTH=delegated), against the simulated API server.
    const env = {
      ...process.env,
      QUERY_PORT: String(https),
      HTTP_PORT: String(http),
      LISTEN_HOST: '127.0.0.1',
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: f.collected.client.options.db,
      KUBECONFIG: f.collected.sim.kubeconfigPath,
    };
    const bearer = { authorization: `Bearer ${f.collected.sim.token}` };
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/query/index.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, at)) as Record<string, unknown>);
        buffer = buffer.slice(at + 1);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // tsx compiles the service as it starts: on a loaded 2-core machine that took over 20 s.
      await expect.poll(() => lines.some((l) => l['event'] === 'listening'), { timeout: 90_000 }).toBe(true);
      expect(lines.find((l) => l['event'] === 'listening')).toMatchObject({
        https,
        http,
        selfSignedCert: true,
        queryAuth: 'delegated',
        modelAuth: 'delegated',
      });
      expect(lines.find((l) => l['event'] === 'auth_config_loaded')).toMatchObject({
        frontProxy: true,
        allowedNames: ['front-proxy-client'],
      });
      expect((await fetch(`http://127.0.0.1:${http}/readyz`)).status).toBe(200);
      // The plain-HTTP port gives no metrics.k8s.io (the aggregator only ever calls HTTPS): not
      // without credentials, and it takes none (400 with a token).
      const metricsApi = `http://127.0.0.1:${http}/apis/metrics.k8s.io/v1beta1`;
      expect((await fetch(metricsApi)).status).toBe(401);
      expect((await fetch(metricsApi, { headers: bearer })).status).toBe(400);
      expect((await fetch(`http://127.0.0.1:${http}/api/v1/model/nodes`)).status).toBe(401);
      // A token sent in cleartext is refused, never checked (test/query-plain-port.test.ts).
      expect((await fetch(`http://127.0.0.1:${http}/api/v1/model/nodes`, { headers: bearer })).status).toBe(400);
      const fingerprint = await servedFingerprint(https);
      expect(fingerprint).toMatch(/^[0-9A-F:]+$/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines.at(-1)).toMatchObject({ event: 'shutdown', signal: 'SIGTERM' });
    } finally {
      child.kill('SIGKILL');
    }
  }, 150_000);

  it('exits 2 with every configuration problem in one log line', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'functions/query/index.ts', '--tls-key-file=/k', '--query-port=0'],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    const line = JSON.parse(out.trim()) as { event: string; problems: string[] };
    expect(line.event).toBe('config_invalid');
    expect(line.problems).toHaveLength(2);
  });
});
