import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';

describe('retention: the configured policy is the database default and really applies', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collected('retention', { nodes: 1, podsPerNode: 1 }, { INFLUX_RETENTION: '2d' });
  });
  afterAll(() => c.stop());

  it('creates the database with a default policy of INFLUX_RETENTION', async () => {
    await c.run();
    const policies = await rows(c.client, `SHOW RETENTION POLICIES ON "${c.client.options.db}"`);
    expect(policies.find((p) => p['default'] === true)).toMatchObject({ name: 'heapless', duration: '48h0m0s' });
  });

  it('unqualified queries (Heapster’s dashboards) see the data, which sits in that policy', async () => {
    const plain = await rows(c.client, `SELECT count("value") FROM "uptime"`);
    const qualified = await rows(c.client, `SELECT count("value") FROM "heapless"."uptime"`);
    expect(plain[0]?.['count']).toBeGreaterThan(0);
    expect(qualified[0]?.['count']).toBe(plain[0]?.['count']);
  });

  it('a changed INFLUX_RETENTION alters the policy on the next run', async () => {
    await c.next(60);
    await c.run({ INFLUX_RETENTION: '30d' });
    const policies = await rows(c.client, `SHOW RETENTION POLICIES ON "${c.client.options.db}"`);
    expect(policies.find((p) => p['name'] === 'heapless')).toMatchObject({ duration: '720h0m0s', default: true });
  });

  it('points older than the retention are dropped by InfluxDB', async () => {
    // InfluxDB refuses writes that fall outside the default policy's retention window.
    const old = Date.now() - 40 * 86_400_000;
    const res = await fetch(`${c.client.options.url}/write?db=${c.client.options.db}&precision=ms`, {
      method: 'POST',
      body: `uptime,type=node value=1i ${old}`,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('points beyond retention policy');
  });
});

describe('INFLUX_SCHEMA=withfields', () => {
  let c: Collected;
  beforeAll(async () => {
    c = await collected('withfields', { nodes: 1, podsPerNode: 1 }, { INFLUX_SCHEMA: 'withfields' });
    await c.run();
    await c.next(60);
  });
  afterAll(() => c.stop());

  it('writes one measurement per prefix with one field per metric, as Heapster did', async () => {
    const m = (await rows(c.client, 'SHOW MEASUREMENTS')).map((r) => r['name']);
    expect(m).toEqual(
      expect.arrayContaining([
        'cpu',
        'memory',
        'network',
        'filesystem',
        'uptime',
        'restart_count',
        'ephemeral_storage',
      ]),
    );
    expect(m).not.toContain('cpu/usage_rate');
    const node = c.sim.truth.nodes[0]!;
    const got = await rows(c.client, `SELECT last("usage_rate") FROM "cpu" WHERE "type"='node'`);
    expect(got[0]?.['last']).toBe(node.cpuMillicores);
    const fields = await rows(c.client, 'SHOW FIELD KEYS FROM "memory"');
    expect(fields.map((f) => f['fieldKey'])).toEqual(
      expect.arrayContaining(['usage', 'working_set', 'page_faults_rate', 'node_utilization']),
    );
  });
});
