/**
 * @module query/routes/ui-usage
 * The page's latest numbers, from the same source as `kubectl top`: node and pod usage from the
 * collector's usage snapshots (the metrics.k8s.io lists' reads, so the page and kubectl agree by
 * construction), as exact integers (CPU in nanocores, memory working set in bytes); and the
 * workloads' latest sums (usage, requests, limits), shard partial sums added per interval; and
 * the cluster's working set over a range (heapster's schema has no cluster series of it: the
 * nodes' working sets are added per timestamp, at the range's resolution).
 * Under /api/, so the guard checks them as the model API (MODEL_AUTH): `/api/v1/ui/nodes` is a
 * `list nodes`, `/api/v1/ui/pods`, `/api/v1/ui/workloads` and `/api/v1/ui/cluster/…` a `list pods`
 * in every namespace (as the model API's cluster series),
 * `/api/v1/ui/namespaces/{ns}/…` a `list pods` in that namespace.
 */
import { Hono, type Context } from 'hono';
import { ident } from '#shared/influx/influxql';
import type { TagPredicate } from '#shared/query/field-selector';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { metricPointsAnswer } from '#shared/query/model-points';
import { forEachRow, num } from '#shared/query/rows';
import {
  foldNodes,
  foldPods,
  nodeUsageStatement,
  podUsageStatement,
  usageScope,
  type Usage,
} from '#shared/query/usage-query';
import { foldSnapshotNodes, foldSnapshotPods, snapshotStatement } from '#shared/query/usage-snapshot-query';
import { objectName } from '#shared/query/validate';
import { from, idents, tagEquals, where, type Scope } from '#shared/query/where';

const BASE = '/api/v1/ui';
const WORKING_SET = 'memory/working_set';

/** As metrics.k8s.io serves them: nanocores rounded (format.cpuQuantity), whole bytes. */
export interface UiUsage {
  cpuNanocores: number;
  memoryBytes: number;
}

/** The workload columns the page shows, latest value each (millicores, bytes). */
const WORKLOAD_MEASUREMENTS = [
  'cpu/usage_rate',
  'cpu/request',
  'cpu/limit',
  'memory/working_set',
  'memory/request',
  'memory/limit',
] as const;

export function uiUsageRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.get(`${BASE}/nodes`, (c) => nodes(c, deps));
  app.get(`${BASE}/pods`, (c) => pods(c, deps, undefined));
  app.get(`${BASE}/namespaces/:namespace/pods`, (c) =>
    pods(c, deps, objectName('namespace', c.req.param('namespace'))),
  );
  app.get(`${BASE}/workloads`, (c) => workloads(c, deps, undefined));
  app.get(`${BASE}/namespaces/:namespace/workloads`, (c) =>
    workloads(c, deps, objectName('namespace', c.req.param('namespace'))),
  );
  app.get(`${BASE}/cluster/metrics/${WORKING_SET}`, (c) =>
    // One run stamps every node alike (whole seconds), a rollup level every window: summed per timestamp.
    metricPointsAnswer(
      c,
      deps,
      'node',
      WORKING_SET,
      (s) =>
        `SELECT sum(${ident('value')}) AS ${ident('value')} FROM ${from(WORKING_SET, s)} ${where('node', [], s)} GROUP BY time(1s) fill(none)`,
    ),
  );
  return app;
}

function recent(deps: QueryDeps): Scope {
  return usageScope(deps.now(), deps.settings.interval, deps.settings.clusterName);
}

/** undefined when a reading is missing: metrics-server omits such an object, so kubectl does too. */
function exact(u: Usage): UiUsage | undefined {
  if (!u.cpu || !u.memory) return undefined;
  return {
    cpuNanocores: Math.max(0, Math.round(u.cpu.value * 1e6)),
    memoryBytes: Math.max(0, Math.round(u.memory.value)),
  };
}

/** The node columns beside usage: the latest of each (millicores, bytes). */
const NODE_MEASUREMENTS = ['cpu/request', 'cpu/node_allocatable', 'memory/request', 'memory/node_allocatable'] as const;

