/**
 * @module bench/recommend-history
 * The history bench/recommend.ts reads, written quickly straight into InfluxDB: workloads are
 * Deployments of 10 pods spread over 10 namespaces, 2 containers a pod; either the rollup's
 * right-sizing rows (`rows`) or every container's 5-minute rollups (`level`), plus each
 * container's current requests and limits as raw points.
 */
import {
  addCpu,
  addWorkingSet,
  emptyRow,
  mergeRow,
  type RightsizingRow,
  packRow,
  rowFields,
  SPAN_MS,
  SPANS,
  type Span,
} from '#shared/rollup/rightsizing';
import {
  cover,
  EDGES,
  type Edge,
  type Kind,
  PARENT_MS,
  PARENT_OF,
  type Parent,
} from '#shared/rollup/rightsizing-edges';
import { quoteString } from '#shared/encode/escape';
import { InfluxClient } from '#shared/influx/client';

export const WINDOW_MS = 300_000;
const REPLICAS = 10;
export const CONTAINERS = ['app', 'sidecar'];
const LINES_PER_WRITE = 50_000;

/** The options every right-sizing bench takes: `--nodes`, `--pods`, `--hours` (and `extra`). */
export const SHAPE_OPTIONS = {
  nodes: { type: 'string', default: '1000' },
  pods: { type: 'string', default: '30' },
  hours: { type: 'string', default: '168' },
} as const;

/** The cluster and history a bench's parsed `--nodes`, `--pods` and `--hours` describe. */
export function shapeOf(values: { nodes: string; pods: string; hours: string }): Shape {
  return {
    nodes: Number(values.nodes),
    podsPerNode: Number(values.pods),
    windows: Math.round((Number(values.hours) * 3_600_000) / WINDOW_MS),
  };
}

export interface Shape {
  nodes: number;
  podsPerNode: number;
  /** 5-minute windows of history, ending at `endMs`. */
  windows: number;
}

export interface Pod {
  node: string;
  ns: string;
  name: string;
  workload: string;
}

export function pods(s: Shape): Pod[] {
  return Array.from({ length: s.nodes * s.podsPerNode }, (_, i) => {
    const w = Math.floor(i / REPLICAS);
    return { node: `node-${i % s.nodes}`, ns: `ns-${w % 10}`, name: `web-${w}-${i % REPLICAS}`, workload: `web-${w}` };
  });
}

const tags = (p: Pod, c: string): string =>
  `container_name=${c},namespace_name=${p.ns},nodename=${p.node},pod_name=${p.name},type=pod_container,workload_kind=Deployment,workload_name=${p.workload}`;

