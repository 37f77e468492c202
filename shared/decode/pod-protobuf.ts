/**
 * @module decode/pod-protobuf
 * A Pod in the API server's protobuf encoding → the same PodInfo as decode/objects' decodePod
 * reads from JSON. Only the fields a run needs are read; the rest are skipped by length.
 * Field numbers are those of k8s.io/api/core/v1 and k8s.io/apimachinery meta/v1 generated.proto,
 * which never renumber (protobuf compatibility is part of the Kubernetes API's guarantees). Pure.
 */
import type { ContainerSpec, PodInfo, Termination } from '#shared/model';
import { ProtoCursor, VARINT } from '#shared/decode/protobuf';
import { controllerOf, resources } from '#shared/decode/objects';
import { LabelsCap } from '#shared/decode/labels';
import { intern } from '#shared/decode/intern';

/** What decodePod reads of a container status. */
interface Status {
  restartCount: number;
  lastTermination?: Termination;
}

/** `Pod`: metadata = 1, spec = 2, status = 3. */
export function decodePodProtobuf(buf: Buffer, start = 0, end = buf.length): PodInfo | undefined {
  const pod = new ProtoCursor(buf, start, end);
  let meta: Meta | undefined;
  let spec: Spec | undefined;
  let statuses: Map<string, Status> | undefined;
  while (pod.next()) {
    if (pod.field === 1) meta = objectMeta(pod);
    else if (pod.field === 2) spec = podSpec(pod);
    else if (pod.field === 3) statuses = podStatus(pod);
    else pod.skip();
  }
  if (!meta?.name || !meta.namespace) return undefined;
  const owner = controllerOf(meta.owners);
  const containers: ContainerSpec[] = (spec?.containers ?? []).map((c) => {
    const status = statuses?.get(c.name);
    return {
      name: c.name,
      image: c.image,
      requests: resources(c.requests),
      limits: resources(c.limits),
      restartCount: status?.restartCount ?? 0,
      ...(status?.lastTermination ? { lastTermination: status.lastTermination } : {}),
    };
  });
  return {
    name: meta.name,
    namespace: meta.namespace,
    uid: meta.uid,
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    labels: meta.labels.labels,
    ...(meta.labels.dropped > 0 ? { labelsDropped: meta.labels.dropped } : {}),
    containers,
    ...(owner ? { owner } : {}),
  };
}

interface Meta {
  name: string;
  namespace: string;
  uid: string;
  labels: LabelsCap;
  owners: Array<{ kind: string; name: string; controller: boolean }>;
}

/**
 * Each reader below takes the cursor on the field holding its message, reads that message and
 * leaves the cursor just past it.
 */

/** `ObjectMeta`: name = 1, namespace = 3, uid = 5, labels = 11, ownerReferences = 13. */
function objectMeta(m: ProtoCursor): Meta {
  const out: Meta = { name: '', namespace: '', uid: '', labels: new LabelsCap(), owners: [] };
  const outer = m.enter();
  while (m.next()) {
    switch (m.field) {
      case 1:
        out.name = m.string();
        break;
      case 3:
        out.namespace = intern(m.string());
        break;
      case 5:
        out.uid = m.string();
        break;
      case 11:
        label(m, out.labels);
        break;
      case 13:
        out.owners.push(ownerReference(m));
        break;
      default:
        m.skip();
    }
  }
  m.leave(outer);
  return out;
}

/** `OwnerReference`: kind = 1, name = 3, controller = 6. */
function ownerReference(m: ProtoCursor): { kind: string; name: string; controller: boolean } {
  const out = { kind: '', name: '', controller: false };
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) out.kind = intern(m.string());
    else if (m.field === 3) out.name = intern(m.string());
    else if (m.field === 6) out.controller = m.bool();
    else m.skip();
  }
  m.leave(outer);
  return out;
}

/** One `labels` entry (key = 1, value = 2), kept while the pod's cap allows. */
function label(m: ProtoCursor, out: LabelsCap): void {
  let key = '';
  let value = '';
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) key = intern(m.string());
    else if (m.field === 2) value = intern(m.string());
    else m.skip();
  }
  m.leave(outer);
  if (key) out.add(key, value);
}

