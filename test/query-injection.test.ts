/**
 * @module query-injection.test
 * Hostile values in every path and query parameter of every route: quotes, backslashes, `;`,
 * newlines, regex metacharacters, very long values. Each is rejected (400 naming the parameter)
 * or behaves exactly like a name that does not exist — never an InfluxQL error, never a 5xx. And
 * below validation, the statement builders alone keep the same payloads inert in a real influxd.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer, queryFixture, type Answer, type QueryFixture } from '#test/helpers/query-fixture';
import type { QueryResult } from '#shared/influx/client';
import { usageScope, nodeUsageStatement, podUsageStatement } from '#shared/query/usage-query';
import {
  childNamesStatement,
  metricNamesStatement,
  metricStatement,
  podListStatement,
} from '#shared/query/model-query';
import { nodesStatement, podsStatement } from '#shared/query/dashboard-query';
import { createApp } from '../functions/query/app';

const PAYLOADS = [
  "x'y",
  'x"y',
  'x\\y',
  'x\\',
  "x';DROP DATABASE k8s",
  'x;DROP MEASUREMENT "cpu/usage_rate"',
  'x\ny',
  'x\r\n\ty',
  '.*',
  'x|y',
  '^(?:a)$',
  '/.*/',
  'x/y',
  "' OR ''='",
  "x') OR ('1'='1",
  'x\u0000y',
  'ü',
  '$(id)',
  '%',
  'a'.repeat(5_000),
];

/** `{x}` marks the slot the payload goes into (URL-encoded). */
const SLOTS = [
  '/apis/metrics.k8s.io/v1beta1/nodes/{x}',
  '/apis/metrics.k8s.io/v1beta1/namespaces/{x}/pods',
  '/apis/metrics.k8s.io/v1beta1/namespaces/{x}/pods/pod-0-0',
  '/apis/metrics.k8s.io/v1beta1/namespaces/ns-0/pods/{x}',
  '/apis/metrics.k8s.io/v1beta1/pods?labelSelector={x}',
  '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3D{x}',
  '/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%20in%20({x})',
  '/apis/metrics.k8s.io/v1beta1/nodes?labelSelector={x}%3Dv',
  '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector={x}',
  '/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3D{x}',
  '/apis/metrics.k8s.io/v1beta1/namespaces/ns-0/pods?fieldSelector=spec.nodeName%3D{x}',
  '/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name%3D%3D{x}',
  '/api/v1/model/metrics/{x}',
  '/api/v1/model/nodes/{x}/metrics',
  '/api/v1/model/nodes/{x}/metrics/cpu/usage_rate',
  '/api/v1/model/nodes/node-0/metrics/{x}',
  '/api/v1/model/nodes/node-0/metrics/cpu/usage_rate?start={x}',
  '/api/v1/model/nodes/node-0/metrics/cpu/usage_rate?end={x}',
  '/api/v1/model/nodes/node-0/metrics/filesystem/usage?labels={x}',
  '/api/v1/model/nodes/node-0/metrics/filesystem/usage?labels=resource_id:{x}',
  '/api/v1/model/nodes/{x}/freecontainers',
  '/api/v1/model/nodes/node-0/freecontainers/{x}/metrics',
  '/api/v1/model/nodes/node-0/freecontainers/{x}/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/{x}/metrics',
  '/api/v1/model/namespaces/{x}/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/{x}/pods',
  '/api/v1/model/namespaces/ns-0/pods/{x}/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/ns-0/pods/{x}/containers',
  '/api/v1/model/namespaces/ns-0/pods/pod-0-0/containers/{x}/metrics',
  '/api/v1/model/namespaces/ns-0/pods/pod-0-0/containers/{x}/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/{x}/pod-list/pod-0-0/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/ns-0/pod-list/pod-0-0,{x}/metrics/cpu/usage_rate',
  '/api/v1/model/namespaces/ns-0/pod-list/pod-0-0/metrics/{x}',
  '/api/v1/dashboard/nodes/{x}/metrics/cpu/usage_rate',
  '/api/v1/dashboard/nodes/node-0,{x}/metrics/cpu/usage_rate',
  '/api/v1/dashboard/nodes/node-0/metrics/cpu/{x}',
  '/api/v1/dashboard/namespaces/{x}/pod-list/pod-0-0/metrics/cpu/usage_rate',
  '/api/v1/dashboard/namespaces/ns-0/pod-list/{x}/metrics/memory/usage',
];
const NO_ROUTE = '{"error":"the server could not find the requested resource"}';
/** Stands for "a name that does not exist": a hostile value may do no more than this. */
const ABSENT = 'zz-absent';

