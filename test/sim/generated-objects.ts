/**
 * @module sim/generated-objects
 * core/v1 Node and Pod objects for the generated workload, in live-list item shape
 * (no per-item kind/apiVersion), built from the ground truth on demand.
 */
import type { ContainerTruth, NodeTruth, PodTruth } from '#test/sim/truth';
import { rfc3339 } from '#test/sim/clock';
import { podOwnerReferences } from '#test/sim/generated-owners';

type Json = Record<string, unknown>;

/** A Node as served by the API server; its address and port point at the simulated kubelet. */
export function generatedNodeObject(node: NodeTruth): Json {
  return {
    metadata: {
      name: node.name,
      uid: node.uid,
      resourceVersion: '1',
      creationTimestamp: rfc3339(node.startTimeMs),
      labels: { ...node.labels },
    },
    spec: {},
    status: {
      capacity: { ...node.capacity },
      allocatable: { ...node.allocatable },
      conditions: [readyCondition(node.startTimeMs)],
      addresses: [
        { type: 'InternalIP', address: node.address },
        { type: 'Hostname', address: node.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: node.port } },
      nodeInfo: nodeInfo(node),
    },
  };
}

function readyCondition(sinceMs: number): Json {
  return {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: rfc3339(sinceMs),
    lastTransitionTime: rfc3339(sinceMs),
  };
}

function nodeInfo(node: NodeTruth): Json {
  return {
    machineID: node.uid.replaceAll('-', ''),
    systemUUID: node.uid,
    bootID: node.uid,
    kernelVersion: '6.1.0-sim',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    containerRuntimeVersion: 'containerd://2.0.0',
    kubeletVersion: node.kubeletVersion,
    kubeProxyVersion: node.kubeletVersion,
    operatingSystem: 'linux',
    architecture: 'amd64',
  };
}

/** A running Pod bound to `nodeName`; `resourceVersion` changes when a container restarts. */
export function generatedPodObject(pod: PodTruth, nodeName: string, resourceVersion: number): Json {
  return {
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      uid: pod.uid,
      resourceVersion: String(resourceVersion),
      creationTimestamp: rfc3339(pod.startTimeMs - 1000),
      labels: { ...pod.labels },
      ...(pod.owner ? { ownerReferences: podOwnerReferences(pod) } : {}),
    },
    spec: {
      nodeName,
      containers: pod.containers.map((c) => ({
        name: c.name,
        image: c.image,
        resources: resources(c),
      })),
      restartPolicy: 'Always',
    },
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      startTime: rfc3339(pod.startTimeMs),
      containerStatuses: pod.containers.map(containerStatus),
    },
  };
}

/** Only the lists that are set appear, as in a real Pod spec. */
function resources(c: ContainerTruth): Json {
  const result: Json = {};
  if (Object.keys(c.spec.limits).length > 0) result['limits'] = { ...c.spec.limits };
  if (Object.keys(c.spec.requests).length > 0) result['requests'] = { ...c.spec.requests };
  return result;
}

function containerStatus(c: ContainerTruth): Json {
  const status: Json = {
    name: c.name,
    image: c.image,
    imageID: `${c.image}@sha256:${'0'.repeat(64)}`,
    containerID: `containerd://${c.name}-${c.startTimeMs}`,
    ready: true,
    started: true,
    restartCount: c.restartCount,
    state: { running: { startedAt: rfc3339(c.startTimeMs) } },
  };
  if (c.restartCount > 0) {
    status['lastState'] = {
      terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: rfc3339(c.startTimeMs) },
    };
  }
  return status;
}
