/**
 * @module sim/fixture-owners
 * The ReplicaSets and Jobs the captured pods name as their controller (the 1.35 minikube
 * snapshot: coredns, metrics-server and e2e Deployments' ReplicaSets, a CronJob's and a plain
 * Job), served by the simulated API server next to the generated ones, so the demo cluster is
 * consistent: every owner a pod names exists (the collector logged `workload_unresolved` for
 * 13 pods without them). Parents follow Kubernetes' naming: a Deployment's ReplicaSet is
 * `<deployment>-<pod-template-hash>`, a CronJob's Job is `<cronjob>-<scheduled minute>`.
 */
type Json = Record<string, unknown>;

interface OwnerRef {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

interface PodLike {
  metadata?: { namespace?: string; labels?: Record<string, string>; ownerReferences?: OwnerRef[] };
}

/** The `kind` objects (ReplicaSet or Job) the pods' controller references name, once each. */
export function fixtureOwners(pods: readonly Json[], kind: 'ReplicaSet' | 'Job'): Json[] {
  const seen = new Map<string, Json>();
  for (const pod of pods as readonly PodLike[]) {
    const namespace = pod.metadata?.namespace ?? 'default';
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller && r.kind === kind);
    if (!ref?.name || seen.has(`${namespace}/${ref.name}`)) continue;
    seen.set(`${namespace}/${ref.name}`, owned(kind, ref, namespace, parentOf(kind, ref.name, pod)));
  }
  return [...seen.values()];
}

function parentOf(kind: 'ReplicaSet' | 'Job', name: string, pod: PodLike): { kind: string; name: string } | undefined {
  if (kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    return hash && name.endsWith(`-${hash}`)
      ? { kind: 'Deployment', name: name.slice(0, -hash.length - 1) }
      : undefined;
  }
  // A CronJob names its Jobs by the scheduled time in minutes since the epoch (8+ digits).
  const cron = /^(.+)-\d{8,}$/.exec(name)?.[1];
  return cron ? { kind: 'CronJob', name: cron } : undefined;
}

function owned(
  kind: 'ReplicaSet' | 'Job',
  ref: OwnerRef,
  namespace: string,
  parent?: { kind: string; name: string },
): Json {
  const apiVersion = kind === 'ReplicaSet' ? 'apps/v1' : 'batch/v1';
  const metadata: Json = { name: ref.name, namespace, resourceVersion: '1', ...(ref.uid ? { uid: ref.uid } : {}) };
  if (parent)
    metadata['ownerReferences'] = [
      {
        apiVersion,
        kind: parent.kind,
        name: parent.name,
        uid: `fixture-${namespace}-${parent.name}`,
        controller: true,
      },
    ];
  return kind === 'ReplicaSet'
    ? { apiVersion, kind, metadata, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } }
    : { apiVersion, kind, metadata, spec: { completions: 1, parallelism: 1 }, status: {} };
}
