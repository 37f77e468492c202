import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '#test/sim/cluster';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import { anyDayStartMs, iso } from '#test/helpers/any-day';

/** One of every kubelet failure, each on its own node, among 50. */
const FAULTS: Record<string, Fault> = {
  'node-1': { kind: 'hang' },
  'node-2': { kind: 'status', code: 500 },
  'node-3': { kind: 'status', code: 401 },
  'node-4': { kind: 'status', code: 403 },
  'node-5': { kind: 'invalid-json' },
  'node-6': { kind: 'truncated' },
  'node-7': { kind: 'truncated', abort: true },
  'node-8': { kind: 'oversize', bytes: 3_000_000 },
  'node-9': { kind: 'slow', bytesPerSecond: 200 },
  'node-10': { kind: 'expired-cert' },
  'node-11': { kind: 'bad-cert' },
  'node-12': { kind: 'no-ip-san' },
  'node-13': { kind: 'down' },
};

const EXPECTED_REASON: Record<string, string> = {
  'node-1': 'timeout',
  'node-2': 'http_5xx',
  'node-3': 'http_401',
  'node-4': 'http_403',
  'node-5': 'invalid_json',
  'node-6': 'invalid_json',
  'node-7': 'connect',
  'node-8': 'body_too_large',
  'node-9': 'timeout',
  'node-10': 'tls',
  'node-11': 'tls',
  'node-12': 'tls',
  'node-13': 'connect',
};

describe('50 nodes, 13 of them broken in every way a kubelet can be', () => {
  let c: Collected;
  let result: Awaited<ReturnType<Collected['run']>>;
  let wallMs: number;
  beforeAll(async () => {
    c = await collected(
      'faults50',
      { nodes: 50, podsPerNode: 2 },
      { KUBELET_TIMEOUT: '4s', KUBELET_MAX_BODY_BYTES: String(1_000_000), KUBELET_CONCURRENCY: '16' },
    );
    for (const [node, fault] of Object.entries(FAULTS)) await c.sim.setFault(node, fault);
    const t0 = Date.now();
    result = await c.run();
    wallMs = Date.now() - t0;
  });
  afterAll(() => c.stop());

  it('ends within its deadline, with every healthy node complete', async () => {
    // Every bad node costs at most KUBELET_TIMEOUT (4 s), and they are scraped in parallel.
    expect(wallMs).toBeLessThan(20_000);
    expect(result.exitCode).toBe(0);
    expect(result.stats.nodesOk).toBe(37);
    const healthy = c.sim.truth.nodes.filter((n) => !(n.name in FAULTS));
    const got = await rows(
      c.client,
      `SELECT count("value") FROM "memory/working_set" WHERE "type"='pod_container' GROUP BY "nodename"`,
    );
    const byNode = Object.fromEntries(got.map((r) => [r['nodename'], r['count']]));
    for (const n of healthy) expect(byNode[n.name]).toBe(n.pods.reduce((a, p) => a + p.containers.length, 0));
    for (const n of Object.keys(FAULTS)) expect(byNode[n]).toBeUndefined();
  });

  it('reports each failure with its reason and a hint: in the log line and in the run’s own point', async () => {
    const lines = c.logs.filter((l) => l['event'] === 'node_failed');
    expect(Object.fromEntries(lines.map((l) => [l['node'], l['reason']]))).toEqual(EXPECTED_REASON);
    const noIpSan = lines.find((l) => l['node'] === 'node-12');
    expect(String(noIpSan?.['hint'])).toContain('KUBELET_ADDRESS_TYPES=Hostname');
    for (const l of lines.filter(
      (x) => x['reason'] !== 'invalid_json' && x['reason'] !== 'http_5xx' && x['reason'] !== 'timeout',
    ))
      expect(l['hint']).toBeTruthy();
    const [run] = await rows(c.client, 'SELECT * FROM "heapless_run"');
    expect(run).toMatchObject({
      nodes: 50,
      nodes_ok: 37,
      nodes_failed: 13,
      failed_timeout: 2,
      failed_tls: 3,
      failed_connect: 2,
      failed_invalid_json: 2,
      failed_body_too_large: 1,
      failed_http_401: 1,
      failed_http_403: 1,
      failed_http_5xx: 1,
    });
  });
});

describe('hostile kubelet payloads', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collected('hostile', { nodes: 2, podsPerNode: 1 });
  });
  afterAll(() => c.stop());

  // A day before the simulated clock's start, which is the wall clock's hour (InfluxDB keeps it).
  const started = iso(anyDayStartMs() - 86_400_000);
  const payload = (t: string, cpu: unknown, faults: unknown) =>
    JSON.stringify({
      node: {
        nodeName: 'node-1',
        startTime: started,
        cpu: { time: t, usageNanoCores: 'NaN', usageCoreNanoSeconds: cpu },
        memory: { time: t, usageBytes: -5, workingSetBytes: 1e300, pageFaults: faults },
        network: null,
      },
      pods: [
        {
          podRef: { name: 'dup', namespace: 'ns-0', uid: 'u' },
          startTime: started,
          containers: [{ name: 'c', cpu: { time: t, usageCoreNanoSeconds: 2 ** 60 } }],
          volume: [{ name: 'v' }],
        },
        {
          podRef: { name: 'dup', namespace: 'ns-0', uid: 'u' },
          containers: [{ name: 'c', memory: { time: t, workingSetBytes: 2 ** 53 + 2 } }],
        },
        { podRef: { name: 'empty', namespace: 'ns-0' } },
        { podRef: null },
      ],
    });

  it('NaN, negative, absurd and backwards counters, missing blocks and duplicate pods give no invalid point and no crash', async () => {
    await c.sim.setFault('node-1', { kind: 'body', body: payload(iso(c.sim.clock.nowMs()), 5e15, 1000) });
    const first = await c.run();
    await c.sim.setFault('node-1', { kind: 'body', body: payload(iso(c.sim.clock.nowMs() + 60_000), 1e15, 10) });
    const second = await c.next(60);
    for (const r of [first, second]) {
      expect(r.exitCode).toBe(0);
      expect(r.stats).toMatchObject({ nodesOk: 2, failedPoints: 0, badPoints: 0 });
    }
    const negative = await rows(c.client, `SELECT count("value") FROM /.*/ WHERE "value" < 0`);
    expect(negative).toEqual([]);
    const rates = await rows(
      c.client,
      `SELECT count("value") FROM /_rate$/ WHERE "nodename"='node-1' AND "type"='node'`,
    );
    expect(rates).toEqual([]);
    const big = await rows(
      c.client,
      `SELECT last("value") FROM "memory/working_set" WHERE "pod_name"='dup' AND "type"='pod_container'`,
    );
    expect(big[0]?.['last']).toBe(2 ** 53 + 2);
  });
});
