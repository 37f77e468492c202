/**
 * @module families/dynamic
 * Families whose names come from the data, as Heapster made them: `custom/<name>` from a
 * container's userDefinedMetrics, and `<resource>/request` for any other requested resource
 * (e.g. `nvidia.com/gpu/request`). One Family object per name, created on first use.
 */
import type { Family } from '#shared/families/family';

const cache = new Map<string, Family>();

export function customFamily(name: string, kind: 'gauge' | 'cumulative' | 'delta'): Family {
  return memo(`custom/${name}`, () => ({
    name: `custom/${name}`,
    kind: kind === 'cumulative' ? 'cumulative' : 'gauge',
    int: false,
    unit: 'as the kubelet reports it',
    types: { pod_container: 'userDefinedMetrics[].value' },
  }));
}

export function resourceRequestFamily(resource: string): Family {
  return memo(`${resource}/request`, () => ({
    name: `${resource}/request`,
    kind: 'gauge',
    int: false,
    unit: 'resource units',
    types: {
      pod_container: `spec.containers[].resources.requests["${resource}"]`,
      pod: 'sum over the pod spec’s containers',
    },
  }));
}

/** The templates, for the README's metric reference. */
export const DYNAMIC_FAMILIES: readonly Family[] = [
  {
    name: 'custom/<name>',
    kind: 'gauge',
    int: false,
    unit: 'as the kubelet reports it',
    types: { pod_container: 'userDefinedMetrics[].value (cumulative when the kubelet says so)' },
  },
  {
    name: '<resource>/request',
    kind: 'gauge',
    int: false,
    unit: 'resource units',
    types: {
      pod_container:
        'spec.containers[].resources.requests["<resource>"] for resources other than cpu, memory and ephemeral-storage',
      pod: 'sum over the pod spec’s containers',
    },
  },
];

function memo(key: string, make: () => Family): Family {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make()));
  return f;
}
