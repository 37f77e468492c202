/**
 * @module sim/pod-protobuf
 * The simulated API server's protobuf encoding of Pods and PodLists, as a real API server sends
 * them to a client that asks for `application/vnd.kubernetes.protobuf`: the magic `k8s\0`, a
 * `runtime.Unknown` envelope, and the objects in the field numbers of k8s.io/api core/v1 and
 * apimachinery meta/v1 generated.proto (checked against kubernetes/api's generated.proto).
 *
 * Every field of the pods the simulator makes is encoded, so a protobuf pod is as large and as
 * nested as a real one. Objects below the messages described here (volume sources, probes,
 * security contexts) are written as opaque length-delimited bytes under their real field number:
 * a reader that skips them, as any reader of fields it does not need does, sees real sizes.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

type Kind = 'string' | 'int' | 'bool' | 'time' | 'map' | 'quantities' | 'fieldsV1' | 'opaque' | Message;
interface Message {
  fields: Record<string, [number, Kind]>;
  /** JSON keys held by an embedded message in protobuf (a Volume's source): [field, message]. */
  inline?: [number, Message];
}

const msg = (fields: Message['fields'], inline?: Message['inline']): Message => ({
  fields,
  ...(inline ? { inline } : {}),
});

const OWNER_REFERENCE = msg({
  kind: [1, 'string'],
  name: [3, 'string'],
  uid: [4, 'string'],
  apiVersion: [5, 'string'],
  controller: [6, 'bool'],
  blockOwnerDeletion: [7, 'bool'],
});
const MANAGED_FIELDS = msg({
  manager: [1, 'string'],
  operation: [2, 'string'],
  apiVersion: [3, 'string'],
  time: [4, 'time'],
  fieldsType: [6, 'string'],
  fieldsV1: [7, 'fieldsV1'],
  subresource: [8, 'string'],
});
const OBJECT_META = msg({
  name: [1, 'string'],
  generateName: [2, 'string'],
  namespace: [3, 'string'],
  selfLink: [4, 'string'],
  uid: [5, 'string'],
  resourceVersion: [6, 'string'],
  generation: [7, 'int'],
  creationTimestamp: [8, 'time'],
  deletionTimestamp: [9, 'time'],
  deletionGracePeriodSeconds: [10, 'int'],
  labels: [11, 'map'],
  annotations: [12, 'map'],
  ownerReferences: [13, OWNER_REFERENCE],
  finalizers: [14, 'string'],
  managedFields: [17, MANAGED_FIELDS],
});
const VOLUME_SOURCE = msg({
  hostPath: [1, 'opaque'],
  emptyDir: [2, 'opaque'],
  secret: [6, 'opaque'],
  persistentVolumeClaim: [10, 'opaque'],
  downwardAPI: [16, 'opaque'],
  configMap: [19, 'opaque'],
  projected: [26, 'opaque'],
  csi: [28, 'opaque'],
  ephemeral: [29, 'opaque'],
});
const VOLUME = msg({ name: [1, 'string'] }, [2, VOLUME_SOURCE]);
const CONTAINER = msg({
  name: [1, 'string'],
  image: [2, 'string'],
  command: [3, 'string'],
  args: [4, 'string'],
  workingDir: [5, 'string'],
  ports: [
    6,
    msg({
      name: [1, 'string'],
      hostPort: [2, 'int'],
      containerPort: [3, 'int'],
      protocol: [4, 'string'],
      hostIP: [5, 'string'],
    }),
  ],
  env: [7, msg({ name: [1, 'string'], value: [2, 'string'], valueFrom: [3, 'opaque'] })],
  resources: [8, msg({ limits: [1, 'quantities'], requests: [2, 'quantities'], claims: [3, 'opaque'] })],
  volumeMounts: [
    9,
    msg({
      name: [1, 'string'],
      readOnly: [2, 'bool'],
      mountPath: [3, 'string'],
      subPath: [4, 'string'],
      mountPropagation: [5, 'string'],
      subPathExpr: [6, 'string'],
    }),
  ],
  livenessProbe: [10, 'opaque'],
  readinessProbe: [11, 'opaque'],
  lifecycle: [12, 'opaque'],
  terminationMessagePath: [13, 'string'],
  imagePullPolicy: [14, 'string'],
  securityContext: [15, 'opaque'],
  stdin: [16, 'bool'],
  stdinOnce: [17, 'bool'],
  tty: [18, 'bool'],
  envFrom: [19, 'opaque'],
  terminationMessagePolicy: [20, 'string'],
  volumeDevices: [21, 'opaque'],
  startupProbe: [22, 'opaque'],
  resizePolicy: [23, 'opaque'],
  restartPolicy: [24, 'string'],
});
const POD_SPEC = msg({
  volumes: [1, VOLUME],
  containers: [2, CONTAINER],
  restartPolicy: [3, 'string'],
  terminationGracePeriodSeconds: [4, 'int'],
  activeDeadlineSeconds: [5, 'int'],
  dnsPolicy: [6, 'string'],
  nodeSelector: [7, 'map'],
  serviceAccountName: [8, 'string'],
  serviceAccount: [9, 'string'],
  nodeName: [10, 'string'],
  hostNetwork: [11, 'bool'],
  hostPID: [12, 'bool'],
  hostIPC: [13, 'bool'],
  securityContext: [14, 'opaque'],
  imagePullSecrets: [15, 'opaque'],
  hostname: [16, 'string'],
  subdomain: [17, 'string'],
  affinity: [18, 'opaque'],
  schedulerName: [19, 'string'],
  initContainers: [20, CONTAINER],
  automountServiceAccountToken: [21, 'bool'],
  tolerations: [
    22,
    msg({
      key: [1, 'string'],
      operator: [2, 'string'],
      value: [3, 'string'],
      effect: [4, 'string'],
      tolerationSeconds: [5, 'int'],
    }),
  ],
  priorityClassName: [24, 'string'],
  priority: [25, 'int'],
  enableServiceLinks: [30, 'bool'],
  preemptionPolicy: [31, 'string'],
});
const TERMINATED = msg({
  exitCode: [1, 'int'],
  signal: [2, 'int'],
  reason: [3, 'string'],
  message: [4, 'string'],
  startedAt: [5, 'time'],
  finishedAt: [6, 'time'],
  containerID: [7, 'string'],
});
const CONTAINER_STATE = msg({
  waiting: [1, msg({ reason: [1, 'string'], message: [2, 'string'] })],
  running: [2, msg({ startedAt: [1, 'time'] })],
  terminated: [3, TERMINATED],
});
const CONTAINER_STATUS = msg({
  name: [1, 'string'],
  state: [2, CONTAINER_STATE],
  lastState: [3, CONTAINER_STATE],
  ready: [4, 'bool'],
  restartCount: [5, 'int'],
  image: [6, 'string'],
  imageID: [7, 'string'],
  containerID: [8, 'string'],
  started: [9, 'bool'],
});
const IP = msg({ ip: [1, 'string'] });
const POD_STATUS = msg({
  phase: [1, 'string'],
  conditions: [
    2,
    msg({
      type: [1, 'string'],
      status: [2, 'string'],
      lastProbeTime: [3, 'time'],
      lastTransitionTime: [4, 'time'],
      reason: [5, 'string'],
      message: [6, 'string'],
    }),
  ],
  message: [3, 'string'],
  reason: [4, 'string'],
  hostIP: [5, 'string'],
  podIP: [6, 'string'],
  startTime: [7, 'time'],
  containerStatuses: [8, CONTAINER_STATUS],
  qosClass: [9, 'string'],
  initContainerStatuses: [10, CONTAINER_STATUS],
  nominatedNodeName: [11, 'string'],
  podIPs: [12, IP],
  ephemeralContainerStatuses: [13, CONTAINER_STATUS],
  hostIPs: [16, IP],
});
const POD = msg({ metadata: [1, OBJECT_META], spec: [2, POD_SPEC], status: [3, POD_STATUS] });
/** A JSON key no table names: kept, as opaque bytes, under a field number no reader knows. */
const UNKNOWN_FIELD = 9999;

