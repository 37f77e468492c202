/**
 * @module derive/workload
 * A pod's workload, as operators name it: a ReplicaSet owned by a Deployment → the Deployment,
 * a Job owned by a CronJob → the CronJob; StatefulSet, DaemonSet, a standalone ReplicaSet or Job
 * → themselves; a bare pod → `Pod`. Pure: the ReplicaSets and Jobs come from one LIST each.
 */
import type { OwnedObject, OwnerRef, PodInfo } from '#shared/model';

/** ReplicaSets and Jobs by `namespace/name` → their controller (null: none); undefined when not listable. */
export interface Owners {
  replicaSets: ReadonlyMap<string, OwnerRef | null> | undefined;
  jobs: ReadonlyMap<string, OwnerRef | null> | undefined;
}

/** Only name → controller is kept of each listed object. */
export function ownerMap(items: readonly OwnedObject[]): Map<string, OwnerRef | null> {
  return new Map(items.map((o) => [`${o.namespace}/${o.name}`, o.owner ?? null]));
}

export interface Resolved {
  workload: OwnerRef;
  /** Why the owner's own owner is unknown (the ReplicaSet or Job is gone), for the run's one warning. */
  unresolved?: string;
}

export function workloadOf(pod: Pick<PodInfo, 'namespace' | 'name' | 'owner'>, owners: Owners): Resolved {
  const owner = pod.owner;
  if (!owner) return { workload: { kind: 'Pod', name: pod.name } };
  const map = owner.kind === 'ReplicaSet' ? owners.replicaSets : owner.kind === 'Job' ? owners.jobs : undefined;
  if (owner.kind !== 'ReplicaSet' && owner.kind !== 'Job') return { workload: owner };
  // Not listable: kube/owners.ts already warned once for the whole list.
  if (!map) return { workload: owner };
  const parent = map.get(`${pod.namespace}/${owner.name}`);
  if (parent === undefined) return { workload: owner, unresolved: `${owner.kind} not found` };
  return { workload: parent ?? owner };
}

/** Sets `workload` on every pod; returns how many fell back to their direct owner, with a few examples. */
export function assignWorkloads(pods: PodInfo[], owners: Owners): { count: number; examples: string[] } {
  let count = 0;
  const examples: string[] = [];
  for (const pod of pods) {
    const r = workloadOf(pod, owners);
    pod.workload = r.workload;
    if (!r.unresolved) continue;
    count++;
    if (examples.length < 5) examples.push(`${pod.namespace}/${pod.name}: ${r.unresolved}`);
  }
  return { count, examples };
}
