/**
 * @module query/recommend-fold
 * Folds the right-sizing statements' answers (query/recommend-query) into workloads, by
 * workload and container name: the right-sizing rows (an edge row straight from its one string
 * field), then the raw and level points of the windows the rows do not cover. Pure.
 */
import type { QueryResult } from '#shared/influx/client';
import type { ContainerData } from '#shared/query/recommend';
import { forEachRow, num, str } from '#shared/query/rows';
import type { SamplesTail, TailContainer } from '#shared/query/recommend-samples';
import { podName } from '#shared/families/rightsizing-samples';
import {
  CURRENT_FIELDS,
  forEachBucket,
  type PackedRow,
  parseRow,
  ROW_TAGS,
  type RightsizingRow,
  splitPacked,
} from '#shared/rollup/rightsizing';

/** The name under which a namespace's bare pods are grouped (not a valid Kubernetes name: no clash). */
export const BARE_PODS = '_bare';

/** One workload's containers, by container name. */
export interface WorkloadData {
  namespace: string;
  kind: string;
  name: string;
  containers: Map<string, ContainerData>;
  /** Pods with data in the workload's latest window: its current replicas. */
  latestPods: Set<string>;
  latestWindowMs: number;
}

type Results = ReadonlyArray<QueryResult | undefined>;

/**
 * Folds the statements' results into workloads; bare pods of a namespace are one workload. With
 * `tail` (the collector's samples after the rows: query/recommend-samples), it stands for the raw
 * tail's results 7–9, folded at their places.
 */
export function foldRecommendationData(results: Results, tail?: SamplesTail): Map<string, WorkloadData> {
  const workloads = new Map<string, WorkloadData>();
  const container = (tags: Readonly<Record<string, string>>): ContainerData => {
    const w = workloadOf(workloads, tags);
    const name = tags['container_name'] ?? '';
    let c = w.containers.get(name);
    if (!c) w.containers.set(name, (c = emptyContainer(name)));
    return c;
  };
  // The right-sizing rows first: the raw tail's working set counts only for containers with CPU.
  for (const result of results.slice(10))
    forEachRow(result, ({ tags, cell }) => {
      // An edge row's tags are columns (readEdgeStatement); a span row's, its series'.
      const t = tags['container_name'] === undefined ? columnTags(cell) : tags;
      const v = cell('v');
      if (typeof v === 'string') foldPacked(container(t), workloadOf(workloads, t), splitPacked(v));
      else foldRow(container(t), workloadOf(workloads, t), parseRow(cell));
    });
  for (const result of [results[0], results[1], results[7]])
    forEachRow(result, ({ tags, cell }) => {
      const value = num(cell('value') ?? cell('mean'));
      const time = num(cell('time'));
      if (value === undefined || time === undefined) return;
      addCpuWindow(container(tags), workloadOf(workloads, tags), tags['pod_name'] ?? '', time, value);
    });
  for (const t of tail?.values() ?? [])
    if (t.pods.size > 0) foldTailCpu(t, container(t.tags), workloadOf(workloads, t.tags));
  for (const result of [results[2], results[3], results[8]])
    forEachRow(result, ({ tags, cell }) => {
      const value = num(cell('max'));
      const c = workloads.has(keyOf(tags)) ? container(tags) : undefined;
      if (value !== undefined && c) c.maxWorkingSetBytes = Math.max(c.maxWorkingSetBytes ?? 0, value);
    });
  for (const t of tail?.values() ?? [])
    if (t.wsMax !== undefined && workloads.has(keyOf(t.tags))) {
      const c = container(t.tags);
      c.maxWorkingSetBytes = Math.max(c.maxWorkingSetBytes ?? 0, t.wsMax);
    }
  forEachRow(results[4], ({ measurement, tags, cell }) => {
    const value = num(cell('last'));
    if (value !== undefined && workloads.has(keyOf(tags))) setCurrent(container(tags), measurement, value);
  });
  for (const result of [results[5], results[6], results[9]])
    forEachRow(result, ({ tags, cell }) => {
      if (workloads.has(keyOf(tags))) container(tags).oomKills += num(cell('count') ?? cell('sum')) ?? 0;
    });
  for (const t of tail?.values() ?? [])
    if (t.kills.size > 0 && workloads.has(keyOf(t.tags))) container(t.tags).oomKills += t.kills.size;
  return workloads;
}

/** A tail container's CPU windows, as the raw tail's rows of its pods (a mean: sum ÷ count). */
function foldTailCpu(t: TailContainer, c: ContainerData, w: WorkloadData): void {
  for (const [code, windows] of t.pods) {
    const pod = podName(code, t.tags['workload_name'] ?? '');
    for (let i = 0; i < windows.length; i += 3)
      addCpuWindow(c, w, pod, windows[i] as number, (windows[i + 1] as number) / (windows[i + 2] as number));
  }
}

