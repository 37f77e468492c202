/**
 * @module deploy-run.test
 * What `kubectl apply -f dist/heapless.yaml` installs actually runs. For the collect, events and
 * rollup CronJobs and the query Deployment, the test lays out the container's volumes (ConfigMaps
 * with their binaryData decoded, the generated Secret, emptyDirs, the spool claim) in a temporary
 * folder at their mount paths, and runs the container's own command and args with its own env
 * under the local node. Changed are only the addresses (the simulated API server through
 * KUBECONFIG, the suite's influxd and a database of this file's own, a loopback port for the query
 * service) and the paths, which point into the temporary folder (TMPDIR for the /tmp emptyDir).
 * Collect and events store their points; the rollup, with its rendered settings unchanged (clock
 * ones included), creates its retention policies and rolls up a window the collector filled a
 * quarter of an hour earlier; the query service, registered as the metrics.k8s.io backend of the
 * simulated aggregation layer, answers the real `kubectl top`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { registerBackend } from '#test/sim/aggregator';
import { PROJECT_DIR } from '#test/helpers/paths';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

const run = promisify(execFile);
const MANIFEST = join(PROJECT_DIR, 'dist', 'heapless.yaml');
const MI = 1024 * 1024;
const MIN = 60_000;
/** What the credentials Job would have put in the Secrets (the suite's influxd has no auth). */
const SECRET_VALUE = 'generated-by-the-credentials-job';

let objects: Obj[];
let root: string;
let c: Collected;
/** A 5-minute window the collector filled (two runs) that ended long before ROLLUP_DELAY (2m) ago. */
let rollupWindowMs: number;
const children: ChildProcess[] = [];

/** A workload's pod spec and its one container, from the rendered manifest. */
function workload(kind: string, name: string): { spec: Obj; container: Obj } {
  const o = objects.find((x) => x['kind'] === kind && x['metadata']['name'] === name) as Obj;
  const tpl = kind === 'CronJob' ? o['spec']['jobTemplate']['spec']['template'] : o['spec']['template'];
  return { spec: tpl['spec'], container: tpl['spec']['containers'][0] };
}

function configMapFiles(name: string, items?: Obj[]): Array<[string, Buffer]> {
  const cm = objects.find((x) => x['kind'] === 'ConfigMap' && x['metadata']['name'] === name) as Obj;
  const all: Array<[string, Buffer]> = [
    ...Object.entries((cm['data'] ?? {}) as Record<string, string>).map(
      ([k, v]) => [k, Buffer.from(v)] as [string, Buffer],
    ),
    ...Object.entries((cm['binaryData'] ?? {}) as Record<string, string>).map(
      ([k, v]) => [k, Buffer.from(v, 'base64')] as [string, Buffer],
    ),
  ];
  if (!items) return all;
  return items.map((i) => [i['path'], (all.find(([k]) => k === i['key']) as [string, Buffer])[1]]);
}

function secretFiles(items: Obj[] | undefined): Array<[string, Buffer]> {
  return (items ?? []).map((i) => [i['path'], Buffer.from(SECRET_VALUE)]);
}

/** Writes every volume the container mounts under `root` at its mount path, as the kubelet would. */
function layOut(spec: Obj, container: Obj): string[] {
  const mounts: string[] = [];
  for (const m of container['volumeMounts'] as Obj[]) {
    const dir = join(root, m['mountPath']);
    mkdirSync(dir, { recursive: true });
    mounts.push(m['mountPath']);
    const v = (spec['volumes'] as Obj[]).find((x) => x['name'] === m['name']) as Obj;
    const sources: Obj[] = v['projected'] ? v['projected']['sources'] : [v];
    for (const s of sources) {
      const files = s['configMap']
        ? configMapFiles(s['configMap']['name'], s['configMap']['items'])
        : s['secret']
          ? secretFiles(s['secret']['items'])
          : []; // emptyDir, persistentVolumeClaim: an empty folder
      for (const [path, data] of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), data);
      }
    }
  }
  return mounts;
}

/** The container's environment as the kubelet builds it (envFrom ConfigMaps, then env). */
function environment(container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  const data = (name: string): Record<string, string> =>
    (objects.find((x) => x['kind'] === 'ConfigMap' && x['metadata']['name'] === name) as Obj)['data'];
  for (const e of container['envFrom'] ?? []) Object.assign(env, data(e['configMapRef']['name']));
  for (const e of container['env'] ?? []) {
    const ref = e['valueFrom'];
    env[e['name']] =
      e['value'] ??
      (ref?.['configMapKeyRef']
        ? data(ref['configMapKeyRef']['name'])[ref['configMapKeyRef']['key']]
        : ref?.['fieldRef']?.['fieldPath'] === 'metadata.namespace'
          ? 'heapless'
          : SECRET_VALUE);
  }
  return env;
}

