/**
 * @module query-usage-snapshot.test
 * The usage snapshot (issue 7): one point per node per run that metrics.k8s.io lists read
 * instead of two points per container. It round-trips through InfluxDB (split over fields when
 * large), and on the same collected data every list and get answers exactly as the per-series
 * measurements do — after two runs, with a node failing its latest run, and with part of the
 * points past the look-back. Without snapshots (an older collector) the per-series path answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { answer, queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { freshDatabase, rows, writeLines } from '#test/helpers/influx';
import { FAMILY_BY_NAME } from '#shared/families/catalogue';
import type { NodeBatch, Series } from '#shared/derive/types';
import { decodeNodeReadings, decodeUsagePods, encodeUsage, USAGE_MEASUREMENT } from '#shared/influx/usage-snapshot';
import type { QueryResult } from '#shared/influx/client';
import { createApp } from '../functions/query/app';
import { anyDayStartMs } from '#test/helpers/any-day';

const API = '/apis/metrics.k8s.io/v1beta1';
const CPU = FAMILY_BY_NAME.get('cpu/usage_rate')!;
const MEM = FAMILY_BY_NAME.get('memory/working_set')!;

function container(ns: string, pod: string, name: string, labels: string, cpu?: number, mem?: number): Series {
  const samples = [
    ...(cpu === undefined ? [] : [{ family: CPU, value: cpu }]),
    ...(mem === undefined ? [] : [{ family: MEM, value: mem }]),
  ];
  return {
    tags: { type: 'pod_container', nodename: 'n1', namespace_name: ns, pod_name: pod, container_name: name, labels },
    samples,
  };
}

describe('encoding', () => {
  it('round-trips through InfluxDB: node fields, every container, integers rounded as line protocol writes them', async () => {
    const client = await freshDatabase('q_snapshot_codec');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const awkward = 'a b,c=d"e\\f:g';
    const batch: NodeBatch = {
      node: 'n 1',
      state: {},
      series: [
        {
          tags: { type: 'node', nodename: 'n 1', labels: `role:${awkward}` },
          samples: [
            { family: CPU, value: 487.558164 },
            { family: MEM, value: 749785088.4 },
          ],
        },
        container('ns', 'p', 'a', 'app:x', 0.5, 1000.6),
        container('ns', 'p', 'b', 'app:x', 1),
        {
          tags: { type: 'pod', nodename: 'n1', namespace_name: 'ns', pod_name: 'p' },
          samples: [{ family: CPU, value: 9 }],
        },
      ],
    };
    // A node with enough distinct pods that the packed value spans several 60,000-character fields.
    for (let i = 0; i < 4000; i++)
      batch.series.push(
        container(`ns-${i % 7}`, `pod-${i}-${(i * 7919).toString(36)}`, 'c', `app:a${i}`, i / 3, i * 4096),
      );
    await writeLines(client, [encodeUsage(batch, 7, anyDayStartMs(), 'c 1')]);
    const [row] = await rows(client, `SELECT * FROM "${USAGE_MEASUREMENT}"`);
    expect(row).toMatchObject({
      bucket: '7',
      cluster_name: 'c 1',
      nodename: 'n 1',
      node_cpu: 487.558164,
      node_memory: 749785088,
      node_labels: `role:${awkward}`,
    });
    expect(Number(row?.['n'])).toBeGreaterThan(1);
    const cell = (c: string) => row?.[c];
    expect(decodeNodeReadings(cell)).toEqual({ labels: `role:${awkward}`, cpu: 487.558164, memory: 749785088 });
    const pods = decodeUsagePods(cell)!;
    expect(pods).toHaveLength(4001);
    expect(pods[0]).toEqual([
      'ns',
      'p',
      'app:x',
      [
        ['a', 0.5, 1001],
        ['b', 1, null],
      ],
    ]);
    expect(pods[4000]).toEqual([
      'ns-2',
      `pod-3999-${(3999 * 7919).toString(36)}`,
      'app:a3999',
      [['c', 3999 / 3, 3999 * 4096]],
    ]);
    expect(decodeUsagePods((c) => (c === 's1' ? 'garbage' : cell(c)))).toBeUndefined();
  });
});

describe('snapshot lists equal the per-series lists on the same collected data', () => {
  let f: QueryFixture;
  let seriesOnly: Hono;
  const statements: string[] = [];
  beforeAll(async () => {
    f = await queryFixture('q_snapshot_equal', {
      sim: { nodes: 4, podsPerNode: 5, containersPerPod: 2, namespaces: 3 },
      collectEnv: { CLUSTER_NAME: 'sim' },
      queryEnv: { CLUSTER_NAME: 'sim' },
    });
    const client = f.collected.client;
    f.deps.influx = {
      ping: () => client.ping(),
      query: (q) => {
        statements.push(q);
        return client.query(q);
      },
    };
    // The same app, blind to the snapshots: it answers from the per-series measurements.
    const empty: QueryResult[] = [{}];
    seriesOnly = createApp({
      ...f.deps,
      influx: {
        ping: () => client.ping(),
        query: (q) => (q.includes(USAGE_MEASUREMENT) ? Promise.resolve(empty) : client.query(q)),
      },
    });
  });
  afterAll(() => f?.stop());

  const PATHS = [
    `${API}/nodes`,
    `${API}/nodes/node-2`,
    `${API}/nodes?labelSelector=node-role.kubernetes.io/worker`,
    `${API}/nodes?fieldSelector=metadata.name!=node-1`,
    `${API}/pods`,
    `${API}/namespaces/ns-1/pods`,
    `${API}/namespaces/ns-0/pods/nope`,
    `${API}/pods?labelSelector=app in (app-0,app-2),tier!=backend`,
    `${API}/pods?fieldSelector=spec.nodeName=node-3`,
    `${API}/pods?fieldSelector=metadata.namespace!=ns-0,metadata.name!=x`,
    `${API}/pods?fieldSelector=spec.nodeName=`,
  ];

  async function expectEqual(label: string): Promise<number> {
    let items = 0;
    for (const path of PATHS) {
      const [snap, series] = [await answer(f.app, path), await answer(seriesOnly, path)];
      expect(snap.status, `${label} ${path}`).toBe(series.status);
      expect(snap.json, `${label} ${path}`).toEqual(series.json);
      items += snap.json.items?.length ?? 0;
    }
    return items;
  }

  it('after two runs, reading one statement on heapless_usage per list', async () => {
    statements.length = 0;
    const items = await expectEqual('two runs');
    expect(items).toBeGreaterThan(40);
    const pods = (await answer(f.app, `${API}/pods`)).json.items;
    expect(pods).toHaveLength(20);
    expect(pods[0].window).toBe('1m0s');
    expect(statements.filter((q) => q.includes(USAGE_MEASUREMENT)).length).toBeGreaterThan(0);
    statements.length = 0;
    await answer(f.app, `${API}/pods`);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(
      /^SELECT \* FROM "heapless_usage" WHERE "cluster_name" = 'sim' AND time >= .* GROUP BY "nodename" ORDER BY time DESC LIMIT 3$/,
    );
  });

  it('after a skipped interval, when a node failed the latest run, and as points leave the look-back', async () => {
    const sim = f.collected.sim;
    await sim.setFault('node-1', { kind: 'status', code: 500 });
    try {
      await f.collected.next(120);
    } finally {
      await sim.setFault('node-1', undefined);
    }
    expect(await expectEqual('node-1 failed')).toBeGreaterThan(40);
    // The window is the spacing of the last two runs in view: 2 min, or one interval for node-1 (one run in view).
    const nodes = (await answer(f.app, `${API}/nodes`)).json.items;
    expect(nodes.map((n: any) => [n.metadata.name, n.window])).toEqual([
      ['node-0', '2m0s'],
      ['node-1', '1m0s'],
      ['node-2', '2m0s'],
      ['node-3', '2m0s'],
    ]);
    sim.clock.advance(100);
    try {
      await expectEqual('100 s later');
      expect((await answer(f.app, `${API}/nodes`)).json.items).toHaveLength(3);
    } finally {
      sim.clock.advance(-100);
    }
  });

  it('falls back to the per-series measurements when there is no snapshot in the look-back', async () => {
    const client = await freshDatabase('q_snapshot_fallback');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const t = f.collected.sim.clock.nowMs();
    await writeLines(client, [
      `cpu/usage_rate,nodename=old,type=node value=5 ${t}`,
      `memory/working_set,nodename=old,type=node value=1024i ${t}`,
    ]);
    const app = createApp({ ...f.deps, settings: { ...f.deps.settings, clusterName: undefined }, influx: client });
    expect((await answer(app, `${API}/nodes`)).json.items.map((i: any) => i.metadata.name)).toEqual(['old']);
  });
});
