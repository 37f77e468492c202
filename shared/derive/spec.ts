/**
 * @module derive/spec
 * Requests, limits and restarts from the Pod objects (Heapster's pod_based_enricher): 0 where a
 * container sets none, as Heapster wrote; nothing at all for pods the API server did not list.
 */
import type { ContainerSpec, ObjectType, PodInfo, Resources } from '#shared/model';
import { addSample, type SampleSink } from '#shared/derive/samples';
import type { FamilyName } from '#shared/families/catalogue';
import { resourceRequestFamily } from '#shared/families/dynamic';
import { familyOf, push } from '#shared/derive/object';

const RESOURCE_FAMILIES: ReadonlyArray<{
  request: FamilyName;
  limit: FamilyName;
  read: (r: Resources) => number | undefined;
}> = [
  { request: 'cpu/request', limit: 'cpu/limit', read: (r) => r.cpuMillicores },
  { request: 'memory/request', limit: 'memory/limit', read: (r) => r.memoryBytes },
  { request: 'ephemeral_storage/request', limit: 'ephemeral_storage/limit', read: (r) => r.ephemeralStorageBytes },
];

/**
 * How far back an OOM kill is still written. Every run that sees the kill within this window
 * rewrites the same point (its own time), so an outage shorter than this loses none; older kills
 * are left out, as InfluxDB would reject points beyond a short retention policy.
 */
export const OOM_KILL_WINDOW_MS = 3_600_000;

/** `nowMs`: the node's sample time, the reference for the OOM-kill window. */
export function containerSpecSamples(spec: ContainerSpec, out: SampleSink, nowMs?: number): void {
  specSamples('pod_container', [spec], out);
  const last = spec.lastTermination;
  if (!last) return;
  push(out, 'pod_container', 'restart/last_exit_code', last.exitCode, { reason: last.reason });
  const at = last.finishedAtMs;
  if (last.reason !== 'OOMKilled' || at === undefined || nowMs === undefined) return;
  if (at > nowMs - OOM_KILL_WINDOW_MS && at <= nowMs) addSample(out, familyOf('restart/oom_kill'), 1, undefined, at);
}

export function podSpecSamples(pod: PodInfo, out: SampleSink): void {
  specSamples('pod', pod.containers, out);
}

/*
 * Sums in plain loops, in container order: this runs for every pod and container of a run, and
 * closures, flatMap and a Set per call were a measurable share of derive's garbage.
 */
function specSamples(type: ObjectType, containers: readonly ContainerSpec[], out: SampleSink): void {
  for (const row of RESOURCE_FAMILIES) {
    let request = 0;
    let limit = 0;
    for (const c of containers) {
      request += row.read(c.requests) ?? 0;
      limit += row.read(c.limits) ?? 0;
    }
    push(out, type, row.request, request);
    push(out, type, row.limit, limit);
  }
  let restarts = 0;
  for (const c of containers) restarts += c.restartCount;
  push(out, type, 'restart_count', restarts);
  for (const resource of otherResources(containers)) {
    let total = 0;
    for (const c of containers) total += c.requests.other?.[resource] ?? 0;
    push(out, type, resourceRequestFamily(resource), total);
  }
}

const NONE: readonly string[] = [];

/** Requested resources beyond CPU, memory and ephemeral storage, in order of first appearance. */
function otherResources(containers: readonly ContainerSpec[]): readonly string[] {
  let out: string[] | undefined;
  for (const c of containers) {
    for (const resource in c.requests.other) {
      out ??= [];
      if (!out.includes(resource)) out.push(resource);
    }
  }
  return out ?? NONE;
}
