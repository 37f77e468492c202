/**
 * @module operator-errors.test
 * Kubernetes-side problems speak to the operator, as bad settings do: the built bundles, run as
 * the CronJobs and the Deployment run them, end with exactly one JSON line that says what failed
 * and what to do, and exit code 2 — for a missing or malformed kubeconfig (named), no cluster and
 * no kubeconfig, credentials the API server rejects (401: authentication, not RBAC), an API
 * server that refuses connections or accepts them and never answers (the same exit code, a hint
 * naming the timeout), an InfluxDB nothing answers at, and a flag given without its value. The
 * query service reports its settings', TLS files' and auth's problems together in one line. And every function answers --version with package.json's
 * version.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { PROJECT_DIR } from '#test/helpers/paths';

const run = promisify(execFile);
const VERSION = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;

let sim: SimCluster;
let dir: string;
/** Accepts connections and never answers (a firewall or proxy holding them, a hung API server). */
let silent: Server;
const held = new Set<Socket>();

beforeAll(async () => {
  sim = await startCluster({ nodes: 1, podsPerNode: 1 });
  dir = mkdtempSync(join(tmpdir(), 'heapless-operator-errors-'));
  silent = createServer((socket) => held.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await sim?.stop();
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  lines: Array<Record<string, unknown>>;
}

/** Runs dist/<fn>/index.mjs with exactly `env` (plus HOME, so no real ~/.kube/config is read). */
async function fn(name: string, env: Record<string, string>, args: string[] = []): Promise<Outcome> {
  const out = await run(process.execPath, [`dist/${name}/index.mjs`, ...args], {
    cwd: PROJECT_DIR,
    env: { HOME: dir, INFLUX_URL: inject('influxUrl'), INFLUX_DB: 'operator_errors', ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const lines = out.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code: out.code, lines };
}

/** The simulator's kubeconfig with one substitution, written to the temp folder. */
function kubeconfigWith(from: string | RegExp, to: string): string {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, readFileSync(sim.kubeconfigPath, 'utf8').replace(from, to));
  return path;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Exactly one error line, saying what failed and what to do, no stack; exit 2. (Other lines may be
 * warnings, or the events run's summary, which records the failed listing in InfluxDB too.)
 */
function expectOneLine(o: Outcome, event: string, error: RegExp, hint: RegExp): void {
  expect(o.code, JSON.stringify(o.lines)).toBe(2);
  const errors = o.lines.filter((l) => l['level'] === 'error');
  expect(errors).toHaveLength(1);
  expect(o.lines.filter((l) => l['level'] === 'info' && l['event'] !== 'run')).toEqual([]);
  const line = errors[0];
  expect(line).toMatchObject({ event });
  expect(String(line?.['error'])).toMatch(error);
  expect(String(line?.['hint'])).toMatch(hint);
  expect(line?.['stack'], 'no stack trace for the operator').toBeUndefined();
}

describe.each(['collect', 'events'])(
  '%s, when Kubernetes or InfluxDB cannot be used, or a flag lacks its value',
  (name) => {
    it('names a kubeconfig that does not exist', async () => {
      const missing = join(dir, 'no-such-kubeconfig');
      expectOneLine(
        await fn(name, { KUBECONFIG: missing }),
        'kubeconfig_invalid',
        new RegExp(`kubeconfig ${missing} does not exist`),
        /KUBECONFIG/,
      );
    });

    it('names a malformed kubeconfig', async () => {
      const bad = join(dir, 'malformed.yaml');
      writeFileSync(bad, 'clusters: [unclosed\n  - :');
      expectOneLine(
        await fn(name, { KUBECONFIG: bad }),
        'kubeconfig_invalid',
        new RegExp(`kubeconfig ${bad} is malformed`),
        /kubectl --kubeconfig/,
      );
    });

    it('says it is not in a cluster when no kubeconfig is set either', async () => {
      expectOneLine(await fn(name, {}), 'kubeconfig_invalid', /not in a cluster/, /service account|KUBECONFIG/);
    });

    it('calls a 401 authentication, not RBAC', async () => {
      const token = /token: (\S+)/.exec(readFileSync(sim.kubeconfigPath, 'utf8'))?.[1] as string;
      const o = await fn(name, {
        KUBECONFIG: kubeconfigWith(`token: ${token}`, 'token: revoked'),
        KUBELET_CA_FILE: sim.caFile,
      });
      expectOneLine(o, 'kube_unauthenticated', /HTTP 401/, /authentication, not RBAC/);
    });

    it('says the API server refused the connection', async () => {
      const port = await closedPort();
      const o = await fn(name, {
        KUBECONFIG: kubeconfigWith(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`),
        KUBELET_CA_FILE: sim.caFile,
      });
      expectOneLine(o, 'kube_unreachable', /refused the connection/, /server address/);
    });

    it('says the API server never answered: the same problem as refused, so the same exit code, and a hint naming the timeout', async () => {
      const { port } = silent.address() as { port: number };
      const o = await fn(name, {
        KUBECONFIG: kubeconfigWith(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${port}`),
        KUBELET_CA_FILE: sim.caFile,
        API_TIMEOUT: '1s',
      });
      expectOneLine(
        o,
        'kube_unreachable',
        /did not answer in time .*timed out after 1000 ms/,
        /a timeout, not RBAC.*API_TIMEOUT/,
      );
      // Before: owners_unlisted warnings advised granting "list replicasets" (RBAC), and exit 1.
      expect(o.lines.map((l) => l['event'])).not.toContain('owners_unlisted');
    });

    it('says at once that InfluxDB cannot be reached, naming INFLUX_URL', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const o = await fn(name, { KUBECONFIG: sim.kubeconfigPath, KUBELET_CA_FILE: sim.caFile, INFLUX_URL: url });
      // Before (collect): one info `run` line after ~55 s of retries, failedPoints > 0, exit 1.
      expectOneLine(o, 'influx_unavailable', new RegExp(`${url}.*ECONNREFUSED`), /INFLUX_URL.*InfluxDB is running/);
      expect(o.lines.at(-1)).toMatchObject({ level: 'error', event: 'influx_unavailable' });
    });

    it('says a flag given without its value needs one', async () => {
      const o = await fn(name, { KUBECONFIG: sim.kubeconfigPath }, ['--influx-url']);
      expect(o.code).toBe(2);
      expect(o.lines).toEqual([
        expect.objectContaining({
          level: 'error',
          event: 'config_invalid',
          // Before: INFLUX_URL "true": expected an http:// or https:// URL.
          problems: ['--influx-url needs a value: --influx-url=<value> or --influx-url <value> (INFLUX_URL)'],
          hint: 'see --help',
        }),
      ]);
    });
  },
);

describe('collect with a spool, when InfluxDB cannot be reached', () => {
  it('with a spool, collects anyway and ends on an error line saying what was spooled', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const spool = mkdtempSync(join(dir, 'spool-'));
    const o = await fn('collect', {
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: url,
      SPOOL_DIR: spool,
      RUN_DEADLINE: '3s',
    });
    expect(o.code).toBe(1);
    expect(o.lines[0]).toMatchObject({
      level: 'error',
      event: 'influx_unavailable',
      hint: expect.stringMatching(/SPOOL_DIR/),
    });
    // Before: the last line was the info-level `run` summary.
    expect(o.lines.at(-1)).toMatchObject({
      level: 'error',
      event: 'write_failed',
      url,
      spooledPoints: expect.any(Number),
      hint: expect.stringMatching(/replayed by the next run/),
    });
    expect(o.lines.at(-1)?.['spooledPoints']).toBeGreaterThan(0);
  });
});

describe('query, when its settings, its TLS files and its auth are all wrong', () => {
  /** The one config_invalid line, exit 2; its problems. */
  function problemsOf(o: Outcome): string[] {
    expect(o.code, JSON.stringify(o.lines)).toBe(2);
    const errors = o.lines.filter((l) => l['level'] === 'error');
    expect(errors).toEqual([expect.objectContaining({ event: 'config_invalid', hint: 'see --help' })]);
    return errors[0]?.['problems'] as string[];
  }

  it('reports every problem together: a bad port, missing TLS files, auth with no Kubernetes API', async () => {
    const cert = join(dir, 'no-such-tls.crt');
    const key = join(dir, 'no-such-tls.key');
    // Before: only the first stage's problem (the settings', then auth's, then a file_unreadable).
    const problems = problemsOf(await fn('query', { TLS_CERT_FILE: cert, TLS_KEY_FILE: key, QUERY_PORT: '99999999' }));
    expect(problems).toEqual([
      expect.stringMatching(/^QUERY_PORT "99999999": expected an integer/),
      expect.stringMatching(new RegExp(`^TLS_CERT_FILE ${cert}: no such file: check the Secret or volume`)),
      expect.stringMatching(new RegExp(`^TLS_KEY_FILE ${key}: no such file`)),
    ]);
    const noPort = problemsOf(await fn('query', { TLS_CERT_FILE: cert, TLS_KEY_FILE: key }));
    expect(noPort).toEqual([
      expect.stringMatching(/^QUERY_AUTH=delegated or MODEL_AUTH=delegated need the Kubernetes API .*QUERY_AUTH=none/),
      expect.stringMatching(new RegExp(`^TLS_CERT_FILE ${cert}: no such file`)),
      expect.stringMatching(new RegExp(`^TLS_KEY_FILE ${key}: no such file`)),
    ]);
  });

  it('names TLS_CERT_FILE and TLS_KEY_FILE when they hold no PEM', async () => {
    const cert = join(dir, 'garbage.crt');
    const key = join(dir, 'garbage.key');
    writeFileSync(cert, 'not a certificate\n');
    writeFileSync(key, 'not a key\n');
    const o = await fn('query', {
      TLS_CERT_FILE: cert,
      TLS_KEY_FILE: key,
      QUERY_AUTH: 'none',
      MODEL_AUTH: 'none',
      QUERY_PORT: String(await closedPort()),
      LISTEN_HOST: '127.0.0.1',
    });
    // Before: start_failed, "PEM routines::no start line (ERR_OSSL_PEM_NO_START_LINE)", exit 1.
    expect(problemsOf(o)).toEqual([
      expect.stringMatching(new RegExp(`^TLS_CERT_FILE ${cert} is not a PEM certificate .*Secret or volume`)),
      expect.stringMatching(new RegExp(`^TLS_KEY_FILE ${key} is not a PEM private key`)),
    ]);
  });

  it('says which file when the key does not belong to the certificate', async () => {
    const certs = join(dir, 'pair');
    const o = await fn('query', {
      TLS_CERT_FILE: sim.caFile,
      TLS_KEY_FILE: otherKey(certs),
      QUERY_AUTH: 'none',
      MODEL_AUTH: 'none',
      QUERY_PORT: String(await closedPort()),
      LISTEN_HOST: '127.0.0.1',
    });
    expect(problemsOf(o)).toEqual([expect.stringMatching(/^TLS_KEY_FILE \S+ is not the private key of TLS_CERT_FILE/)]);
  });
});

/** A fresh EC private key in PEM, unrelated to any certificate. */
function otherKey(path: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return path;
}

describe.each(['collect', 'events', 'query'])('%s --version', (name) => {
  it('prints package.json’s version, injected at build time', async () => {
    const { stdout } = await run(process.execPath, [`dist/${name}/index.mjs`, '--version'], { cwd: PROJECT_DIR });
    expect(stdout).toBe(`heapless ${name} ${VERSION}\n`);
    const help = await run(process.execPath, [`dist/${name}/index.mjs`, '--help'], { cwd: PROJECT_DIR });
    expect(help.stdout).toMatch(/\n {2}--version\n/);
  });
});