/** One `map<string, Quantity>` entry (key = 1, value = 2, a `resource.Quantity` whose text is its field 1). */
function quantityEntry(m: ProtoCursor, out: Record<string, string>): void {
  let key = '';
  let value = '';
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) key = m.string();
    else if (m.field === 2) value = quantityText(m);
    else m.skip();
  }
  m.leave(outer);
  if (key) out[key] = value;
}

function quantityText(m: ProtoCursor): string {
  let text = '';
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) text = m.string();
    else m.skip();
  }
  m.leave(outer);
  return text;
}

interface Spec {
  nodeName: string;
  containers: Array<{ name: string; image: string; requests: Record<string, string>; limits: Record<string, string> }>;
}

/** `PodSpec`: containers = 2, nodeName = 10. */
function podSpec(m: ProtoCursor): Spec {
  const out: Spec = { nodeName: '', containers: [] };
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 2) {
      const c = container(m);
      if (c.name) out.containers.push(c);
    } else if (m.field === 10) out.nodeName = intern(m.string());
    else m.skip();
  }
  m.leave(outer);
  return out;
}

/** `Container`: name = 1, image = 2, resources = 8 (`ResourceRequirements`: limits = 1, requests = 2). */
function container(m: ProtoCursor): Spec['containers'][number] {
  const out = { name: '', image: '', requests: {}, limits: {} };
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) out.name = intern(m.string());
    else if (m.field === 2) out.image = intern(m.string());
    else if (m.field === 8) resourceRequirements(m, out);
    else m.skip();
  }
  m.leave(outer);
  return out;
}

/** `ResourceRequirements`: limits = 1, requests = 2. */
function resourceRequirements(
  m: ProtoCursor,
  out: { requests: Record<string, string>; limits: Record<string, string> },
): void {
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) quantityEntry(m, out.limits);
    else if (m.field === 2) quantityEntry(m, out.requests);
    else m.skip();
  }
  m.leave(outer);
}

/** `PodStatus`: containerStatuses = 8. */
function podStatus(m: ProtoCursor): Map<string, Status> {
  const out = new Map<string, Status>();
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 8) {
      const [name, status] = containerStatus(m);
      out.set(name, status);
    } else m.skip();
  }
  m.leave(outer);
  return out;
}

/** `ContainerStatus`: name = 1, lastState = 3, restartCount = 5. */
function containerStatus(m: ProtoCursor): [string, Status] {
  let name = '';
  const status: Status = { restartCount: 0 };
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1) name = m.string();
    else if (m.field === 5) status.restartCount = Math.max(0, m.int32());
    else if (m.field === 3) {
      const last = terminated(m);
      if (last) status.lastTermination = last;
    } else m.skip();
  }
  m.leave(outer);
  return [name, status];
}

/** `ContainerState`: terminated = 3. */
function terminated(m: ProtoCursor): Termination | undefined {
  let out: Termination | undefined;
  const state = m.enter();
  while (m.next()) {
    if (m.field === 3) out = terminatedState(m);
    else m.skip();
  }
  m.leave(state);
  return out;
}

/** `ContainerStateTerminated`: exitCode = 1, reason = 3, finishedAt = 6. */
function terminatedState(m: ProtoCursor): Termination {
  const outer = m.enter();
  let exitCode = 0;
  let reason = '';
  let finishedAtMs: number | undefined;
  while (m.next()) {
    if (m.field === 1) exitCode = m.int32();
    else if (m.field === 3) reason = m.string();
    else if (m.field === 6) finishedAtMs = timeMs(m);
    else m.skip();
  }
  m.leave(outer);
  return { reason: reason || 'Unknown', exitCode, ...(finishedAtMs !== undefined ? { finishedAtMs } : {}) };
}

/**
 * A meta/v1 `Time`: seconds = 1 (int64), nanos = 2. Go writes a zero time (`finishedAt: null`
 * in JSON) as an empty message. As decodePod reads the JSON, a time not after 1970 (the zero
 * time, or a clock that was never set) is unset: undefined.
 */
function timeMs(m: ProtoCursor): number | undefined {
  let seconds = 0;
  let nanos = 0;
  const outer = m.enter();
  while (m.next()) {
    if (m.field === 1 && m.wire === VARINT) seconds = m.int64();
    else if (m.field === 2 && m.wire === VARINT) nanos = m.int32();
    else m.skip();
  }
  m.leave(outer);
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  return ms > 0 ? ms : undefined;
}
