import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectedTwice, collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';

describe('collect: simulated cluster → real influxd, two runs one interval apart', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collectedTwice('collect_basic', { nodes: 3, podsPerNode: 3 }, { CLUSTER_NAME: 'sim' });
  });
  afterAll(() => c.stop());

  it('writes cpu/usage_rate in millicores from usageNanoCores at every object type', async () => {
    const node = c.sim.truth.nodes[1]!;
    const pod = node.pods[2]!;
    const container = pod.containers[1]!;
    const sys = node.systemContainers.find((s) => s.name === 'runtime')!;
    const q = (where: string) => rows(c.client, `SELECT last("value") FROM "cpu/usage_rate" WHERE ${where}`);
    expect((await q(`"type"='node' AND "nodename"='${node.name}'`))[0]?.['last']).toBe(node.cpuMillicores);
    expect((await q(`"type"='pod' AND "pod_name"='${pod.name}'`))[0]?.['last']).toBe(pod.cpuMillicores);
    expect(
      (await q(`"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${container.name}'`))[0]?.[
        'last'
      ],
    ).toBe(container.cpuMillicores);
    // Heapster's name for the runtime system container.
    expect(
      (await q(`"type"='sys_container' AND "nodename"='${node.name}' AND "container_name"='docker-daemon'`))[0]?.[
        'last'
      ],
    ).toBe(sys.cpuMillicores);
  });

  it('writes memory gauges, cpu/usage and uptime exactly', async () => {
    const node = c.sim.truth.nodes[0]!;
    const container = node.pods[0]!.containers[0]!;
    const where = `"type"='pod_container' AND "pod_name"='${node.pods[0]!.name}' AND "container_name"='${container.name}'`;
    const last = async (m: string) =>
      (await rows(c.client, `SELECT last("value") FROM "${m}" WHERE ${where}`))[0]?.['last'];
    expect(await last('memory/usage')).toBe(container.memory.usageBytes);
    expect(await last('memory/working_set')).toBe(container.memory.workingSetBytes);
    expect(await last('memory/rss')).toBe(container.memory.rssBytes);
    const now = Math.floor(c.sim.clock.nowMs() / 1000) * 1000;
    expect(await last('uptime')).toBe(now - Math.floor(container.startTimeMs / 1000) * 1000);
    expect(await last('cpu/usage')).toBe(
      container.cpuMillicores * 1e6 * ((now - Math.floor(container.startTimeMs / 1000) * 1000) / 1000),
    );
  });

  it("keeps Heapster's tags: type, nodename, namespace_name, pod_name, container_name, labels, cluster_name", async () => {
    const pod = c.sim.truth.nodes[0]!.pods[0]!;
    const got = await rows(
      c.client,
      `SELECT last("value") FROM "memory/usage" WHERE "type"='pod_container' AND "pod_name"='${pod.name}' GROUP BY *`,
    );
    expect(got.length).toBe(pod.containers.length);
    const labels = Object.keys(pod.labels)
      .sort()
      .map((k) => `${k}:${pod.labels[k]}`)
      .join(',');
    expect(got[0]).toMatchObject({
      type: 'pod_container',
      nodename: c.sim.truth.nodes[0]!.name,
      namespace_name: pod.namespace,
      pod_name: pod.name,
      labels,
      cluster_name: 'sim',
    });
    const nodeRows = await rows(c.client, `SELECT last("value") FROM "uptime" WHERE "type"='node' GROUP BY *`);
    expect(nodeRows.map((r) => r['nodename']).sort()).toEqual(c.sim.truth.nodes.map((n) => n.name).sort());
    expect(String(nodeRows[0]?.['labels'])).toContain('kubernetes.io/hostname:');
  });

  it('aligns timestamps to the interval and writes the run’s own figures', async () => {
    const runs = await rows(c.client, `SELECT * FROM "heapless_run"`);
    expect(runs).toHaveLength(2);
    for (const r of runs) expect(Number(r['time']) % 60_000).toBe(0);
    expect(runs[1]).toMatchObject({
      fn: 'collect',
      cluster_name: 'sim',
      nodes: 3,
      nodes_ok: 3,
      nodes_failed: 0,
      failed_points: 0,
    });
    expect(Number(runs[1]?.['points'])).toBeGreaterThan(100);
    const summary = c.logs.filter((l) => l['event'] === 'run');
    expect(summary).toHaveLength(2);
    expect(summary[1]).toMatchObject({ level: 'info', fn: 'collect', nodes: 3, nodesOk: 3, nodesFailed: 0 });
  });

  it('running the same interval twice overwrites: point counts and values are unchanged', async () => {
    const count = async () => (await rows(c.client, 'SELECT count("value") FROM "cpu/usage_rate"'))[0]?.['count'];
    const sum = async () =>
      (await rows(c.client, `SELECT sum("value") FROM "memory/usage" WHERE "type"='node'`))[0]?.['sum'];
    const [before, sumBefore] = [await count(), await sum()];
    const again = await c.run();
    expect(again.exitCode).toBe(0);
    expect(await count()).toBe(before);
    expect(await sum()).toBe(sumBefore);
  });
});

