/**
 * The two scripts deploy/ ships besides the bundles, run as the pods run them (node, no deps):
 * deploy/base/runtime/http-trigger.mjs (a Knative Service runs a function once per POST) and
 * deploy/base/credentials/create-secrets.mjs (the install Job that generates the passwords),
 * the latter against a loopback fake of the API server's Secret endpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '#test/helpers/paths';

const TRIGGER = join(PROJECT_DIR, 'deploy', 'base', 'runtime', 'http-trigger.mjs');
const CREATE_SECRETS = join(PROJECT_DIR, 'deploy', 'base', 'credentials', 'create-secrets.mjs');

interface Proc {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let at: number;
    while ((at = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, at);
      buf = buf.slice(at + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

/** Resolves when a log line matches; rejects if the process exits first. */
function waitForLine(p: Proc, match: (l: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = p.lines.find(match);
      if (hit) return resolve(hit);
      if (p.child.exitCode !== null) return reject(new Error(`exited ${p.child.exitCode}: ${JSON.stringify(p.lines)}`));
      setImmediate(check);
    };
    check();
  });
}

describe('http-trigger.mjs (the knative overlay)', () => {
  let dir: string;
  let trigger: Proc;
  let url: string;
  // The fake function: records each run, then exits with the code in exit-code, after release
  // exists when hold exists.
  const FAKE = `
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
const dir = ${'process.argv[2]'};
appendFileSync(dir + '/runs', JSON.stringify({ args: process.argv.slice(2), influx: process.env.INFLUX_URL }) + '\\n');
const code = Number(readFileSync(dir + '/exit-code', 'utf8'));
const wait = () => existsSync(dir + '/hold') && !existsSync(dir + '/release') ? setTimeout(wait, 5) : process.exit(code);
if (existsSync(dir + '/hang')) setInterval(() => {}, 1000); else wait();
`;
  const runs = () =>
    existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').filter(Boolean) : [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heapless-trigger-'));
    writeFileSync(join(dir, 'fake.mjs'), FAKE);
    writeFileSync(join(dir, 'exit-code'), '0');
    trigger = start([TRIGGER, join(dir, 'fake.mjs'), dir], {
      PORT: '0',
      INFLUX_URL: 'http://influx.test:8086',
      // Long enough for node to start a run on a loaded 2-core machine; the 504 test waits this long.
      RUN_TIMEOUT_SECONDS: '5',
    });
    const listening = await waitForLine(trigger, (l) => l['event'] === 'listening');
    expect(listening['host']).toBe('127.0.0.1');
    url = `http://127.0.0.1:${String(listening['port'])}/`;
  });

  afterEach(() => {
    for (const f of ['hold', 'release', 'hang']) rmSync(join(dir, f), { force: true });
    writeFileSync(join(dir, 'exit-code'), '0');
  });

  afterAll(async () => {
    trigger.child.kill('SIGTERM');
    await trigger.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the function once per POST with the container’s environment: 200 for exit code 0', async () => {
    // Act
    const res = await fetch(url, {
      method: 'POST',
      body: '{"function":"collect"}',
      headers: { 'content-type': 'application/json' },
    });
    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ exitCode: 0, timedOut: false });
    expect(runs().map((r) => JSON.parse(r))).toContainEqual({ args: [dir], influx: 'http://influx.test:8086' });
  });

  it('answers 500 with the exit code when the function fails', async () => {
    writeFileSync(join(dir, 'exit-code'), '1');
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ exitCode: 1 });
  });

  it('refuses a second run while one is going (409), and GET never starts one', async () => {
    // Prepare: the next run waits for "release".
    writeFileSync(join(dir, 'hold'), '');
    const before = runs().length;
    const first = fetch(url, { method: 'POST' });
    await waitForLine(trigger, () => runs().length === before + 1);
    // Act
    const second = await fetch(url, { method: 'POST' });
    const probe = await fetch(url);
    writeFileSync(join(dir, 'release'), '');
    // Assess
    expect(second.status).toBe(409);
    expect(probe.status).toBe(200);
    expect(await probe.json()).toMatchObject({ status: 'ok', running: true });
    expect((await first).status).toBe(200);
    expect(runs().length).toBe(before + 1);
  });

  it('stops a run that outlives RUN_TIMEOUT_SECONDS: 504', async () => {
    writeFileSync(join(dir, 'hang'), '');
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  });

  it('on SIGTERM, lets the current run finish before exiting', async () => {
    // Prepare: a second trigger whose run waits for "release".
    const own = start([TRIGGER, join(dir, 'fake.mjs'), dir], { PORT: '0' });
    const port = (await waitForLine(own, (l) => l['event'] === 'listening'))['port'];
    writeFileSync(join(dir, 'hold'), '');
    const before = runs().length;
    const running = fetch(`http://127.0.0.1:${String(port)}/`, { method: 'POST' });
    await waitForLine(own, () => runs().length === before + 1);
    // Act
    own.child.kill('SIGTERM');
    await waitForLine(own, (l) => l['event'] === 'stopping');
    writeFileSync(join(dir, 'release'), '');
    // Assess
    expect((await running).status).toBe(200);
    expect(await own.exited).toBe(0);
  });
});