/** Every node with kubectl's usage (nodes without are left out, as kubectl does), its requests and allocatable. */
async function nodes(c: Context, deps: QueryDeps): Promise<Response> {
  const scope = recent(deps);
  const read =
    foldSnapshotNodes(await runStatement(c, deps, snapshotStatement('nodes', [], scope))) ??
    foldNodes(await runStatement(c, deps, nodeUsageStatement([], scope)));
  const statement = `SELECT last(${ident('value')}) FROM ${idents(NODE_MEASUREMENTS)} ${where('node', [], scope)} GROUP BY ${ident('nodename')}`;
  const other = new Map<string, number>();
  forEachRow(await runStatement(c, deps, statement), ({ measurement, tags, cell }) => {
    const value = num(cell('last'));
    if (value !== undefined) other.set(`${tags['nodename']}\n${measurement}`, value);
  });
  const items = read.flatMap((n) => {
    const u = exact(n);
    const v = (m: string): number | null => other.get(`${n.name}\n${m}`) ?? null;
    if (!u) return [];
    return [
      {
        name: n.name,
        ...u,
        cpu: { request: v('cpu/request'), allocatable: v('cpu/node_allocatable') },
        memory: { request: v('memory/request'), allocatable: v('memory/node_allocatable') },
      },
    ];
  });
  return c.json({ items: items.sort((a, b) => a.name.localeCompare(b.name)) });
}

/** `?node=` narrows to the pods of one node (the node view). */
async function pods(c: Context, deps: QueryDeps, namespace: string | undefined): Promise<Response> {
  const node = c.req.query('node');
  const predicates: TagPredicate[] = [];
  if (namespace !== undefined) predicates.push({ tag: 'namespace_name', negated: false, value: namespace });
  if (node !== undefined) predicates.push({ tag: 'nodename', negated: false, value: objectName('node', node) });
  const scope = recent(deps);
  const nodeOnly = predicates.filter((p) => p.tag === 'nodename');
  const read =
    foldSnapshotPods(await runStatement(c, deps, snapshotStatement('pods', nodeOnly, scope)), predicates) ??
    foldPods(await runStatement(c, deps, podUsageStatement(predicates, scope)));
  const items = read.flatMap((p) => {
    const containers = [...p.containers].map(([name, u]) => ({ name, usage: exact(u) }));
    // metrics-server serves a pod only when every container has both readings.
    if (containers.length === 0 || containers.some((x) => !x.usage)) return [];
    return [
      { namespace: p.namespace, name: p.name, containers: containers.sort((a, b) => a.name.localeCompare(b.name)) },
    ];
  });
  return c.json({ items });
}

interface WorkloadRow {
  namespace: string;
  kind: string;
  name: string;
  /** measurement → [bucket time, sum]; the latest bucket wins. */
  latest: Map<string, [number, number]>;
}

/**
 * One statement: each measurement's sum per collection interval and workload (a sharded
 * collector writes one partial sum per shard, tagged `shard`, for the same interval), then the
 * latest interval per workload and measurement.
 */
async function workloads(c: Context, deps: QueryDeps, namespace: string | undefined): Promise<Response> {
  const scope = recent(deps);
  const conditions = namespace === undefined ? [] : [tagEquals('namespace_name', namespace)];
  const group = idents(['namespace_name', 'workload_kind', 'workload_name']);
  const statement =
    `SELECT sum(${ident('value')}) FROM ${idents(WORKLOAD_MEASUREMENTS)} ${where('workload', conditions, scope)}` +
    ` GROUP BY time(${deps.settings.interval}ms), ${group} fill(none)`;
  const rows = new Map<string, WorkloadRow>();
  forEachRow(await runStatement(c, deps, statement), ({ measurement, tags, cell }) => {
    const time = num(cell('time'));
    const value = num(cell('sum'));
    if (time === undefined || value === undefined) return;
    const key = [tags['namespace_name'], tags['workload_kind'], tags['workload_name']].join('/');
    let row = rows.get(key);
    if (!row) {
      row = {
        namespace: tags['namespace_name'] ?? '',
        kind: tags['workload_kind'] ?? '',
        name: tags['workload_name'] ?? '',
        latest: new Map(),
      };
      rows.set(key, row);
    }
    const seen = row.latest.get(measurement);
    if (!seen || seen[0] < time) row.latest.set(measurement, [time, value]);
  });
  const items = [...rows.values()].map((r) => {
    const v = (m: string): number | null => r.latest.get(m)?.[1] ?? null;
    return {
      namespace: r.namespace,
      kind: r.kind,
      name: r.name,
      cpu: { usage: v('cpu/usage_rate'), request: v('cpu/request'), limit: v('cpu/limit') },
      memory: { usage: v('memory/working_set'), request: v('memory/request'), limit: v('memory/limit') },
    };
  });
  return c.json({ items });
}
