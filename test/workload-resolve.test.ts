import { describe, expect, it } from 'vitest';
import { assignWorkloads, ownerMap, workloadOf, type Owners } from '#shared/derive/workload';
import { decodeOwned, decodePod } from '#shared/decode/objects';
import type { PodInfo } from '#shared/model';

const owners: Owners = {
  replicaSets: ownerMap([
    { namespace: 'shop', name: 'checkout-7d9f8c6b5', owner: { kind: 'Deployment', name: 'checkout' } },
    { namespace: 'shop', name: 'legacy' },
  ]),
  jobs: ownerMap([{ namespace: 'ops', name: 'backup-29437200', owner: { kind: 'CronJob', name: 'backup' } }]),
};
const pod = (namespace: string, name: string, owner?: { kind: string; name: string }) => ({
  namespace,
  name,
  ...(owner ? { owner } : {}),
});

describe('workloadOf', () => {
  it('maps ReplicaSet → Deployment and Job → CronJob, keeps other owners, and a bare pod is a Pod', () => {
    expect(workloadOf(pod('shop', 'a', { kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5' }), owners)).toEqual({
      workload: { kind: 'Deployment', name: 'checkout' },
    });
    expect(workloadOf(pod('ops', 'b', { kind: 'Job', name: 'backup-29437200' }), owners).workload).toEqual({
      kind: 'CronJob',
      name: 'backup',
    });
    expect(workloadOf(pod('shop', 'c', { kind: 'ReplicaSet', name: 'legacy' }), owners).workload).toEqual({
      kind: 'ReplicaSet',
      name: 'legacy',
    });
    expect(workloadOf(pod('shop', 'd', { kind: 'StatefulSet', name: 'db' }), owners).workload.kind).toBe('StatefulSet');
    expect(workloadOf(pod('shop', 'e'), owners).workload).toEqual({ kind: 'Pod', name: 'e' });
  });

  it('falls back to the direct owner when its ReplicaSet was deleted (reported) or not listable (already warned)', () => {
    const gone = workloadOf(pod('shop', 'f', { kind: 'ReplicaSet', name: 'gone-5f6d7c8b9' }), owners);
    expect(gone).toEqual({
      workload: { kind: 'ReplicaSet', name: 'gone-5f6d7c8b9' },
      unresolved: 'ReplicaSet not found',
    });
    // Same name in another namespace is another object.
    expect(workloadOf(pod('other', 'g', { kind: 'ReplicaSet', name: 'legacy' }), owners).unresolved).toBeDefined();
    const denied = workloadOf(pod('shop', 'h', { kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5' }), {
      replicaSets: undefined,
      jobs: undefined,
    });
    expect(denied).toEqual({ workload: { kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5' } });
  });

  it('decodes the controller reference of real objects and counts the fallbacks for one warning', () => {
    const p = decodePod({
      metadata: {
        name: 'checkout-7d9f8c6b5-x2x4z',
        namespace: 'shop',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: 'n1' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5', controller: true },
        ],
      },
      spec: { containers: [] },
    }) as PodInfo;
    expect(p.owner).toEqual({ kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5' });
    expect(decodeOwned({ metadata: { name: 'x', namespace: 'y' } })).toEqual({ name: 'x', namespace: 'y' });
    const orphan = { ...p, name: 'orphan', owner: { kind: 'ReplicaSet', name: 'gone' } };
    const result = assignWorkloads([p, orphan], owners);
    expect(p.workload).toEqual({ kind: 'Deployment', name: 'checkout' });
    expect(result).toEqual({ count: 1, examples: ['shop/orphan: ReplicaSet not found'] });
  });
});
