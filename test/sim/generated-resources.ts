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

/** Resource spec for the container with index `localIndex` on its node (copies, safe to edit). */
export function resourceSpecFor(localIndex: number): ResourceSpec {
  const pattern = PATTERNS[localIndex % PATTERNS.length] ?? { requests: {}, limits: {} };
  return { requests: { ...pattern.requests }, limits: { ...pattern.limits } };
}

/** Quantity strings → numbers, 0 for anything unset. */
export function amountsOf(list: Record<string, string>): ResourceAmounts {
  return {
    cpuMillicores: cpuMillicores(list['cpu']),
    memoryBytes: bytes(list['memory']),
    ephemeralStorageBytes: bytes(list['ephemeral-storage']),
  };
}