/** One pod's mean CPU in one 5-minute window starting at `time` (ms), from raw or level points or the samples. */
function addCpuWindow(c: ContainerData, w: WorkloadData, pod: string, time: number, millicores: number): void {
  c.cpuWindows.push(millicores);
  c.pods.add(pod);
  c.firstWindowMs = Math.min(c.firstWindowMs, time);
  c.lastWindowMs = Math.max(c.lastWindowMs, time);
  noteLatest(w, pod, time);
}

function foldRow(c: ContainerData, w: WorkloadData, row: RightsizingRow): void {
  const h = (c.cpuHistogram ??= new Map());
  for (const [k, n] of row.cpu) h.set(k, (h.get(k) ?? 0) + n);
  for (const p of row.pods) c.pods.add(p);
  if (Number.isFinite(row.firstMs)) {
    c.firstWindowMs = Math.min(c.firstWindowMs, row.firstMs);
    c.lastWindowMs = Math.max(c.lastWindowMs, row.lastMs);
    for (const p of row.lastPods) noteLatest(w, p, row.lastMs);
  }
  if (row.wsMax !== undefined) c.maxWorkingSetBytes = Math.max(c.maxWorkingSetBytes ?? 0, row.wsMax);
  c.oomKills += row.oom;
  for (const [measurement, value] of Object.entries(row.current)) setCurrent(c, measurement, value);
}

/** ContainerData's field for each request and limit measurement. */
const CURRENT_OF: Readonly<Record<string, 'cpuRequest' | 'cpuLimit' | 'memoryRequest' | 'memoryLimit'>> = {
  'cpu/request': 'cpuRequest',
  'cpu/limit': 'cpuLimit',
  'memory/request': 'memoryRequest',
  'memory/limit': 'memoryLimit',
};

/** Rows come oldest first (the statements follow time): the later ones' requests and limits win. */
function setCurrent(c: ContainerData, measurement: string, value: number): void {
  const field = CURRENT_OF[measurement];
  if (field) c[field] = value;
}

/** foldRow for an edge row, straight from its strings: the cluster-wide route folds ~36,000. */
function foldPacked(c: ContainerData, w: WorkloadData, p: PackedRow): void {
  const h = (c.cpuHistogram ??= new Map());
  forEachBucket(p.cpu, (k, n) => h.set(k, (h.get(k) ?? 0) + n));
  forEachWord(p.pods, (pod) => c.pods.add(pod));
  const n = p.numbers;
  const [first, last] = [n['first'], n['last']];
  if (first !== undefined && last !== undefined) {
    c.firstWindowMs = Math.min(c.firstWindowMs, first);
    c.lastWindowMs = Math.max(c.lastWindowMs, last);
    forEachWord(p.lastPods, (pod) => noteLatest(w, pod, last));
  }
  if (n['ws_max'] !== undefined) c.maxWorkingSetBytes = Math.max(c.maxWorkingSetBytes ?? 0, n['ws_max']);
  c.oomKills += n['oom'] ?? 0;
  for (const [measurement, field] of Object.entries(CURRENT_FIELDS)) {
    const value = n[field];
    if (value !== undefined) setCurrent(c, measurement, value);
  }
}

/** Each space-separated word of `text` (pod names hold no spaces). */
function forEachWord(text: string, visit: (word: string) => void): void {
  for (let i = 0; i < text.length; ) {
    let j = text.indexOf(' ', i);
    if (j < 0) j = text.length;
    if (j > i) visit(text.slice(i, j));
    i = j + 1;
  }
}

function columnTags(cell: (column: string) => unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of ROW_TAGS) if (typeof cell(t) === 'string') out[t] = cell(t) as string;
  return out;
}

function keyOf(tags: Readonly<Record<string, string>>): string {
  const kind = str(tags['workload_kind']);
  const name = kind === 'Pod' ? BARE_PODS : str(tags['workload_name']);
  return `${str(tags['namespace_name'])}\u0000${kind}\u0000${name}`;
}

function workloadOf(workloads: Map<string, WorkloadData>, tags: Readonly<Record<string, string>>): WorkloadData {
  const key = keyOf(tags);
  let w = workloads.get(key);
  if (!w) {
    const [namespace = '', kind = '', name = ''] = key.split('\u0000');
    w = { namespace, kind, name, containers: new Map(), latestPods: new Set(), latestWindowMs: -Infinity };
    workloads.set(key, w);
  }
  return w;
}

function noteLatest(w: WorkloadData, pod: string, time: number): void {
  if (time > w.latestWindowMs) {
    w.latestWindowMs = time;
    w.latestPods = new Set([pod]);
  } else if (time === w.latestWindowMs) w.latestPods.add(pod);
}

function emptyContainer(name: string): ContainerData {
  return {
    name,
    cpuWindows: [],
    pods: new Set(),
    firstWindowMs: Infinity,
    lastWindowMs: -Infinity,
    maxWorkingSetBytes: undefined,
    oomKills: 0,
  };
}
