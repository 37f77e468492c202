/**
 * @module sim/faults.test
 * Kubelet faults as a client sees them over real HTTPS, concurrency accounting, and stop().
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { httpGet, type GetResult } from '#test/sim/http-get';

let sim: SimCluster;
let ca: string;

function summaryOf(name: string, timeoutMs = 5000): Promise<GetResult> {
  const node = sim.nodes.find((n) => n.name === name)!;
  return httpGet(`https://${node.address}:${node.port}/stats/summary`, { ca, token: sim.token, timeoutMs });
}

function statusOf(res: GetResult): number | string {
  return res.ok ? res.status : res.code;
}

beforeAll(async () => {
  sim = await startCluster({ nodes: 4, podsPerNode: 2 });
  ca = readFileSync(sim.caFile, 'utf8');
});
afterAll(() => sim?.stop());
afterEach(async () => {
  for (const node of sim.nodes) await sim.setFault(node.name, undefined);
});

describe('response faults', () => {
  it('hang: the request never gets an answer and stops counting once the client gives up', async () => {
    await sim.setFault('node-0', { kind: 'hang' });
    expect(statusOf(await summaryOf('node-0', 300))).toBe('TIMEOUT');
    await expect.poll(() => sim.requests.inFlight).toBe(0);
  });

  it('status: the given code with a plain-text body', async () => {
    await sim.setFault('node-0', { kind: 'status', code: 500 });
    const res = await summaryOf('node-0');
    expect(statusOf(res)).toBe(500);
    expect(res.ok && res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('invalid-json and truncated: 200 responses whose body does not parse', async () => {
    await sim.setFault('node-1', { kind: 'invalid-json' });
    const invalid = await summaryOf('node-1');
    await sim.setFault('node-1', { kind: 'truncated' });
    const truncated = await summaryOf('node-1');
    await sim.setFault('node-1', undefined);
    const full = await summaryOf('node-1');
    for (const res of [invalid, truncated]) {
      expect(statusOf(res)).toBe(200);
      expect(() => JSON.parse(res.ok ? res.body : '')).toThrow(SyntaxError);
    }
    expect(truncated.ok && full.ok && full.body.startsWith(truncated.body)).toBe(true);
  });

  it('truncated with abort: the connection is cut mid-body', async () => {
    await sim.setFault('node-1', { kind: 'truncated', abort: true });
    expect((await summaryOf('node-1')).ok).toBe(false);
  });

  it('oversize: streams exactly the requested number of bytes of valid JSON', async () => {
    await sim.setFault('node-2', { kind: 'oversize', bytes: 3_000_001 });
    const res = await summaryOf('node-2');
    const body = res.ok ? res.body : '';
    expect(Buffer.byteLength(body)).toBe(3_000_001);
    expect(JSON.parse(body).node.nodeName).toBe('node-2');
  });

  it('slow: dribbles the real payload at the given rate', async () => {
    const normal = await summaryOf('node-3');
    const size = normal.ok ? normal.body.length : 0;
    await sim.setFault('node-3', { kind: 'slow', bytesPerSecond: size * 2 });
    const started = performance.now();
    const slow = await summaryOf('node-3');
    expect(performance.now() - started).toBeGreaterThan(400);
    expect(slow.ok && slow.body).toBe(normal.ok && normal.body);
  });

  it('are visible through the API server proxy', async () => {
    await sim.setFault('node-0', { kind: 'status', code: 404 });
    await sim.setFault('node-1', { kind: 'bad-cert' });
    await sim.setFault('node-2', { kind: 'truncated', abort: true });
    const get = (node: string) =>
      httpGet(`${sim.apiUrl}/api/v1/nodes/${node}/proxy/stats/summary`, { ca, token: sim.token });
    expect(statusOf(await get('node-0'))).toBe(404);
    expect((await get('node-2')).ok).toBe(false);
    const res = await get('node-1');
    expect(statusOf(res)).toBe(503);
    expect(res.ok && JSON.parse(res.body)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
  });
});

describe('connection faults', () => {
  it.each([
    ['bad-cert', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['expired-cert', 'CERT_HAS_EXPIRED'],
    ['no-ip-san', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['down', 'ECONNREFUSED'],
  ] as const)('%s fails with %s, and clearing it restores the kubelet', async (kind, code) => {
    expect(statusOf(await summaryOf('node-2'))).toBe(200);
    await sim.setFault('node-2', { kind });
    expect(statusOf(await summaryOf('node-2'))).toBe(code);
    expect(statusOf(await summaryOf('node-3'))).toBe(200);
    await sim.setFault('node-2', undefined);
    expect(statusOf(await summaryOf('node-2'))).toBe(200);
  });
});

describe('request accounting', () => {
  it('records the maximum number of summary requests in flight at once', async () => {
    const normal = await summaryOf('node-0');
    const size = normal.ok ? normal.body.length : 0;
    for (const node of sim.nodes) await sim.setFault(node.name, { kind: 'slow', bytesPerSecond: size * 4 });
    sim.requests.reset();
    await Promise.all(sim.nodes.map((n) => summaryOf(n.name)));
    expect(sim.requests.maxInFlight).toBe(4);
    await expect.poll(() => sim.requests.inFlight).toBe(0);
    expect(sim.requests.byNode).toEqual({ 'node-0': 1, 'node-1': 1, 'node-2': 1, 'node-3': 1 });
  });
});

describe('stop()', () => {
  it('closes every server even with hanging requests and removes its temp dir', async () => {
    const own = await startCluster({ nodes: 2, podsPerNode: 1 });
    const ownCa = readFileSync(own.caFile, 'utf8');
    await own.setFault('node-0', { kind: 'hang' });
    const node = own.nodes[0]!;
    const hanging = httpGet(`https://${node.address}:${node.port}/stats/summary`, {
      ca: ownCa,
      token: own.token,
      timeoutMs: 30_000,
    });
    const watch = httpGet(`${own.apiUrl}/api/v1/pods?watch=true`, { ca: ownCa, token: own.token, timeoutMs: 30_000 });
    await expect.poll(() => own.requests.inFlight).toBe(1);
    await own.stop();
    expect((await hanging).ok).toBe(false);
    expect(await watch).toBeDefined(); // settles (reset) instead of hanging
    expect(statusOf(await httpGet(`${own.apiUrl}/version`, { ca: ownCa }))).toBe('ECONNREFUSED');
    expect(() => readFileSync(own.kubeconfigPath)).toThrow(/ENOENT/);
  });
});

describe('plain-HTTP kubelets without authentication', () => {
  it('serve the summary to anyone', async () => {
    const open = await startCluster({
      nodes: 1,
      podsPerNode: 1,
      insecureHttpKubelets: true,
      kubeletTokenRequired: false,
    });
    try {
      const node = open.nodes[0]!;
      const res = await httpGet(`http://${node.address}:${node.port}/stats/summary`);
      expect(res.ok && JSON.parse(res.body).node.nodeName).toBe('node-0');
    } finally {
      await open.stop();
    }
  });
});
