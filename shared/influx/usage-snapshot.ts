/**
 * @module influx/usage-snapshot
 * What metrics.k8s.io serves, one point per node per run (measurement `heapless_usage`, tags
 * `bucket` and `nodename`): the node's CPU (millicores) and working set (bytes) as plain fields,
 * and every pod's containers as packed JSON (influx/packed-fields). Listing 30,000 pods then
 * reads about one row per node instead of two points per container over 60,000 series.
 *
 * The values are exactly those of the `cpu/usage_rate` and `memory/working_set` points of the
 * same run (integers rounded as line protocol writes them), so either source answers alike.
 */
import { familyIndex } from '#shared/derive/series';
import { Samples } from '#shared/derive/samples';
import type { NodeBatch, Series } from '#shared/derive/types';
import type { Family } from '#shared/families/family';
import { escapeTag, quoteString } from '#shared/encode/escape';
import { fieldValue } from '#shared/encode/line-protocol';
import { packFields, unpackFields } from '#shared/influx/packed-fields';

export const USAGE_MEASUREMENT = 'heapless_usage';
const CPU = 'cpu/usage_rate';
const MEMORY = 'memory/working_set';
/** Bumped when the packed shape changes; readers skip versions they do not know. */
const VERSION = 1;

/** [container name, millicores or null, bytes or null] */
export type ContainerUsage = [string, number | null, number | null];
/** [namespace, pod name, `labels` tag (derive/tags labelsTag), containers] */
export type PodUsageEntry = [string, string, string, ContainerUsage[]];

export interface UsageSnapshot {
  v: number;
  pods: PodUsageEntry[];
}

/** The node's own readings, from the plain fields. */
export interface NodeReadings {
  labels: string;
  cpu?: number;
  memory?: number;
}

/** One line for the node's batch; `clusterName` becomes the `cluster_name` tag, as on every point. */
export function encodeUsage(batch: NodeBatch, bucket: number, timeMs: number, clusterName?: string): string {
  const pods = new Map<string, PodUsageEntry>();
  let node: Series | undefined;
  for (const s of batch.series) {
    if (s.tags['type'] === 'node') node = s;
    else if (s.tags['type'] === 'pod_container') addContainer(pods, s);
  }
  const cluster = clusterName ? `,cluster_name=${escapeTag(clusterName)}` : '';
  const snapshot: UsageSnapshot = { v: VERSION, pods: [...pods.values()] };
  return `${USAGE_MEASUREMENT},bucket=${bucket}${cluster},nodename=${escapeTag(batch.node)} ${nodeFields(node)}${packFields(snapshot)} ${timeMs}`;
}

function addContainer(pods: Map<string, PodUsageEntry>, s: Series): void {
  const samples = Samples.of(s.samples);
  const cpu = reading(samples, CPU);
  const memory = reading(samples, MEMORY);
  if (cpu === null && memory === null) return;
  const [ns, pod] = [s.tags['namespace_name'] ?? '', s.tags['pod_name'] ?? ''];
  const key = `${ns}/${pod}`;
  let entry = pods.get(key);
  if (!entry) pods.set(key, (entry = [ns, pod, s.tags['labels'] ?? '', []]));
  entry[3].push([s.tags['container_name'] ?? '', cpu, memory]);
}

/** `node_cpu=…,node_memory=…i,node_labels="…",` — only the readings the node has. */
function nodeFields(node: Series | undefined): string {
  if (!node) return '';
  const samples = Samples.of(node.samples);
  const cpu = familyIndex(samples, CPU);
  const memory = familyIndex(samples, MEMORY);
  let out = '';
  if (cpu >= 0) out += `node_cpu=${field(samples, cpu)},`;
  if (memory >= 0) out += `node_memory=${field(samples, memory)},`;
  return out + `node_labels=${quoteString(node.tags['labels'] ?? '')},`;
}

function field(samples: Samples, at: number): string {
  return fieldValue(samples.values[at] as number, (samples.families[at] as Family).int);
}

/**
 * The value as InfluxDB stores it (integers rounded), or null. A sampled CPU rate (first run,
 * restart) is still the object's reading (familyIndex takes it): kubectl top shows it.
 */
function reading(samples: Samples, family: string): number | null {
  const at = familyIndex(samples, family);
  if (at < 0) return null;
  const value = samples.values[at] as number;
  return (samples.families[at] as Family).int ? Math.round(value) : value;
}

/** The node fields of a row (`cell` reads a column); undefined when the node had neither reading. */
export function decodeNodeReadings(cell: (column: string) => unknown): NodeReadings | undefined {
  const cpu = cell('node_cpu');
  const memory = cell('node_memory');
  const has = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!has(cpu) && !has(memory)) return undefined;
  const labels = cell('node_labels');
  return {
    labels: typeof labels === 'string' ? labels : '',
    ...(has(cpu) ? { cpu } : {}),
    ...(has(memory) ? { memory } : {}),
  };
}

/** The pods of a row; undefined when the packed fields are missing, corrupt or of another version. */
export function decodeUsagePods(cell: (column: string) => unknown): PodUsageEntry[] | undefined {
  const value = unpackFields(cell) as Partial<UsageSnapshot> | undefined;
  if (!value || value.v !== VERSION || !Array.isArray(value.pods)) return undefined;
  return value.pods;
}
