/**
 * @module sim/fixture-objects
 * Minimal Node and Pod objects synthesized from a captured Summary, for captures that have no
 * matching API-server snapshot. Only what a collector reads: names, uids, node capacity
 * (memory = available + working set, storage = nodefs capacity), container names.
 */
import { createHash } from 'node:crypto';
import { kibibytes } from '#test/sim/quantity';

type Json = Record<string, unknown>;

/** The few Summary fields read here (all optional in old captures). */
export interface SummaryDoc {
  node: {
    nodeName: string;
    startTime?: string | null;
    memory?: { availableBytes?: number; workingSetBytes?: number };
    fs?: { capacityBytes?: number };
  };
  pods?: Array<{
    podRef: { name: string; namespace: string; uid: string };
    startTime?: string | null;
    containers?: Array<{ name: string; startTime?: string | null }> | null;
  }> | null;
}

const FALLBACK_TIME = '2020-01-01T00:00:00Z';

export function synthesizedNode(summary: SummaryDoc, file = ''): Json {
  const { nodeName, memory, fs } = summary.node;
  const memoryBytes = (memory?.availableBytes ?? 0) + (memory?.workingSetBytes ?? 0);
  const resources = {
    cpu: '4',
    memory: memoryBytes > 0 ? kibibytes(memoryBytes) : '16Gi',
    'ephemeral-storage': fs?.capacityBytes ? kibibytes(fs.capacityBytes) : '100Gi',
    pods: '110',
  };
  const since = summary.node.startTime ?? FALLBACK_TIME;
  return {
    metadata: {
      name: nodeName,
      uid: uuidFrom(`node/${nodeName}`),
      resourceVersion: '1',
      creationTimestamp: since,
      labels: { 'kubernetes.io/hostname': nodeName },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: { ...resources },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: since }],
      addresses: [{ type: 'Hostname', address: nodeName }],
      nodeInfo: { kubeletVersion: versionFromFileName(file) },
    },
  };
}

export function synthesizedPods(summary: SummaryDoc): Json[] {
  return (summary.pods ?? []).map((pod) => {
    const startTime = pod.startTime ?? FALLBACK_TIME;
    const containers = pod.containers ?? [];
    return {
      metadata: {
        ...pod.podRef,
        resourceVersion: '1',
        creationTimestamp: startTime,
        labels: {},
      },
      spec: {
        nodeName: summary.node.nodeName,
        containers: containers.map((c) => ({ name: c.name, image: 'unknown', resources: {} })),
      },
      status: {
        phase: 'Running',
        startTime,
        containerStatuses: containers.map((c) => ({
          name: c.name,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: c.startTime ?? startTime } },
        })),
      },
    };
  });
}

/** "summary_k8s-1.20.15_…" → "v1.20.15", "…k8s-1.9-alpha…" → "v1.9.0"; else "v0.0.0-unknown". */
function versionFromFileName(file: string): string {
  const match = /k8s-(\d+\.\d+)(\.\d+)?/.exec(file);
  return match ? `v${match[1]}${match[2] ?? '.0'}` : 'v0.0.0-unknown';
}

/** A stable UUID-shaped id (md5 of a seed), so repeated runs serve the same uid. */
function uuidFrom(seed: string): string {
  const h = createHash('md5').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