/** One Pod as protobuf bytes (no magic, no envelope: a PodList's item). */
export function encodePod(pod: Json): Buffer {
  const w = new Writer();
  message(w, POD, pod);
  return w.bytes();
}

/**
 * encodePod for one simulated API server, remembering each pod's bytes as the watch cache holds
 * its objects ready to send: this encoder is JavaScript building many small buffers, and 30,000
 * pods a request would otherwise make the simulator, not the client, set a listing's time. Keyed
 * by a digest of the pod's JSON, so a pod changed by a test without a new resourceVersion is
 * encoded afresh (and simulated clusters, which reuse uids, never share an entry).
 */
export function podEncoder(): (pod: Json) => Buffer {
  const encoded = new Map<string, Buffer>();
  return (pod) => {
    const key = createHash('sha1').update(JSON.stringify(pod)).digest('base64');
    let bytes = encoded.get(key);
    if (!bytes) {
      if (encoded.size >= ENCODED_MAX) encoded.clear();
      bytes = encodePod(pod);
      encoded.set(key, bytes);
    }
    return bytes;
  };
}

/** About 0.7 KB a simulated pod: 200,000 of them stay under 150 MB. */
const ENCODED_MAX = 200_000;

const MAGIC = Buffer.from('k8s\0', 'latin1');

