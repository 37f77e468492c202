/**
 * @module derive/spec
 * Requests, limits and restarts from the Pod objects (Heapster's pod_based_enricher): 0 where a
 * container sets none, as Heapster wrote; nothing at all for pods the API server did not list.
 */
import type { ContainerSpec, ObjectType, PodInfo, Resources } from '#shared/model';
import type { Sample } from '#shared/derive/types';
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
export function containerSpecSamples(spec: ContainerSpec, out: Sample[], nowMs?: number): void {
  specSamples('pod_container', [spec], out);
  const last = spec.lastTermination;
  if (!last) return;
  push(out, 'pod_container', 'restart/last_exit_code', last.exitCode, { reason: last.reason });
  const at = last.finishedAtMs;
  if (last.reason !== 'OOMKilled' || at === undefined || nowMs === undefined) return;
  if (at > nowMs - OOM_KILL_WINDOW_MS && at <= nowMs)
    out.push({ family: familyOf('restart/oom_kill'), value: 1, timeMs: at });
}

export function podSpecSamples(pod: PodInfo, out: Sample[]): void {
  specSamples('pod', pod.containers, out);
}

function specSamples(type: ObjectType, containers: readonly ContainerSpec[], out: Sample[]): void {
  for (const row of RESOURCE_FAMILIES) {
    push(
      out,
      type,
      row.request,
      total(containers, (c) => row.read(c.requests) ?? 0),
    );
    push(
      out,
      type,
      row.limit,
      total(containers, (c) => row.read(c.limits) ?? 0),
    );
  }
  push(
    out,
    type,
    'restart_count',
    total(containers, (c) => c.restartCount),
  );
  const others = new Set(containers.flatMap((c) => Object.keys(c.requests.other ?? {})));
  for (const resource of others)
    push(
      out,
      type,
      resourceRequestFamily(resource),
      total(containers, (c) => c.requests.other?.[resource] ?? 0),
    );
}

function total(containers: readonly ContainerSpec[], read: (c: ContainerSpec) => number): number {
  return containers.reduce((sum, c) => sum + read(c), 0);
}