describe('create-secrets.mjs (the credentials Job)', () => {
  let server: Server;
  let apiUrl: string;
  let saDir: string;
  const secrets = new Map<string, Record<string, unknown>>();
  const requests: Array<{ method: string; path: string; auth: string | undefined }> = [];
  let createStatus: number | undefined;

  beforeAll(async () => {
    saDir = mkdtempSync(join(tmpdir(), 'heapless-sa-'));
    writeFileSync(join(saDir, 'token'), 'sa-token\n');
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers['authorization'] });
        const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(req.url ?? '');
        const send = (status: number, obj: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(obj));
        };
        if (!m) return send(404, { kind: 'Status', code: 404 });
        if (req.method === 'GET') {
          const s = secrets.get(`${m[1]}/${m[2]}`);
          return s ? send(200, s) : send(404, { kind: 'Status', reason: 'NotFound', code: 404 });
        }
        if (req.method === 'POST') {
          if (createStatus)
            return send(createStatus, { kind: 'Status', code: createStatus, message: 'refused by the test' });
          const obj = JSON.parse(body) as { metadata: { name: string } };
          secrets.set(`${m[1]}/${obj.metadata.name}`, obj);
          return send(201, obj);
        }
        return send(405, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    secrets.clear();
    requests.length = 0;
    createStatus = undefined;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(saDir, { recursive: true, force: true });
  });

  function runScript(
    spec: string,
  ): Promise<{ code: number | null; lines: Array<Record<string, unknown>>; stdout: string }> {
    const p = start([CREATE_SECRETS], {
      KUBERNETES_API_URL: apiUrl,
      SERVICEACCOUNT_DIR: saDir,
      NAMESPACE: 'heapless',
      SECRETS: spec,
    });
    return p.exited.then((code) => ({ code, lines: p.lines, stdout: JSON.stringify(p.lines) }));
  }

  it('creates each missing Secret with a random 32-character password per key, authenticated as the ServiceAccount', async () => {
    // Act
    const { code, stdout } = await runScript(
      'heapless-influxdb=admin-password,read-password;heapless-grafana=admin-password',
    );
    // Assess
    expect(code).toBe(0);
    const influx = secrets.get('heapless/heapless-influxdb') as {
      data: Record<string, string>;
      metadata: { labels: Record<string, string> };
    };
    const passwords = [
      ...Object.values(influx.data),
      ...Object.values((secrets.get('heapless/heapless-grafana') as { data: Record<string, string> }).data),
    ].map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
    expect(Object.keys(influx.data).sort()).toEqual(['admin-password', 'read-password']);
    expect(influx.metadata.labels['app.kubernetes.io/part-of']).toBe('heapless');
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(passwords).size).toBe(3);
    for (const p of passwords) expect(stdout).not.toContain(p);
    expect(requests.every((r) => r.auth === 'Bearer sa-token')).toBe(true);
  });

  it('leaves an existing Secret alone, so re-applying never rotates a password under a running InfluxDB', async () => {
    secrets.set('heapless/heapless-grafana', {
      metadata: { name: 'heapless-grafana' },
      data: { 'admin-password': 'c2V0' },
    });
    const { code } = await runScript('heapless-grafana=admin-password');
    expect(code).toBe(0);
    expect(requests.map((r) => r.method)).toEqual(['GET']);
    expect(secrets.get('heapless/heapless-grafana')).toEqual({
      metadata: { name: 'heapless-grafana' },
      data: { 'admin-password': 'c2V0' },
    });
  });

  it('counts a Secret created concurrently (409) as done', async () => {
    createStatus = 409;
    expect((await runScript('heapless-grafana=admin-password')).code).toBe(0);
  });

  it('fails with a hint when the API server refuses (403)', async () => {
    createStatus = 403;
    const { code, lines } = await runScript('heapless-grafana=admin-password');
    expect(code).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ event: 'secret_failed', status: 403, hint: expect.stringContaining('Role') }),
    );
  });

  it('rejects a malformed SECRETS (exit 2) before calling the API server', async () => {
    const { code } = await runScript('Not A Name=key');
    expect(code).toBe(2);
    expect(requests).toEqual([]);
  });
});
