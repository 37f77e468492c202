/**
 * @module ui-routes.test
 * The page's routes in the query service: the page and its files are open (they hold no data)
 * and carry a strict Content-Security-Policy; the events route is under /api/, so the guard
 * checks it as the model API (MODEL_AUTH=delegated here, against the simulated API server, with
 * namespace-scoped RBAC); bad parameters are 400s naming them; both events schemas are read. And
 * the built bundle (dist/query/index.mjs, what ships) serves the same files, from no file.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { writeLines } from '#test/helpers/influx';
import { PROJECT_DIR } from '#test/helpers/paths';
import { freePort } from '#test/influxd/server';

let f: QueryFixture;
const ADMIN = { authorization: '' };
const VIEWER_TOKEN = 'ns-0-viewer-token-0123456789';

beforeAll(async () => {
  f = await queryFixture('q_ui', { sim: { nodes: 2, podsPerNode: 2 }, auth: true });
  ADMIN.authorization = `Bearer ${f.collected.sim.token}`;
  const sim = f.collected.sim;
  sim.auth.tokens.set(VIEWER_TOKEN, { username: 'viewer', groups: ['system:authenticated'] });
  sim.auth.grants.push({ subject: 'viewer', verbs: ['list'], resources: ['pods'], namespace: 'ns-0' });
  sim.addEvents([
    {
      metadata: { namespace: 'ns-0', name: 'pod-0-0.started' },
      involvedObject: { kind: 'Pod', namespace: 'ns-0', name: 'pod-0-0' },
      type: 'Normal',
      reason: 'Started',
      message: 'Started container main',
      source: { component: 'kubelet', host: 'node-0' },
      count: 1,
    },
  ]);
  const { readEventsConfig } = await import('#shared/events/events-settings');
  const { runEvents } = await import('#shared/events/run');
  const { createLogger } = await import('#shared/log');
  const env = {
    KUBECONFIG: sim.kubeconfigPath,
    INFLUX_URL: f.collected.client.options.url,
    INFLUX_DB: f.collected.client.options.db,
    INTERVAL: '60s',
  };
  await runEvents(readEventsConfig(env), {
    log: createLogger({ fn: 'events', sink: () => {} }),
    now: () => sim.clock.nowMs(),
  });
  // One event in Heapster's own schema: the whole event as JSON in `value`.
  const heapster = JSON.stringify({
    involvedObject: { kind: 'Pod', namespace: 'ns-1', name: 'pod-1-1' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
  });
  await writeLines(f.collected.client, [
    `log/events,uid=u1,pod_name=pod-1-1,hostname=node-1 value=${JSON.stringify(heapster)},count=2i ${sim.clock.nowMs() - 1000}`,
  ]);
});
afterAll(() => f?.stop());

describe('the page and its files', () => {
  it('are served at / and /ui without credentials, with a strict CSP and no inline script', async () => {
    for (const path of ['/', '/ui']) {
      const res = await f.app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await res.text();
      expect(html).toContain('<title>heapless</title>');
      // Every script comes from a file; no inline script, no inline style attribute.
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => / src="/.test(tag))).toBe(true);
      expect(html).not.toMatch(/\sstyle=/);
    }
    const js = await f.app.request('/ui/uplot.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('uPlot');
    const slash = await f.app.request('/ui/');
    expect([slash.status, slash.headers.get('location')]).toEqual([301, '../ui']);
  });
});

describe('GET /api/v1/ui/events goes through the guard (MODEL_AUTH=delegated)', () => {
  it('401 without credentials', async () => {
    const a = await answer(f.app, '/api/v1/ui/events');
    expect(a.status).toBe(401);
  });

  it('answers a user allowed to list pods everywhere: both schemas, newest first', async () => {
    const a = await answer(f.app, '/api/v1/ui/events', ADMIN);
    expect(a.status).toBe(200);
    // Started is the simulator's now; the BackOff point one second older.
    expect(a.json.items.map((e: { reason: string }) => e.reason)).toEqual(['Started', 'BackOff']);
    expect(a.json.items[1]).toMatchObject({
      namespace: 'ns-1',
      kind: 'Pod',
      object: 'pod-1-1',
      type: 'Warning',
      count: 2,
    });
    expect(a.json.items[0]).toMatchObject({
      namespace: 'ns-0',
      object: 'pod-0-0',
      message: 'Started container main',
      count: 1,
    });
  });

  it('a user with RBAC in one namespace reads that namespace only', async () => {
    const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` };
    const ns0 = await answer(f.app, '/api/v1/ui/namespaces/ns-0/events', viewer);
    expect(ns0.status).toBe(200);
    expect(ns0.json.items.map((e: { object: string }) => e.object)).toEqual(['pod-0-0']);
    const all = await answer(f.app, '/api/v1/ui/events', viewer);
    expect(all.status).toBe(403);
    expect(all.json.error).toContain('cannot list resource "pods" in API group "metrics.k8s.io" at the cluster scope');
    expect((await answer(f.app, '/api/v1/ui/namespaces/ns-1/events', viewer)).status).toBe(403);
  });

  it('bad parameters are 400s naming them', async () => {
    const limit = await answer(f.app, '/api/v1/ui/events?limit=0', ADMIN);
    expect([limit.status, limit.json.error]).toEqual([
      400,
      'invalid parameter limit: expected a whole number from 1 to 500',
    ]);
    const ns = await answer(f.app, `/api/v1/ui/namespaces/${encodeURIComponent("a'b")}/events`, ADMIN);
    expect(ns.status).toBe(400);
    expect(ns.json.error).toMatch(/^invalid parameter namespace:/);
  });
});

describe('GET /api/v1/ui/nodes, pods and workloads: the page’s latest numbers', () => {
  const truth = () => f.collected.sim.truth;
  const MILLI = 1e6;

  it('nodes: kubectl’s exact usage (the working set), requests and allocatable', async () => {
    const a = await answer(f.app, '/api/v1/ui/nodes', ADMIN);
    expect(a.status).toBe(200);
    expect(a.json.items).toEqual(
      truth().nodes.map((n) => ({
        name: n.name,
        cpuNanocores: n.cpuMillicores * MILLI,
        memoryBytes: n.memory.workingSetBytes,
        cpu: {
          request: n.pods.flatMap((p) => p.containers).reduce((s, c) => s + c.requests.cpuMillicores, 0),
          allocatable: n.allocatableAmounts.cpuMillicores,
        },
        memory: {
          request: n.pods.flatMap((p) => p.containers).reduce((s, c) => s + c.requests.memoryBytes, 0),
          allocatable: n.allocatableAmounts.memoryBytes,
        },
      })),
    );
  });

  it('pods: every container’s exact usage, of a namespace or of one node', async () => {
    const node = truth().nodes[1];
    const a = await answer(f.app, `/api/v1/ui/pods?node=${node?.name}`, ADMIN);
    expect(a.status).toBe(200);
    const expected = (node?.pods ?? []).map((p) => ({
      namespace: p.namespace,
      name: p.name,
      containers: p.containers
        .map((c) => ({
          name: c.name,
          usage: { cpuNanocores: c.cpuMillicores * MILLI, memoryBytes: c.memory.workingSetBytes },
        }))
        .sort((x, y) => x.name.localeCompare(y.name)),
    }));
    const key = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
    expect([...a.json.items].sort((x, y) => key(x).localeCompare(key(y)))).toEqual(
      expected.sort((x, y) => key(x).localeCompare(key(y))),
    );
    const ns0 = await answer(f.app, '/api/v1/ui/namespaces/ns-0/pods', ADMIN);
    expect(ns0.json.items.map(key).sort()).toEqual(
      truth()
        .nodes.flatMap((n) => n.pods)
        .filter((p) => p.namespace === 'ns-0')
        .map(key)
        .sort(),
    );
  });

  it('workloads: each workload’s usage, requests and limits summed over its pods', async () => {
    const a = await answer(f.app, '/api/v1/ui/namespaces/ns-1/workloads', ADMIN);
    expect(a.status).toBe(200);
    const sums = new Map<string, number[]>();
    for (const p of truth()
      .nodes.flatMap((n) => n.pods)
      .filter((x) => x.namespace === 'ns-1')) {
      const k = `${p.workload?.kind}/${p.workload?.name}`;
      const s = sums.get(k) ?? [0, 0, 0, 0, 0, 0];
      s[0] = (s[0] ?? 0) + p.cpuMillicores;
      s[3] = (s[3] ?? 0) + p.memory.workingSetBytes;
      for (const c of p.containers) {
        s[1] = (s[1] ?? 0) + c.requests.cpuMillicores;
        s[2] = (s[2] ?? 0) + c.limits.cpuMillicores;
        s[4] = (s[4] ?? 0) + c.requests.memoryBytes;
        s[5] = (s[5] ?? 0) + c.limits.memoryBytes;
      }
      sums.set(k, s);
    }
    const got = new Map(
      a.json.items.map((w: { kind: string; name: string; cpu: any; memory: any }) => [
        `${w.kind}/${w.name}`,
        [w.cpu.usage, w.cpu.request, w.cpu.limit, w.memory.usage, w.memory.request, w.memory.limit],
      ]),
    );
    expect(got).toEqual(sums);
    expect(a.json.items.every((w: { namespace: string }) => w.namespace === 'ns-1')).toBe(true);
  });

  it('the cluster’s working set: the nodes’ added per collection', async () => {
    const a = await answer(f.app, '/api/v1/ui/cluster/metrics/memory/working_set', ADMIN);
    expect(a.status).toBe(200);
    const total = truth().nodes.reduce((s, n) => s + n.memory.workingSetBytes, 0);
    // Collected twice: two points, each every node's working set added.
    expect(a.json.metrics.map((p: { value: number }) => p.value)).toEqual([total, total]);
  });

  it('go through the guard: a user with RBAC in one namespace reads that namespace only', async () => {
    const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` };
    expect((await answer(f.app, '/api/v1/ui/nodes')).status).toBe(401);
    expect((await answer(f.app, '/api/v1/ui/namespaces/ns-0/pods', viewer)).status).toBe(200);
    expect((await answer(f.app, '/api/v1/ui/namespaces/ns-0/workloads', viewer)).status).toBe(200);
    const nodes = await answer(f.app, '/api/v1/ui/nodes', viewer);
    expect([nodes.status, nodes.json.error]).toEqual([
      403,
      'nodes.metrics.k8s.io is forbidden: User "viewer" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    ]);
    for (const path of [
      '/api/v1/ui/pods',
      '/api/v1/ui/workloads',
      '/api/v1/ui/namespaces/ns-1/pods',
      '/api/v1/ui/cluster/metrics/memory/working_set',
    ])
      expect((await answer(f.app, path, viewer)).status, path).toBe(403);
  });

  it('bad parameters are 400s naming them; events narrow to the named objects', async () => {
    const node = await answer(f.app, `/api/v1/ui/pods?node=${encodeURIComponent("a'b")}`, ADMIN);
    expect([node.status, node.json.error]).toEqual([400, expect.stringMatching(/^invalid parameter node:/)]);
    const object = await answer(f.app, `/api/v1/ui/events?object=${encodeURIComponent('x,a"b')}`, ADMIN);
    expect([object.status, object.json.error]).toEqual([400, expect.stringMatching(/^invalid parameter object:/)]);
    const one = await answer(f.app, '/api/v1/ui/events?object=pod-1-1', ADMIN);
    expect(one.json.items.map((e: { reason: string }) => e.reason)).toEqual(['BackOff']);
    const other = await answer(f.app, '/api/v1/ui/namespaces/ns-0/events?object=pod-0-0,pod-0-1', ADMIN);
    expect(other.json.items.map((e: { reason: string }) => e.reason)).toEqual(['Started']);
  });
});

describe('the built bundle serves the page from itself', () => {
  it('dist/query/index.mjs answers /ui and its files, byte for byte', async () => {
    const [queryPort, httpPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, [`${PROJECT_DIR}/dist/query/index.mjs`], {
      cwd: '/',
      env: {
        PATH: process.env['PATH'],
        INFLUX_URL: f.collected.client.options.url,
        QUERY_AUTH: 'none',
        MODEL_AUTH: 'none',
        QUERY_PORT: String(queryPort),
        HTTP_PORT: String(httpPort),
        LISTEN_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        proc.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('"event":"listening"')) resolve();
        });
        proc.once('exit', (code) => reject(new Error(`query exited ${code}: ${out}`)));
      });
      const base = `http://127.0.0.1:${httpPort}`;
      expect(await (await fetch(`${base}/ui`)).text()).toBe(
        readFileSync(`${PROJECT_DIR}/functions/query/ui/index.html`, 'utf8'),
      );
      // Every file of the page (its modules, styles, uPlot), as ui/assets.json lists them.
      const assets = JSON.parse(readFileSync(`${PROJECT_DIR}/functions/query/ui/assets.json`, 'utf8')) as Record<
        string,
        { file: string }
      >;
      expect(Object.keys(assets)).toContain('/ui/view-overview.js');
      for (const [path, asset] of Object.entries(assets))
        expect(await (await fetch(`${base}${path}`)).text(), path).toBe(
          readFileSync(`${PROJECT_DIR}/${asset.file}`, 'utf8'),
        );
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  });
});
