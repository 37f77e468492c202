/**
 * @module decode/objects
 * Node and Pod API objects → the few fields a run needs. Pure. Accepts plain JSON or the
 * client package's typed objects (same field names); unknown shapes give empty values.
 */
import type { ContainerSpec, NodeInfo, OwnedObject, OwnerRef, PodInfo, Resources, Termination } from '#shared/model';
import { parseMillicores, parseQuantity } from '#shared/decode/quantity';
import { arr, obj, text, timeMs } from '#shared/decode/fields';
import { LabelsCap } from '#shared/decode/labels';

type Obj = Record<string, unknown>;

export function decodeNode(node: unknown): NodeInfo | undefined {
  const n = obj(node);
  const meta = obj(n?.['metadata']);
  const name = text(meta?.['name']);
  if (!n || !name) return undefined;
  const status = obj(n['status']);
  const port = obj(obj(obj(status?.['daemonEndpoints'])?.['kubeletEndpoint']))?.['Port'];
  const ready = arr(status?.['conditions'])
    .map(obj)
    .find((c) => c?.['type'] === 'Ready');
  return {
    name,
    labels: stringMap(meta?.['labels']),
    addresses: arr(status?.['addresses'])
      .map(obj)
      .flatMap((a) => {
        const type = text(a?.['type']);
        const address = text(a?.['address']);
        return type && address ? [{ type, address }] : [];
      }),
    ...(typeof port === 'number' && port > 0 ? { kubeletPort: port } : {}),
    capacity: resources(status?.['capacity']),
    allocatable: resources(status?.['allocatable']),
    ready: !ready || ready['status'] === 'True',
  };
}

export function decodePod(pod: unknown): PodInfo | undefined {
  const p = obj(pod);
  const meta = obj(p?.['metadata']);
  const name = text(meta?.['name']);
  const namespace = text(meta?.['namespace']);
  if (!p || !name || !namespace) return undefined;
  const spec = obj(p['spec']);
  const statuses = new Map(
    arr(obj(p['status'])?.['containerStatuses'])
      .map(obj)
      .map((s) => [text(s?.['name']) ?? '', s]),
  );
  const nodeName = text(spec?.['nodeName']);
  const owner = controllerOf(meta?.['ownerReferences']);
  const labels = new LabelsCap();
  for (const [k, v] of Object.entries(obj(meta?.['labels']) ?? {})) if (typeof v === 'string') labels.add(k, v);
  return {
    name,
    namespace,
    uid: text(meta?.['uid']) ?? '',
    ...(nodeName ? { nodeName } : {}),
    labels: labels.labels,
    ...(labels.dropped > 0 ? { labelsDropped: labels.dropped } : {}),
    containers: arr(spec?.['containers'])
      .map(obj)
      .flatMap((c) => {
        const spec = container(c, statuses);
        return spec ? [spec] : [];
      }),
    ...(owner ? { owner } : {}),
  };
}

/** A ReplicaSet or Job → namespace, name and controller only (all a workload lookup needs). */
export function decodeOwned(item: unknown): OwnedObject | undefined {
  const meta = obj(obj(item)?.['metadata']);
  const name = text(meta?.['name']);
  const namespace = text(meta?.['namespace']);
  if (!name || !namespace) return undefined;
  const owner = controllerOf(meta?.['ownerReferences']);
  return { namespace, name, ...(owner ? { owner } : {}) };
}

/** The controller ownerReference (else the first one): `kind` and `name` only. */
export function controllerOf(refs: unknown): OwnerRef | undefined {
  const list = arr(refs).map(obj);
  const ref = list.find((r) => r?.['controller'] === true) ?? list[0];
  const kind = text(ref?.['kind']);
  const name = text(ref?.['name']);
  return kind && name ? { kind, name } : undefined;
}

/** `lastState.terminated` of a container status: what explains its latest restart. */
function termination(status: Obj | undefined): Termination | undefined {
  const t = obj(obj(status?.['lastState'])?.['terminated']);
  const code = t?.['exitCode'];
  if (!t || typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  // The client package hands typed objects, with times as Date; plain JSON has RFC 3339 text.
  const finished = t['finishedAt'];
  const finishedAtMs = finished instanceof Date ? finished.getTime() : timeMs(finished);
  return {
    reason: text(t['reason']) || 'Unknown',
    exitCode: code,
    ...(finishedAtMs !== undefined ? { finishedAtMs } : {}),
  };
}

function container(c: Obj | undefined, statuses: Map<string, Obj | undefined>): ContainerSpec | undefined {
  const name = text(c?.['name']);
  if (!c || !name) return undefined;
  const res = obj(c['resources']);
  const status = statuses.get(name);
  const restarts = status?.['restartCount'];
  const last = termination(status);
  return {
    name,
    image: text(c['image']) ?? '',
    requests: resources(res?.['requests']),
    limits: resources(res?.['limits']),
    restartCount: typeof restarts === 'number' && restarts >= 0 ? restarts : 0,
    ...(last ? { lastTermination: last } : {}),
  };
}

/** `{cpu: "250m", memory: "64Mi", "nvidia.com/gpu": "1"}` → millicores, bytes, counts. */
export function resources(list: unknown): Resources {
  const out: Resources = {};
  for (const [key, raw] of Object.entries(obj(list) ?? {})) {
    if (key === 'cpu') assign(out, 'cpuMillicores', parseMillicores(raw));
    else if (key === 'memory') assign(out, 'memoryBytes', parseQuantity(raw));
    else if (key === 'ephemeral-storage') assign(out, 'ephemeralStorageBytes', parseQuantity(raw));
    else {
      const v = parseQuantity(raw);
      if (v !== undefined) (out.other ??= {})[key] = v;
    }
  }
  return out;
}

function assign(
  out: Resources,
  key: 'cpuMillicores' | 'memoryBytes' | 'ephemeralStorageBytes',
  v: number | undefined,
): void {
  if (v !== undefined) out[key] = v;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}
