/**
 * @module query-dashboard-api.test
 * The Dashboard metrics-scraper routes through `app.request` over a simulated cluster collected
 * twice into a real influxd: values as the scraper stores them, its answer shape (fixtures) and
 * quirks (`uids` = names, `{"items":null}`, `metricName` = the path segment).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iso } from '#test/helpers/any-day';
import { answer, queryDeps, queryFixture, SIM_START_MS, type QueryFixture } from '#test/helpers/query-fixture';
import { freshDatabase, writeLines } from '#test/helpers/influx';
import { FIXTURES_DIR } from '#test/helpers/paths';
import type { PodTruth } from '#test/sim/cluster';
import { createApp } from '../functions/query/app';

const D = '/api/v1/dashboard';
const T0 = iso(SIM_START_MS);
const T1 = iso(SIM_START_MS + 60_000);
const fixture = (name: string): string => readFileSync(`${FIXTURES_DIR}/metrics-api/${name}`, 'utf8').trim();

let f: QueryFixture;
beforeAll(async () => {
  f = await queryFixture('q_dashboard_api', { sim: { nodes: 2, podsPerNode: 4, containersPerPod: 2, namespaces: 2 } });
});
afterAll(() => f?.stop());

const pods = (ns: string): PodTruth[] =>
  f.collected.sim.truth.nodes.flatMap((n) => n.pods).filter((p) => p.namespace === ns);
const item = (metricName: string, name: string, value: number) => ({
  dataPoints: [],
  metricPoints: [
    { timestamp: T0, value },
    { timestamp: T1, value },
  ],
  metricName,
  uids: [name],
});
const sum = (p: PodTruth, pick: (c: PodTruth['containers'][number]) => number) =>
  p.containers.reduce((s, c) => s + pick(c), 0);

describe('Dashboard scraper API', () => {
  it('answers a node’s CPU (millicores) and memory (working-set bytes) the way the Dashboard asks', async () => {
    const node = f.collected.sim.truth.nodes[0]!;
    expect((await f.get(`${D}/nodes/${node.name}/metrics/cpu/usage_rate`)).json).toEqual({
      items: [item('cpu', node.name, node.cpuMillicores)],
    });
    expect((await f.get(`${D}/nodes/${node.name}/metrics/memory/usage`)).json).toEqual({
      items: [item('memory', node.name, node.memory.workingSetBytes)],
    });
  });

  it('has the scraper’s key order and JSON shape (fixtures)', async () => {
    const node = await f.get(`${D}/nodes/node-1/metrics/memory/usage`);
    const reference = JSON.parse(fixture('dashboard-scraper_node_memory.SYNTHETIC.json'));
    expect(Object.keys(node.json)).toEqual(Object.keys(reference));
    expect(Object.keys(node.json.items[0])).toEqual(Object.keys(reference.items[0]));
    expect(Object.keys(node.json.items[0].metricPoints[0])).toEqual(Object.keys(reference.items[0].metricPoints[0]));
    expect(node.contentType).toMatch(/^application\/json/);
  });

  it('sums a pod’s containers per collection, one item per requested pod with data, in request order', async () => {
    const [a, b, c] = pods('ns-1');
    const { json } = await f.get(
      `${D}/namespaces/ns-1/pod-list/${c!.name},missing,${a!.name},${b!.name}/metrics/cpu/usage_rate`,
    );
    expect(json).toEqual({
      items: [c, a, b].map((p) =>
        item(
          'cpu',
          p!.name,
          sum(p!, (x) => x.cpuMillicores),
        ),
      ),
    });
    const mem = await f.get(`${D}/namespaces/ns-1/pod-list/${a!.name}/metrics/memory/usage`);
    expect(mem.json).toEqual({
      items: [
        item(
          'memory',
          a!.name,
          sum(a!, (x) => x.memory.workingSetBytes),
        ),
      ],
    });
  });

  it('answers nothing found with exactly {"items":null}', async () => {
    const empty = fixture('dashboard-scraper_empty.SYNTHETIC.json');
    expect((await f.get(`${D}/nodes/nope/metrics/cpu/usage_rate`)).text).toBe(empty);
    expect((await f.get(`${D}/namespaces/ns-0/pod-list/${pods('ns-1')[0]!.name}/metrics/cpu/usage_rate`)).text).toBe(
      empty,
    );
    // An empty namespace segment is `default`, where the simulator has no pods.
    const defaultNs = await f.get(`${D}/namespaces//pod-list/${pods('ns-0')[0]!.name}/metrics/cpu/usage_rate`);
    expect(defaultNs.status).toBe(200);
    expect(defaultNs.text).toBe(empty);
  });

  it('selects memory for any metric segment but cpu, and echoes the segment as metricName', async () => {
    const node = f.collected.sim.truth.nodes[1]!;
    expect((await f.get(`${D}/nodes/${node.name}/metrics/bogus/x`)).json).toEqual({
      items: [item('bogus', node.name, node.memory.workingSetBytes)],
    });
  });

  it('returns only the last DASHBOARD_WINDOW', async () => {
    const narrow = createApp({ ...f.deps, settings: { ...f.deps.settings, dashboardWindow: 30_000 } });
    const { json } = await answer(narrow, `${D}/nodes/node-0/metrics/cpu/usage_rate`);
    expect(json.items[0].metricPoints).toEqual([
      { timestamp: T1, value: f.collected.sim.truth.nodes[0]!.cpuMillicores },
    ]);
  });

  it('rejects bad names with a 400 naming the parameter, and is absent with DASHBOARD_API=false', async () => {
    const bad = await f.get(`${D}/namespaces/ns-0/pod-list/a,b%27c/metrics/cpu/usage_rate`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('invalid parameter names');
    const off = createApp({ ...f.deps, settings: { ...f.deps.settings, dashboardApi: false } });
    expect((await off.request(`${D}/nodes/node-0/metrics/cpu/usage_rate`)).status).toBe(404);
  });
});

describe('Dashboard scraper API on hand-written points', () => {
  it('rounds CPU up to whole millicores per container before summing, as Quantity.MilliValue did', async () => {
    const client = await freshDatabase('q_dashboard_round');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const tags = (c: string) => `container_name=${c},namespace_name=default,pod_name=p,type=pod_container`;
    await writeLines(client, [
      `cpu/usage_rate,${tags('a')} value=0.2 ${SIM_START_MS}`,
      `cpu/usage_rate,${tags('b')} value=2.000001 ${SIM_START_MS}`,
      `cpu/usage_rate,${tags('c')} value=-1 ${SIM_START_MS}`,
    ]);
    const app = createApp(queryDeps(client, () => SIM_START_MS, []));
    const { json } = await answer(app, `${D}/namespaces/default/pod-list/p/metrics/cpu/usage_rate`);
    expect(json.items[0].metricPoints).toEqual([{ timestamp: T0, value: 1 + 3 + 0 }]);
  });
});