export async function write(url: string, db: string, rp: string, lines: string[]): Promise<void> {
  const res = await fetch(`${url}/write?db=${db}&rp=${rp}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204) throw new Error(`write to ${rp} failed: HTTP ${res.status} ${await res.text()}`);
}

/** Lines into `heapless_5m`, `size` to a request; `done()` writes the rest and counts them all. */
function levelWriter(url: string, db: string, size: number) {
  let batch: string[] = [];
  let points = 0;
  const flush = async (): Promise<void> => {
    if (batch.length) await write(url, db, 'heapless_5m', batch);
    points += batch.length;
    batch = [];
  };
  return {
    push: async (line: string): Promise<void> => {
      batch.push(line);
      if (batch.length >= size) await flush();
    },
    done: async (): Promise<number> => {
      await flush();
      return points;
    },
  };
}

export const cpuOf = (i: number, j: number, k: number, t: number): number =>
  20 + 10 * j + ((i * 7 + k * 13) % 50) + 15 * Math.sin((2 * Math.PI * t) / 86_400_000);
export const wsOf = (i: number, j: number, k: number): number => (64 + 32 * j + ((i + k) % 64)) * 1_048_576 + 4_194_304;

/** Window by window, so influxd's cache takes the points in time order, as the rollup writes them. */
export async function writeLevel(url: string, db: string, s: Shape, endMs: number): Promise<number> {
  const all = pods(s);
  const out = levelWriter(url, db, LINES_PER_WRITE);
  for (let k = s.windows; k >= 1; k--) {
    const t = endMs - k * WINDOW_MS;
    for (const [i, p] of all.entries())
      for (const [j, c] of CONTAINERS.entries()) {
        const cpu = cpuOf(i, j, k, t);
        const ws = wsOf(i, j, k) - 4_194_304;
        await out.push(
          `cpu/usage_rate,${tags(p, c)} value=${cpu.toFixed(3)},value_max=${(cpu * 1.5).toFixed(3)},value_count=5i ${t}`,
        );
        await out.push(
          `memory/working_set,${tags(p, c)} value=${ws}i,value_max=${ws + 4_194_304}i,value_count=5i ${t}`,
        );
      }
  }
  await write(
    url,
    db,
    'heapless_5m',
    ['cpu/usage_rate', 'memory/working_set'].map(
      (m) => `heapless_rollup,level=5m,measurement=${m} done=${endMs}i ${endMs}`,
    ),
  );
  return out.done();
}

const CURRENT = { 'cpu/request': 250, 'cpu/limit': 1000, 'memory/request': 268435456, 'memory/limit': 536870912 };

/** The interval of history a row of `kind` at `timeMs` holds. */
function held(kind: Kind, timeMs: number): [number, number] {
  const [parent, side] = kind.split('-') as [Parent, string];
  const p = PARENT_MS[parent];
  const start = Math.floor(timeMs / p) * p;
  return side === 'head' ? [start, timeMs + SPAN_MS[childOf(parent)]] : [timeMs, start + p];
}

/** How far each kind of row is done at `endMs`, and where the edge rows begin (as if kept all along: the history before is empty). */
export function benchReach(s: Shape, endMs: number): { done: Partial<Record<Kind, number>>; edgeFrom: number } {
  const done: Partial<Record<Kind, number>> = { '5m': endMs };
  for (const k of [...SPANS.slice(1), ...EDGES]) {
    const [parent, side] = k.split('-') as [Parent, string | undefined];
    const w = side === 'head' ? SPAN_MS[childOf(parent)] : (PARENT_MS[parent] ?? SPAN_MS[k as Span]);
    done[k] = Math.floor(endMs / w) * w;
  }
  const startMs = endMs - s.windows * WINDOW_MS;
  return { done, edgeFrom: Math.floor(startMs / PARENT_MS['7d']) * PARENT_MS['7d'] };
}

const childOf = (parent: Parent): Span =>
  (Object.entries(PARENT_OF).find(([, v]) => v === parent)?.[0] ?? '5m') as Span;

/**
 * The rollup's right-sizing rows of the same history (rollup/rightsizing, rollup/rightsizing-edges):
 * the day and hour rows of every workload container, the 5-minute rows of the first and last hour,
 * and the edge rows a route over the whole history reads (the rollup writes one of each kind at
 * every window; only those read are written here). Built from the same per-(pod, window) values as
 * writeLevel.
 */
export async function writeRows(url: string, db: string, s: Shape, endMs: number, withEdges = true): Promise<number> {
  const all = pods(s);
  const line = (w: Pod, c: string, span: string, t: number, row: RightsizingRow): string => {
    const f = (EDGES.includes(span as Edge) ? Object.entries({ v: packRow(row) }) : Object.entries(rowFields(row))).map(
      ([k, v]) =>
        `${k}=${typeof v === 'string' ? quoteString(v) : k.endsWith('_request') || k.endsWith('_limit') ? v : `${v}i`}`,
    );
    return `heapless_rightsizing,container_name=${c},namespace_name=${w.ns},span=${span},workload_kind=Deployment,workload_name=${w.workload} ${f.join(',')} ${t}`;
  };
  const startMs = endMs - s.windows * WINDOW_MS;
  const { done, edgeFrom } = benchReach(s, endMs);
  const reach = { done, from: Object.fromEntries(EDGES.map((k) => [k, edgeFrom])) };
  const read = withEdges ? cover(startMs, endMs, reach).filter((g) => EDGES.includes(g.kind as Edge)) : [];
  // Day rows are long (every pod's name, the histogram): influxd refuses bodies over 25 MB.
  const out = levelWriter(url, db, LINES_PER_WRITE / 10);
  for (let w = 0; w * REPLICAS < all.length; w++) {
    const members = all.slice(w * REPLICAS, (w + 1) * REPLICAS);
    for (const [j, c] of CONTAINERS.entries()) {
      let day: RightsizingRow | undefined;
      let hour: RightsizingRow | undefined;
      const edges = read.map((g) => ({ g, range: held(g.kind, g.fromMs), row: emptyRow() }));
      for (let k = s.windows; k >= 1; k--) {
        const t = endMs - k * WINDOW_MS;
        const five = emptyRow();
        for (const [r, p] of members.entries()) {
          addCpu(five, p.name, t, cpuOf(w * REPLICAS + r, j, k, t));
          addWorkingSet(five, wsOf(w * REPLICAS + r, j, k));
        }
        // The current requests and limits, as writeCurrent writes them raw.
        Object.assign(five.current, CURRENT);
        if (t < startMs + 3_600_000 || t >= Math.floor(endMs / 3_600_000) * 3_600_000)
          await out.push(line(members[0]!, c, '5m', t, five));
        for (const e of edges) if (t >= e.range[0] && t < e.range[1]) mergeRow(e.row, five);
        mergeRow((hour ??= emptyRow()), five);
        mergeRow((day ??= emptyRow()), five);
        const next = t + WINDOW_MS;
        if (next % 3_600_000 === 0) {
          await out.push(line(members[0]!, c, '1h', next - 3_600_000, hour));
          hour = undefined;
        }
        if (next % 86_400_000 === 0) {
          await out.push(line(members[0]!, c, '1d', next - 86_400_000, day));
          day = undefined;
        }
      }
      for (const e of edges) await out.push(line(members[0]!, c, e.g.kind, e.g.fromMs, e.row));
    }
  }
  const points = await out.done();
  const progress = [
    ...Object.entries(done)
      .filter(([k]) => withEdges || (SPANS as string[]).includes(k))
      .map(
        ([span, ms]) =>
          `heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/${span} done=${ms}i ${endMs}`,
      ),
    ...(withEdges ? EDGES : []).map(
      (k) => `heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/${k}/from done=${edgeFrom}i ${endMs}`,
    ),
    `heapless_rollup,level=rightsizing,measurement=heapless_rightsizing/from done=${startMs}i ${endMs}`,
  ];
  await write(url, db, 'heapless_5m', progress);
  return points;
}

/**
 * Every container's current requests and limits, and its CPU and working set, raw, a minute before
 * the end: the routes' raw reads after the rows end pay for every series, not for the points.
 */
export async function writeCurrent(url: string, db: string, s: Shape, endMs: number): Promise<void> {
  const lines = pods(s).flatMap((p, i) =>
    CONTAINERS.flatMap((c, j) => [
      ...Object.entries(CURRENT).map(([m, v]) => `${m},${tags(p, c)} value=${v} ${endMs - 60_000}`),
      `cpu/usage_rate,${tags(p, c)} value=${cpuOf(i, j, 0, endMs).toFixed(3)} ${endMs - 60_000}`,
      `memory/working_set,${tags(p, c)} value=${wsOf(i, j, 0)}i ${endMs - 60_000}`,
    ]),
  );
  for (let i = 0; i < lines.length; i += LINES_PER_WRITE)
    await write(url, db, 'heapless', lines.slice(i, i + LINES_PER_WRITE));
}

/** A fresh database as the collector and the rollup make it: raw points 7 days, the 5-minute level 30. */
export async function benchDatabase(url: string, db: string): Promise<InfluxClient> {
  const client = new InfluxClient({ url, db, auth: {}, timeoutMs: 600_000 });
  await client.query(`CREATE DATABASE ${db} WITH DURATION 7d NAME heapless`, { db: null });
  await client.query(`CREATE RETENTION POLICY heapless_5m ON ${db} DURATION 30d REPLICATION 1`, { db: null });
  return client;
}