let f: QueryFixture;
const influxErrors: string[] = [];
let get: (path: string) => Promise<Answer>;

beforeAll(async () => {
  f = await queryFixture('q_injection', { sim: { nodes: 2, podsPerNode: 2 } });
  const client = f.collected.client;
  // Every statement the routes send goes through this spy, which keeps InfluxDB's complaints.
  const influx = {
    ping: () => client.ping(),
    query: async (q: string): Promise<QueryResult[]> => {
      try {
        return await client.query(q);
      } catch (err) {
        influxErrors.push(`${(err as Error).message} <- ${q.slice(0, 300)}`);
        throw err;
      }
    },
  };
  const app = createApp({ ...f.deps, influx });
  get = (path) => answer(app, path);
});
afterAll(() => f?.stop());

const fill = (slot: string, value: string) => slot.replace('{x}', encodeURIComponent(value));

describe('hostile request values', () => {
  it.each(SLOTS)(
    '%s: every payload is a 400 naming the parameter, or the same answer as an absent name',
    async (slot) => {
      const baseline = await get(fill(slot, ABSENT));
      expect(baseline.status, `baseline ${slot}`).toBeLessThan(500);
      for (const payload of PAYLOADS) {
        const a = await get(fill(slot, payload));
        const label = `${slot} with ${JSON.stringify(payload.slice(0, 40))}`;
        expect([200, 400, 404], label).toContain(a.status);
        if (a.status === 404 && a.text === NO_ROUTE) {
          // The router itself refused it (a metric segment `.+` does not span a newline).
        } else if (a.status === 400) {
          expect(a.text, label).toMatch(
            /invalid parameter (name|namespace|node|container|pod|pods|names|metric|whatever|labelSelector|fieldSelector|start|end|labels)\b/,
          );
          expect(a.text, label).not.toContain(payload.length > 3 ? payload : '\u0001');
        } else if (slot.includes('/dashboard/nodes/node-0/metrics/cpu/')) {
          expect(a.json, label).toEqual(baseline.json);
        } else {
          // A name that happens to be valid (x/y as a metric, ü nowhere) finds nothing, like ABSENT.
          expect(a.text.replaceAll(JSON.stringify(payload).slice(1, -1), ABSENT), label).toBe(baseline.text);
        }
      }
    },
  );

  it('never produced an InfluxQL error, a 5xx or a failure above warn level, and the data is intact', async () => {
    expect(influxErrors).toEqual([]);
    expect(f.logs.filter((l) => l['level'] === 'error')).toEqual([]);
    expect(((await get('/apis/metrics.k8s.io/v1beta1/nodes')).json.items as unknown[]).length).toBe(2);
    expect((await get('/api/v1/model/nodes/node-0/metrics/cpu/usage_rate')).json.metrics).toHaveLength(2);
  });
});

describe('statement builders alone, without validation', () => {
  // Control characters cannot be written in InfluxQL at all: its reader turns \r into \n, and
  // quoted identifiers and regexes end at a newline. Validation keeps them out (tests above).
  const printable = PAYLOADS.filter((x) => !/[\x00-\x1f]/.test(x));

  it('keep every printable payload a quoted value or identifier: influxd parses each statement and finds nothing', async () => {
    const scope = usageScope(f.collected.sim.clock.nowMs(), 60_000, undefined);
    const range = { clusterName: undefined, startMs: scope.endMs - 3_600_000, endMs: scope.endMs };
    expect(printable.length).toBeGreaterThan(12);
    for (const p of printable) {
      const statements = [
        nodeUsageStatement([{ tag: 'nodename', negated: false, value: p }], scope),
        podUsageStatement(
          [
            { tag: 'pod_name', negated: false, value: p },
            { tag: p, negated: true, value: p },
          ],
          { ...scope, clusterName: p },
        ),
        metricNamesStatement({ type: 'node', nodename: p }, p),
        metricStatement({ type: 'pod', namespace_name: p, pod_name: p }, p, { resource_id: p }, range),
        metricStatement({ type: 'node', nodename: 'node-0' }, 'cpu/usage_rate', { [p]: p }, range),
        podListStatement(p, [p, 'pod-0-0x', p], 'cpu/usage_rate', {}, range),
        childNamesStatement('pod', { namespace_name: p }, 'pod_name', scope),
        nodesStatement([p, p + p], 'cpu', range),
        podsStatement(p, [p], 'memory', range),
      ];
      for (const q of statements) {
        const results = await f.collected.client.query(q);
        expect(
          results.flatMap((r) => r.series ?? []),
          q.slice(0, 200),
        ).toEqual([]);
      }
    }
  });
});
