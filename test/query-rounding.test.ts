/**
 * The model API rounds each value to what its unit can mean, against a real influxd holding
 * values with binary float noise (a sum of shard partials, a rollup's mean, a kubelet ratio):
 * CPU to the nanocore, bytes and counts whole, ratios to a millionth, PSI percents to the
 * kernel's two decimals, rates to a thousandth, anything else to 15 significant digits.
 */
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { anyDayStartMs } from '#test/helpers/any-day';
import { freshDatabase, rows, writeLines } from '#test/helpers/influx';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { placesOf, rounderOf } from '#shared/query/round';
import type { InfluxClient } from '#shared/influx/client';
import { createApp } from '../functions/query/app';

const T = anyDayStartMs();
const M = '/api/v1/model';
const POD = 'type=pod,namespace_name=ns,pod_name=p';
let client: InfluxClient;
let app: Hono;

/** [measurement, tags, stored value, the answer's value]. */
const CASES: Array<[string, string, number, number]> = [
  // The issue's value: a cluster sum of nodes' usage.
  ['cpu/usage_rate', 'type=cluster', 1683.0819029999998, 1683.081903],
  ['memory/working_set', POD, 209715.2, 209715],
  ['memory/node_capacity', 'type=node,nodename=n', 8589934591.999999, 8589934592],
  ['cpu/node_utilization', 'type=node,nodename=n', 0.06710526315789474, 0.067105],
  ['memory/psi_some_avg10', POD, 1.2300000000000002, 1.23],
  ['network/rx_rate', POD, 1234.5678912, 1234.568],
  ['custom/queue_depth', 'type=pod_container,namespace_name=ns,pod_name=p,container_name=c', 0.30000000000000004, 0.3],
];

beforeAll(async () => {
  client = await freshDatabase('q_rounding');
  await client.ensureDatabase('INF');
  await writeLines(
    client,
    CASES.map(([m, tags, v]) => `${m},${tags} value=${v} ${T}`),
  );
  // Two shards' partial sums of a namespace: 0.1 + 0.2 is 0.30000000000000004 in binary.
  await writeLines(client, [
    `cpu/usage_rate,type=ns,namespace_name=ns,shard=0 value=0.1 ${T}`,
    `cpu/usage_rate,type=ns,namespace_name=ns,shard=1 value=0.2 ${T}`,
  ]);
  app = createApp(queryDeps(client, () => T + 60_000, []));
});

const path: Record<string, string> = {
  cluster: M,
  pod: `${M}/namespaces/ns/pods/p`,
  node: `${M}/nodes/n`,
  pod_container: `${M}/namespaces/ns/pods/p/containers/c`,
};

describe('model API values', () => {
  it.each(CASES)('%s (%s) stored as %d answers %d', async (metric, tags, stored, want) => {
    const type = /type=([a-z_]+)/.exec(tags)?.[1] as string;
    const kept = await rows(client, `SELECT "value" FROM "${metric}" WHERE "type" = '${type}'`);
    expect(kept.map((r) => r['value'])).toEqual([stored]);
    const r = await answer(app, `${path[type]}/metrics/${metric}`);
    // Before the fix: the stored float, noise and all.
    expect(r.json.metrics.map((p: { value: number }) => p.value)).toEqual([want]);
  });

  it('a pod list rounds too', async () => {
    const r = await answer(app, `${M}/namespaces/ns/pod-list/p/metrics/memory/working_set`);
    expect(r.json.items[0].metrics[0].value).toBe(209715);
  });

  it('a namespace summed over shards is 0.3 millicores, not 0.30000000000000004', async () => {
    const r = await answer(app, `${M}/namespaces/ns/metrics/cpu/usage_rate`);
    expect(r.json.metrics.map((p: { value: number }) => p.value)).toEqual([0.3]);
  });
});

describe('places by unit', () => {
  it.each([
    ['cpu/usage_rate', 6],
    ['memory/usage', 0],
    ['uptime', 0],
    ['restart_count', 0],
    ['cpu/node_reservation', 6],
    ['io/psi_full_avg300', 2],
    ['cpu/psi_some_rate', 3],
    ['memory/page_faults_rate', 3],
    ['custom/anything', undefined],
    ['nvidia.com/gpu/request', undefined],
  ] as const)('%s: %s', (metric, places) => {
    expect(placesOf(metric)).toBe(places);
  });

  it('a value of the unit’s own precision is kept exactly (nanocores ÷ 1e6)', () => {
    const round = rounderOf('cpu/usage_rate');
    for (const nanocores of [1, 487_558_164, 1_683_081_903, 999_999_999_999])
      expect(round(nanocores / 1e6)).toBe(nanocores / 1e6);
  });
});
