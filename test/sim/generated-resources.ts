/**
 * @module sim/generated-resources
 * Requests/limits of generated containers. A small rotating table so that every run has
 * containers with both, with requests only, and with none ("0 when unset"), in decimal-SI
 * ("5M", "1G"), binary-SI ("128Mi") and plain-core ("1") notations.
 */
import type { ResourceAmounts } from '#test/sim/truth';
import { bytes, cpuMillicores } from '#test/sim/quantity';

export interface ResourceSpec {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

const PATTERNS: readonly ResourceSpec[] = [
  { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  { requests: {}, limits: {} },
  {
    requests: { cpu: '1', memory: '5M', 'ephemeral-storage': '1Gi' },
    limits: { cpu: '2', memory: '1G', 'ephemeral-storage': '2Gi' },
  },
  { requests: { cpu: '250m', memory: '64Mi' }, limits: {} },
];

export interface ContainerResources {
  spec: ResourceSpec;
  requests: ResourceAmounts;
  limits: ResourceAmounts;
}

const SHARED: readonly ContainerResources[] = PATTERNS.map((spec) =>
  deepFreeze({ spec, requests: amountsOf(spec.requests), limits: amountsOf(spec.limits) }),
);

/**
 * Resources of the container with index `localIndex` on its node. The returned objects are
 * frozen and shared by every container with the same pattern (150 000 pods stay cheap).
 */
export function resourcesFor(localIndex: number): ContainerResources {
  return SHARED[localIndex % SHARED.length]!;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object') deepFreeze(child as object);
  return Object.freeze(value);
}

/** Quantity strings → numbers, 0 for anything unset. */
export function amountsOf(list: Record<string, string>): ResourceAmounts {
  return {
    cpuMillicores: cpuMillicores(list['cpu']),
    memoryBytes: bytes(list['memory']),
    ephemeralStorageBytes: bytes(list['ephemeral-storage']),
  };
}
