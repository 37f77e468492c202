/**
 * The query service's plain-HTTP port: off unless HTTP_PORT is set, on loopback unless
 * HTTP_LISTEN_HOST says otherwise, and never accepting an Authorization header (a token sent there
 * has crossed the network in cleartext). Run through the real entry point.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readQueryConfig } from '#shared/query/settings';
import { freshDatabase } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';
import { freePort } from '#test/influxd/server';

interface Service {
  lines: Array<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/query/index.ts'], {
    cwd: PROJECT_DIR,
    env: { PATH: process.env['PATH'] ?? '', ...env },
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
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // A service that exits before listening fails the test at once, with what it said.
  const early = exited.then((code) => {
    const said = lines.slice(-5).map((l) => JSON.stringify(l));
    throw new Error(
      `the query service exited (${code}) before listening: ${[...said, stderr.slice(-2000)].join('\n')}`,
    );
  });
  await Promise.race([
    expect.poll(() => lines.some((l) => l['event'] === 'listening'), { timeout: 90_000 }).toBe(true),
    early,
  ]);
  early.catch(() => undefined);
  return {
    lines,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Starts the service on ports `env` picks; picks again when another process took one between the
 * pick and the service's listen (EADDRINUSE: the tests' servers and influxd bind ports too).
 */
async function startOnFreePorts<T extends { env: Record<string, string> }>(
  pick: () => Promise<T>,
): Promise<T & { s: Service }> {
  for (let attempt = 1; ; attempt++) {
    const picked = await pick();
    try {
      return { ...picked, s: await startService(picked.env) };
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err))) throw err;
    }
  }
}

describe('the plain-HTTP port', () => {
  let base: Record<string, string>;
  beforeAll(async () => {
    const client = await freshDatabase('q_plain_port');
    base = {
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: client.options.db,
      QUERY_AUTH: 'none',
      MODEL_AUTH: 'none',
      LISTEN_HOST: '127.0.0.1',
    };
  });

  it('is off unless HTTP_PORT is set, and binds to loopback when it is', async () => {
    // Before the fix: HTTP_PORT defaulted to 8000 on LISTEN_HOST (0.0.0.0).
    expect(readQueryConfig({})).toMatchObject({ listenHost: '0.0.0.0', httpListenHost: '127.0.0.1' });
    expect(readQueryConfig({}).httpPort).toBeUndefined();
    const { s } = await startOnFreePorts(async () => ({ env: { ...base, QUERY_PORT: String(await freePort()) } }));
    try {
      expect(s.lines.find((l) => l['event'] === 'listening')).toMatchObject({ http: null });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('refuses every request carrying an Authorization header with a 400 that says why', async () => {
    const { s, http } = await startOnFreePorts(async () => {
      const http = await freePort();
      return { http, env: { ...base, QUERY_PORT: String(await freePort()), HTTP_PORT: String(http) } };
    });
    try {
      expect(s.lines.find((l) => l['event'] === 'listening')).toMatchObject({ http, httpHost: '127.0.0.1' });
      const url = `http://127.0.0.1:${http}/api/v1/model/nodes`;
      expect((await fetch(url)).status).toBe(200);
      // metrics.k8s.io is HTTPS only: the aggregation layer never calls plain HTTP.
      expect((await fetch(`http://127.0.0.1:${http}/apis/metrics.k8s.io/v1beta1`)).status).toBe(404);
      for (const authorization of ['Bearer cluster-admin-token', 'Basic dTpw', '']) {
        // Before the fix: a cluster-admin token sent in cleartext got a 200.
        const r = await fetch(url, { headers: { authorization } });
        expect(r.status).toBe(400);
        expect(((await r.json()) as { error: string }).error).toMatch(/^credentials over plain HTTP are refused/);
      }
      expect((await fetch(`http://127.0.0.1:${http}/readyz`, { headers: { authorization: 'Bearer x' } })).status).toBe(
        400,
      );
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