/**
 * A PodList answer up to its first item: magic, envelope (`raw` = the List, whose length must be
 * known first, so the caller passes the items' total size from podListItem) and the ListMeta.
 */
export function podListHead(itemsBytes: number, meta: { resourceVersion: string; continue?: string }): Buffer {
  const listMeta = new Writer();
  listMeta.string(2, meta.resourceVersion);
  if (meta.continue) listMeta.string(3, meta.continue);
  const metaField = new Writer();
  metaField.bytesField(1, listMeta.bytes());
  const head = new Writer();
  const typeMeta = new Writer();
  typeMeta.string(1, 'v1');
  typeMeta.string(2, 'PodList');
  head.bytesField(1, typeMeta.bytes());
  head.tag(2, 2);
  head.varint(metaField.length + itemsBytes);
  return Buffer.concat([MAGIC, head.bytes(), metaField.bytes()]);
}

/** An item of a PodList (field 2) as it sits in the list. */
export function podListItem(item: Buffer): Buffer {
  const w = new Writer();
  w.bytesField(2, item);
  return w.bytes();
}

function message(w: Writer, m: Message, obj: Json): void {
  let inline: Json | undefined;
  for (const [key, value] of Object.entries(obj)) {
    if (value === null || value === undefined) continue;
    const spec = m.fields[key];
    if (!spec && m.inline) (inline ??= {})[key] = value;
    else if (!spec) w.bytesField(UNKNOWN_FIELD, Buffer.from(JSON.stringify({ [key]: value })));
    else for (const v of Array.isArray(value) ? value : [value]) field(w, spec[0], spec[1], v);
  }
  if (inline && m.inline) {
    const sub = new Writer();
    message(sub, m.inline[1], inline);
    w.bytesField(m.inline[0], sub.bytes());
  }
}

function field(w: Writer, n: number, kind: Kind, v: unknown): void {
  if (typeof kind === 'object') {
    const sub = new Writer();
    message(sub, kind, v as Json);
    return w.bytesField(n, sub.bytes());
  }
  switch (kind) {
    case 'string':
      return w.string(n, String(v));
    case 'int':
      w.tag(n, 0);
      return w.signed(Number(v));
    case 'bool':
      w.tag(n, 0);
      return w.varint(v ? 1 : 0);
    case 'time': {
      const ms = Date.parse(String(v));
      const t = new Writer();
      t.tag(1, 0);
      t.varint(Math.floor(ms / 1000));
      return w.bytesField(n, t.bytes());
    }
    case 'map':
    case 'quantities':
      for (const [key, value] of Object.entries(v as Json)) {
        const entry = new Writer();
        entry.string(1, key);
        if (kind === 'map') entry.string(2, String(value));
        else {
          const q = new Writer();
          q.string(1, String(value));
          entry.bytesField(2, q.bytes());
        }
        w.bytesField(n, entry.bytes());
      }
      return;
    case 'fieldsV1': {
      const raw = new Writer();
      raw.bytesField(1, Buffer.from(JSON.stringify(v)));
      return w.bytesField(n, raw.bytes());
    }
    case 'opaque':
      return w.bytesField(n, Buffer.from(JSON.stringify(v)));
  }
}

/** Appends protobuf wire format to a growing list of parts. */
class Writer {
  private parts: Buffer[] = [];
  length = 0;

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  varint(value: number): void {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80) {
      out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.push(Buffer.from(out));
  }

  /** An int32/int64 field's value: negative numbers as 10-byte two's complement, as Go writes them. */
  signed(value: number): void {
    if (value >= 0) return this.varint(value);
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Buffer.from(out));
  }

  string(field: number, value: string): void {
    this.bytesField(field, Buffer.from(value));
  }

  bytesField(field: number, value: Buffer): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
}
