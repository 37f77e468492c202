/**
 * @module families/rightsizing-samples
 * A recording family the collector writes for right-sizing (issue 25): per workload container, one
 * point a run whose one string field packs, for every pod of that workload on the run's (shard's)
 * nodes, what the recommendation reads raw since the rollup's right-sizing rows end. The routes
 * then read ~6,000 series at 1,000 × 30 instead of a pass over each of 60,000 pod containers'
 * `cpu/usage_rate`, `memory/working_set` and `restart/oom_kill`. The same line in both schemas.
 *
 * `v` is JSON, three columns of one entry per pod: `[[pod, …], [millicores | null, …], [bytes | null, …]]`
 * (columns, not an array per pod: a route reads ~600,000 entries, and three arrays a point cost
 * the parser and the garbage collector a fraction of an array per pod):
 * - pod: the name without the workload's name when it starts with `<workload_name>-` (so it starts
 *   with `-`); a name of its own that starts with `-` or `=` gets `=` in front; else the name.
 * - millicores: the container's `cpu/usage_rate` exactly as written (the same double), null when it
 *   is the `sampled=true` fallback or absent; bytes: its `memory/working_set` as written (integer).
 * `k`, only on a point with a kill: `[[pod, killMs], …]`, the OOM kills the run wrote
 * `restart/oom_kill` points for, at the kill's time (not the run's: every run within the hour
 * repeats a kill, so readers count distinct kill times). A field of its own, so a reader can look
 * a little before its range for kills alone without reading every pod's values there.
 * A workload container's pods are cut over several points (tag `part` = 1, 2, … after the first)
 * so that no string field passes InfluxDB 1.x's 64 KB.
 */

import { escapeTag } from '#shared/encode/escape';

/** The family as the README's metric reference lists it (families/reference). */
export const RIGHTSIZING_SAMPLES = {
  name: 'heapless_rightsizing_samples',
  field: 'v, k (strings, JSON)',
  unit: 'millicores, bytes, epoch ms',
  tags: 'namespace_name, workload_kind, workload_name, container_name; shard (SHARD_COUNT > 1); part (a cut list)',
  definition:
    'one point per workload container and run: v, for the pods of the workload on the run’s nodes, [[pod, …], [cpu/usage_rate as written (null when sampled=true), …], [memory/working_set, …]]; k, only with a kill, [[pod, time of an OOM kill written this run], …]; read by the right-sizing routes after the rollup’s rows end',
} as const;

export const SAMPLES_MEASUREMENT = RIGHTSIZING_SAMPLES.name;
/** The `heapless_run` field (collect runs) holding how many samples points the run wrote: where the series begins. */
export const SAMPLES_RUN_FIELD = 'rightsizing_samples';
/** Characters of JSON per point: at most 4 UTF-8 bytes each, under the 64 KB string field limit. */
export const PART_CHARS = 16_000;

/** A point's pods, as its three columns (the same length). */
export interface SampleColumns {
  pods: string[];
  millicores: Array<number | null>;
  bytes: Array<number | null>;
}
/** One kill: [pod, kill time ms]. */
export type KillEntry = [string, number];

/**
 * A tag value as InfluxDB stores it (encode/escape: a newline as `\\n`, a backslash it cannot store
 * as `＼`): an entry's pod name is the `pod_name` tag of the pod's own points, and is compared
 * with the stored `workload_name`. Kubernetes names never change here.
 */
export function storedTag(value: string): string {
  const escaped = escapeTag(value);
  return escaped === value ? value : escaped.replace(/\\([,= ])/g, '$1');
}

/** The pod's name as stored in an entry, relative to its workload's name (both as stored). */
export function podCode(pod: string, workload: string): string {
  if (workload && pod.length > workload.length && pod.startsWith(workload) && pod[workload.length] === '-')
    return pod.slice(workload.length);
  return pod.startsWith('-') || pod.startsWith('=') ? `=${pod}` : pod;
}

/** podCode reversed. */
export function podName(code: string, workload: string): string {
  if (code.startsWith('-')) return workload + code;
  return code.startsWith('=') ? code.slice(1) : code;
}

/** A point's columns; undefined when `v` is not what the collector writes (a newer or corrupt one is skipped, not fatal). */
export function unpackColumns(v: unknown): SampleColumns | undefined {
  const parsed = parse(v);
  if (!Array.isArray(parsed) || parsed.length < 3) return undefined;
  const [pods, millicores, bytes] = parsed as unknown[];
  if (!Array.isArray(pods) || !Array.isArray(millicores) || !Array.isArray(bytes)) return undefined;
  if (millicores.length !== pods.length || bytes.length !== pods.length) return undefined;
  return { pods, millicores, bytes };
}

/** A point's kills (`k`); empty when absent or not what the collector writes. */
export function unpackKills(k: unknown): KillEntry[] {
  const parsed = parse(k);
  return Array.isArray(parsed)
    ? parsed.filter((e): e is KillEntry => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number')
    : [];
}

function parse(v: unknown): unknown {
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return undefined;
  }
}
