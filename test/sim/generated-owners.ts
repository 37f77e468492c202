/**
 * @module sim/generated-owners
 * Owners of the generated pods as a real cluster has them, chosen by the pod's index on its node
 * (`p % 6`): 0 a Deployment's ReplicaSet (pod-template-hash name), 1 a StatefulSet, 2 a DaemonSet,
 * 3 a CronJob's Job, 4 a bare pod, 5 a ReplicaSet with no owner. The API server serves the
 * ReplicaSets and Jobs (apps/v1, batch/v1) built here, each once per namespace it is used in.
 */
import type { NodeTruth, PodTruth } from '#test/sim/truth';
import { hex } from '#test/sim/generated-pods';

type Json = Record<string, unknown>;
type Ref = { kind: string; name: string };

/** The hash a Deployment's ReplicaSet and its pods carry (`pod-template-hash`). */
const TEMPLATE_HASH = '7d9f8c6b5';
/** A CronJob's Job is named after its scheduled time in minutes since the epoch. */
const JOB_SUFFIX = '29437200';

const LAYOUT: ReadonlyArray<{ owner?: Ref; workload: Ref; parent?: Ref }> = [
  {
    owner: { kind: 'ReplicaSet', name: `web-${TEMPLATE_HASH}` },
    parent: { kind: 'Deployment', name: 'web' },
    workload: { kind: 'Deployment', name: 'web' },
  },
  { owner: { kind: 'StatefulSet', name: 'db' }, workload: { kind: 'StatefulSet', name: 'db' } },
  { owner: { kind: 'DaemonSet', name: 'agent' }, workload: { kind: 'DaemonSet', name: 'agent' } },
  {
    owner: { kind: 'Job', name: `backup-${JOB_SUFFIX}` },
    parent: { kind: 'CronJob', name: 'backup' },
    workload: { kind: 'CronJob', name: 'backup' },
  },
  { workload: { kind: 'Pod', name: '' } },
  { owner: { kind: 'ReplicaSet', name: 'legacy' }, workload: { kind: 'ReplicaSet', name: 'legacy' } },
];

/** Sets `owner` and `workload` on every pod of the node (in place). */
export function addOwners(node: NodeTruth): void {
  for (const [p, pod] of node.pods.entries()) {
    const l = LAYOUT[p % LAYOUT.length]!;
    if (l.owner) pod.owner = l.owner;
    pod.workload = l.workload.kind === 'Pod' ? { kind: 'Pod', name: pod.name } : l.workload;
  }
}

/** `metadata.ownerReferences` of a generated pod. */
export function podOwnerReferences(pod: PodTruth): Json[] | undefined {
  return pod.owner ? [reference(pod.owner, pod.namespace)] : undefined;
}

/** The ReplicaSets or Jobs the generated pods point at, once per namespace, in a stable order. */
export function ownedObjects(nodes: readonly NodeTruth[], kind: 'ReplicaSet' | 'Job'): Json[] {
  const seen = new Map<string, Json>();
  for (const node of nodes)
    for (const [p, pod] of node.pods.entries()) {
      const l = LAYOUT[p % LAYOUT.length]!;
      if (l.owner?.kind !== kind) continue;
      const key = `${pod.namespace}/${l.owner.name}`;
      if (!seen.has(key)) seen.set(key, ownedObject(l.owner, pod.namespace, l.parent));
    }
  return [...seen.values()];
}

function ownedObject(self: Ref, namespace: string, parent: Ref | undefined): Json {
  const metadata: Json = {
    name: self.name,
    namespace,
    uid: uidOf(self, namespace),
    resourceVersion: '1',
    labels: self.kind === 'ReplicaSet' && parent ? { app: parent.name, 'pod-template-hash': TEMPLATE_HASH } : {},
  };
  if (parent) metadata['ownerReferences'] = [reference(parent, namespace)];
  return self.kind === 'ReplicaSet'
    ? { metadata, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } }
    : { metadata, spec: { completions: 1, parallelism: 1 }, status: { active: 1 } };
}

const API_VERSIONS: Record<string, string> = {
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

function reference(ref: Ref, namespace: string): Json {
  return {
    apiVersion: API_VERSIONS[ref.kind] ?? 'v1',
    kind: ref.kind,
    name: ref.name,
    uid: uidOf(ref, namespace),
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A stable uid per (kind, namespace, name). */
function uidOf(ref: Ref, namespace: string): string {
  let h = 0;
  for (const ch of `${ref.kind}/${namespace}/${ref.name}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `${hex(h, 8)}-0000-4000-c000-${hex(h, 12)}`;
}
