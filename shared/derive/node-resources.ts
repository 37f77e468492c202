/**
 * @module derive/node-resources
 * Node capacity, allocatable, utilisation and reservation (Heapster's node_autoscaling_enricher),
 * plus the node's request and limit sums over its pods. Ratios stay floats.
 */
import type { NodeInfo, Resources } from '#shared/model';
import type { DerivedSeries, Series } from '#shared/derive/types';
import type { FamilyName } from '#shared/families/catalogue';
import { push } from '#shared/derive/object';
import { sumOf, familyValue } from '#shared/derive/series';

const RESOURCES: ReadonlyArray<{
  prefix: 'cpu' | 'memory' | 'ephemeral_storage';
  usage: FamilyName;
  read: (r: Resources) => number | undefined;
}> = [
  { prefix: 'cpu', usage: 'cpu/usage_rate', read: (r) => r.cpuMillicores },
  { prefix: 'memory', usage: 'memory/usage', read: (r) => r.memoryBytes },
  { prefix: 'ephemeral_storage', usage: 'ephemeral_storage/usage', read: (r) => r.ephemeralStorageBytes },
];

const SUMMED_FROM_PODS: readonly FamilyName[] = [
  'cpu/request',
  'cpu/limit',
  'memory/request',
  'memory/limit',
  'ephemeral_storage/request',
  'ephemeral_storage/limit',
];

/** Adds the pod sums and the node_* families to the node's series. */
export function addNodeResources(node: DerivedSeries, info: NodeInfo | undefined, pods: readonly Series[]): void {
  const out = node.samples;
  for (const family of SUMMED_FROM_PODS) push(out, 'node', family, sumOf(pods, family) ?? 0);
  if (!info) return;
  for (const r of RESOURCES) {
    const capacity = r.read(info.capacity);
    const allocatable = r.read(info.allocatable);
    push(out, 'node', `${r.prefix}/node_capacity`, capacity);
    push(out, 'node', `${r.prefix}/node_allocatable`, allocatable);
    if (!allocatable) continue;
    const usage = familyValue(node, r.usage);
    const request = familyValue(node, `${r.prefix}/request`);
    push(out, 'node', `${r.prefix}/node_utilization`, usage === undefined ? undefined : usage / allocatable);
    push(out, 'node', `${r.prefix}/node_reservation`, request === undefined ? undefined : request / allocatable);
  }
}