/** A path under one of the mounts moves into the temporary folder; anything else stays. */
function relocate(value: string, mounts: string[]): string {
  return mounts.some((m) => value === m || value.startsWith(`${m}/`)) ? join(root, value) : value;
}

interface Started {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number>;
}

/** Runs the container's command and args under the local node, with only addresses and paths changed. */
function start(kind: string, name: string, addresses: Record<string, string>): Started {
  const { spec, container } = workload(kind, name);
  const mounts = layOut(spec, container);
  const [command, ...args] = [...(container['command'] as string[]), ...((container['args'] as string[]) ?? [])];
  expect(command).toBe('node');
  const own = Object.entries(environment(container)).map(([k, v]) => [k, relocate(v, mounts)]);
  const env: Record<string, string> = { ...Object.fromEntries(own), ...addresses };
  // The /tmp emptyDir: the loader writes the decompressed bundle to os.tmpdir().
  env['TMPDIR'] = join(root, 'tmp');
  const child = spawn(
    process.execPath,
    args.map((a) => relocate(a, mounts)),
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const l of parts.filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push({ stderr: chunk.toString('utf8') }));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 128)));
  return { child, lines, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  objects = (yaml.loadAll(readFileSync(MANIFEST, 'utf8')) as Obj[]).filter(Boolean);
  root = mkdtempSync(join(tmpdir(), 'heapless-deploy-run-'));
  // The collector's run timestamp is the wall clock aligned to INTERVAL (60 s). Start far enough
  // from a minute's end that the seeded run and the rendered one land one interval apart.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 40_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 500));
  rollupWindowMs = Math.floor((Date.now() - 15 * MIN) / (5 * MIN)) * 5 * MIN;
  c = await collected('deploy_run', { nodes: 3, podsPerNode: 2, startTimeMs: rollupWindowMs });
  // Two runs (in-process) in a 5-minute window that has ended, for the rendered rollup.
  for (const at of [rollupWindowMs, rollupWindowMs + MIN]) {
    c.sim.clock.set(at);
    expect((await c.run()).exitCode).toBe(0);
  }
  // The previous minute's run, so the rendered collector has counters to rate against.
  c.sim.clock.set(Date.now() - MIN);
  expect((await c.run()).exitCode).toBe(0);
  c.sim.clock.set(Date.now());
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await c?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The addresses every function gets in place of the in-cluster ones. */
function addresses(): Record<string, string> {
  return {
    KUBECONFIG: c.sim.kubeconfigPath,
    INFLUX_URL: c.client.options.url,
    INFLUX_DB: c.client.options.db,
  };
}

describe('dist/heapless.yaml, run as a kubelet would', () => {
  it('the collect CronJob’s container stores every node’s, pod’s and container’s points', async () => {
    // Act: an Indexed Job's pod gets its index from the Job controller.
    const p = start('CronJob', 'heapless-collect', {
      ...addresses(),
      KUBELET_CA_FILE: c.sim.caFile,
      JOB_COMPLETION_INDEX: '0',
    });
    // Assess
    expect(await p.exited, JSON.stringify(p.lines)).toBe(0);
    expect(p.lines.find((l) => l['event'] === 'run')).toMatchObject({ fn: 'collect', nodes: 3, nodesOk: 3 });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const got = await rows(
      c.client,
      `SELECT count("value") FROM "memory/working_set" WHERE time = ${minute}ms GROUP BY "type"`,
    );
    expect(Object.fromEntries(got.map((r) => [r['type'], r['count']]))).toMatchObject({
      node: 3,
      pod: 6,
      pod_container: 12,
    });
    // The bundle was decompressed into the /tmp emptyDir, not beside the read-only ConfigMap.
    expect(readFileSync(join(root, 'tmp', 'heapless', 'collect', 'index.mjs')).length).toBeGreaterThan(1_000_000);
  });

  it('the events CronJob’s container stores the cluster’s events', async () => {
    // Prepare
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    c.sim.addEvents(
      [0, 1].map((i) => ({
        metadata: { namespace: 'default', name: `web-${i}.run`, uid: `deploy-run-${i}` },
        involvedObject: { kind: 'Pod', namespace: 'default', name: `web-${i}`, uid: `pod-${i}` },
        reason: 'Pulled',
        type: 'Normal',
        message: `pulled ${i}`,
        source: { component: 'kubelet', host: 'node-0' },
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      })),
    );
    // Act
    const p = start('CronJob', 'heapless-events', addresses());
    // Assess
    expect(await p.exited, JSON.stringify(p.lines)).toBe(0);
    const got = await rows(c.client, `SELECT "message", "uid" FROM "events" WHERE "uid" =~ /^deploy-run-/`);
    expect(got.map((r) => [r['uid'], r['message']]).sort()).toEqual([
      ['deploy-run-0', 'pulled 0'],
      ['deploy-run-1', 'pulled 1'],
    ]);
  });

  it('the rollup CronJob’s container creates the heapless_5m and heapless_1h policies and rolls up the ended window', async () => {
    // Act: the rendered settings as they are (ROLLUP_DELAY 2m, ROLLUP_BACKFILL 1h), only the addresses changed.
    const p = start('CronJob', 'heapless-rollup', addresses());
    // Assess
    expect(await p.exited, JSON.stringify(p.lines)).toBe(0);
    const run = p.lines.find((l) => l['event'] === 'rollup_run') as Record<string, unknown>;
    expect(run).toMatchObject({ failedStatements: 0, cut: false });
    expect(run['points']).toBeGreaterThan(0);
    const policies = await rows(c.client, `SHOW RETENTION POLICIES ON "${c.client.options.db}"`);
    expect(policies.map((r) => [r['name'], r['duration']])).toEqual(
      expect.arrayContaining([
        ['heapless_5m', '720h0m0s'],
        ['heapless_1h', '9600h0m0s'],
      ]),
    );
    // Each node's 5-minute point: the mean and max of its two raw points, and their count.
    const window = `time >= ${rollupWindowMs}ms AND time < ${rollupWindowMs + 5 * MIN}ms`;
    const raw = await rows(
      c.client,
      `SELECT mean("value"), max("value"), count("value") FROM "heapless"."memory/working_set" WHERE "type" = 'node' AND ${window} GROUP BY "nodename"`,
    );
    const rolled = await rows(
      c.client,
      `SELECT "value", "value_max", "value_count" FROM "heapless_5m"."memory/working_set" WHERE "type" = 'node' AND ${window} GROUP BY "nodename"`,
    );
    const byNode = (rs: Array<Record<string, unknown>>, cols: string[]) =>
      Object.fromEntries(rs.map((r) => [r['nodename'], cols.map((k) => r[k])]));
    expect(raw).toHaveLength(3);
    expect(raw.every((r) => r['count'] === 2)).toBe(true);
    expect(rolled.map((r) => r['time'])).toEqual([rollupWindowMs, rollupWindowMs, rollupWindowMs]);
    expect(byNode(rolled, ['value', 'value_max', 'value_count'])).toEqual(byNode(raw, ['mean', 'max', 'count']));
    expect(readFileSync(join(root, 'tmp', 'heapless', 'rollup', 'index.mjs')).length).toBeGreaterThan(10_000);
  });

  it('the query Deployment’s container answers kubectl top through the aggregation layer', async () => {
    // Act
    const port = await freePort();
    const p = start('Deployment', 'heapless-query', {
      ...addresses(),
      QUERY_PORT: String(port),
      LISTEN_HOST: '127.0.0.1',
    });
    const unregister = registerBackend(c.sim, `https://127.0.0.1:${port}`);
    const cacheDir = join(root, 'kubectl-cache');
    try {
      await expect
        .poll(() => p.lines.some((l) => l['event'] === 'listening'), { timeout: 30_000, interval: 100 })
        .toBe(true);
      const { stdout } = await run(
        'kubectl',
        ['--kubeconfig', c.sim.kubeconfigPath, '--cache-dir', cacheDir, 'top', 'node'],
        { timeout: 30_000 },
      );
      // Assess: every node, with the simulator's working set (whole Mi, as kubectl prints it).
      const [header, ...lines] = stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/));
      expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
      expect(lines.map((l) => [l[0], l[3]])).toEqual(
        c.sim.truth.nodes.map((n) => [n.name, `${Math.floor(n.memory.workingSetBytes / MI)}Mi`]),
      );
      for (const l of lines) expect(l[1]).toMatch(/^[1-9]\d*m$/);
    } finally {
      unregister();
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  });
});