describe('collect: bad kubelets never fail the run', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collected('collect_faults', { nodes: 5, podsPerNode: 2 }, { KUBELET_TIMEOUT: '1500ms' });
    await c.sim.setFault('node-1', { kind: 'hang' });
    await c.sim.setFault('node-2', { kind: 'status', code: 500 });
    await c.sim.setFault('node-3', { kind: 'invalid-json' });
  });
  afterAll(() => c.stop());

  it('counts each failure by reason and keeps the healthy nodes’ data complete', async () => {
    const result = await c.run();
    expect(result.exitCode).toBe(0);
    expect(result.stats).toMatchObject({
      nodes: 5,
      nodesOk: 2,
      failures: { timeout: 1, http_5xx: 1, invalid_json: 1 },
    });
    const healthy = ['node-0', 'node-4'];
    for (const name of healthy) {
      const truth = c.sim.truth.nodes.find((n) => n.name === name)!;
      const got = await rows(
        c.client,
        `SELECT count("value") FROM "memory/working_set" WHERE "nodename"='${name}' AND "type"='pod_container'`,
      );
      expect(got[0]?.['count']).toBe(truth.pods.reduce((n, p) => n + p.containers.length, 0));
    }
    const bad = await rows(c.client, `SELECT count("value") FROM "memory/working_set" WHERE "nodename"=~/node-[123]/`);
    expect(bad).toEqual([]);
    const failed = c.logs.filter((l) => l['event'] === 'node_failed');
    expect(failed.map((l) => [l['node'], l['reason']]).sort()).toEqual([
      ['node-1', 'timeout'],
      ['node-2', 'http_5xx'],
      ['node-3', 'invalid_json'],
    ]);
    const run = (await rows(c.client, 'SELECT * FROM "heapless_run"'))[0];
    expect(run).toMatchObject({ nodes_failed: 3, failed_timeout: 1, failed_http_5xx: 1, failed_invalid_json: 1 });
  });

  it('exits non-zero only when every node fails', async () => {
    for (const n of ['node-0', 'node-4']) await c.sim.setFault(n, { kind: 'status', code: 403 });
    const result = await c.next();
    expect(result.stats.nodesOk).toBe(0);
    expect(result.exitCode).toBe(1);
    const hinted = c.logs.find((l) => l['event'] === 'node_failed' && l['reason'] === 'http_403');
    expect(String(hinted?.['hint'])).toContain('nodes/stats');
  });
});

describe('collect: TLS and access modes', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collected('collect_tls', { nodes: 2, podsPerNode: 1 });
  });
  afterAll(() => c.stop());

  it('verifies kubelet certificates by default: a certificate from another CA fails with a hint', async () => {
    await c.sim.setFault('node-0', { kind: 'bad-cert' });
    const result = await c.run();
    expect(result.stats.failures).toEqual({ tls: 1 });
    const line = c.logs.find((l) => l['event'] === 'node_failed');
    expect(String(line?.['hint'])).toMatch(/KUBELET_CA_FILE/);
    await c.sim.setFault('node-0', undefined);
  });

  it('KUBELET_INSECURE_TLS=true accepts it and logs a warning on the run', async () => {
    await c.sim.setFault('node-0', { kind: 'bad-cert' });
    c.logs.length = 0;
    const result = await c.run({ KUBELET_INSECURE_TLS: 'true' });
    expect(result.stats.nodesOk).toBe(2);
    expect(c.logs.some((l) => l['event'] === 'kubelet_tls_unverified' && l['level'] === 'warn')).toBe(true);
    await c.sim.setFault('node-0', undefined);
  });

  it('KUBELET_ACCESS=apiserver-proxy scrapes through /api/v1/nodes/{node}/proxy/stats/summary', async () => {
    const result = await c.run({ KUBELET_ACCESS: 'apiserver-proxy' });
    expect(result.stats).toMatchObject({ nodes: 2, nodesOk: 2 });
  });

  it('KUBELET_ADDRESS_TYPES picks the address type; a node without one is reported', async () => {
    const result = await c.run({ KUBELET_ADDRESS_TYPES: 'ExternalIP' });
    expect(result.stats.failures).toEqual({ no_address: 2 });
  });
});
