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

/**
 * A running Pod bound to `nodeName`; `resourceVersion` changes when a container restarts. As
 * large as a real one (about 5 KB of JSON with two containers): managed fields, volumes, probes,
 * environment, tolerations and conditions, which a collector must skip without holding them.
 */
export function generatedPodObject(pod: PodTruth, nodeName: string, resourceVersion: number): Json {
  const created = rfc3339(pod.startTimeMs - 1000);
  const started = rfc3339(pod.startTimeMs);
  const token = `kube-api-access-${pod.uid.slice(0, 5)}`;
  return {
    metadata: {
      name: pod.name,
      generateName: `${pod.name.replace(/-\d+$/, '')}-`,
      namespace: pod.namespace,
      uid: pod.uid,
      resourceVersion: String(resourceVersion),
      creationTimestamp: created,
      labels: { ...pod.labels },
      ...(pod.owner ? { ownerReferences: podOwnerReferences(pod) } : {}),
      annotations: {
        'kubectl.kubernetes.io/default-container': pod.containers[0]?.name ?? '',
        'kubernetes.io/config.seen': created,
      },
      managedFields: managedFields(pod, created, started),
    },
    spec: {
      nodeName,
      volumes: [
        { name: 'config', configMap: { name: `${pod.name}-config`, defaultMode: 420 } },
        {
          name: token,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
          },
        },
      ],
      containers: pod.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        resources: resources(c),
        volumeMounts: [
          { name: 'config', mountPath: '/etc/app', readOnly: true },
          { name: token, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ],
        livenessProbe: probe('/healthz'),
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      })),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
        (type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: started }),
      ),
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP: '10.244.0.2',
      podIPs: [{ ip: '10.244.0.2' }],
      qosClass: 'Burstable',
      startTime: started,
      containerStatuses: pod.containers.map(containerStatus),
    },
  };
}

function probe(path: string): Json {
  return {
    httpGet: { path, port: 'http', scheme: 'HTTP' },
    initialDelaySeconds: 10,
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  };
}

/** Server-side apply bookkeeping, the bulk of a real Pod object. */
function managedFields(pod: PodTruth, created: string, started: string): Json[] {
  const containers = Object.fromEntries(
    pod.containers.map((c) => [
      `k:{"name":"${c.name}"}`,
      {
        '.': {},
        'f:env': { '.': {}, 'k:{"name":"POD_NAME"}': { '.': {}, 'f:name': {}, 'f:valueFrom': {} } },
        'f:image': {},
        'f:imagePullPolicy': {},
        'f:livenessProbe': { '.': {}, 'f:httpGet': { '.': {}, 'f:path': {}, 'f:port': {} } },
        'f:name': {},
        'f:resources': { '.': {}, 'f:limits': {}, 'f:requests': {} },
      },
    ]),
  );
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: created,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': containers, 'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:volumes': {} },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: started,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: {
        'f:status': {
          'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastTransitionTime': {}, 'f:status': {} } },
          'f:containerStatuses': {},
          'f:hostIP': {},
          'f:phase': {},
          'f:podIP': {},
          'f:startTime': {},
        },
      },
    },
  ];
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
