/**
 * @module sim/pod-protobuf
 * The simulated API server's protobuf encoding of Pods and PodLists, as a real API server sends
 * them to a client that asks for `application/vnd.kubernetes.protobuf`: the magic `k8s\0`, then a
 * `runtime.Unknown` envelope (typeMeta, raw = the PodList, contentEncoding, contentType).
 *
 * Encoded by protobufjs from the official `.proto` files (test/fixtures/kubernetes-proto, k8s.io
 * api and apimachinery v0.36.3), never by hand, so the reader under test (decode/pod-protobuf,
 * kube/protobuf-list-splitter) and this writer cannot share a mistake. What the `.proto` files do
 * not say, which fields Go writes when they are empty, follows sim/go-presence.
 */
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { FIXTURES_DIR } from '#test/helpers/paths';
import { ALWAYS_MESSAGES, EMBEDDED, POINTER_SCALARS } from '#test/sim/go-presence';

type Json = Record<string, unknown>;

const PROTO_DIR = `${FIXTURES_DIR}/kubernetes-proto`;

let root: protobuf.Root | undefined;

/** The official definitions, loaded once (protobufjs resolves the imports under PROTO_DIR). */
export function kubernetesProto(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => `${PROTO_DIR}/${target}`;
  r.loadSync('k8s.io/api/core/v1/generated.proto', { keepCase: true });
  r.resolveAll();
  root = r;
  return r;
}

const type = (name: string): protobuf.Type => kubernetesProto().lookupType(name);
const POD = 'k8s.io.api.core.v1.Pod';
const POD_LIST = 'k8s.io.api.core.v1.PodList';
const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

/** One Pod as protobuf bytes (no magic, no envelope: a PodList's item). */
export function encodePod(pod: Json): Buffer {
  const { apiVersion: _v, kind: _k, ...rest } = pod;
  const t = type(POD);
  return Buffer.from(t.encode(toMessage(t, rest)).finish());
}

/**
 * encodePod for one simulated API server, remembering each pod's bytes as the watch cache holds
 * its objects ready to send: 30,000 pods a request would otherwise make the simulator, not the
 * client, set a listing's time. Keyed by a digest of the pod's JSON, so a pod changed by a test
 * without a new resourceVersion is encoded afresh.
 */
export function podEncoder(): (pod: Json) => Buffer {
  // Loaded now, as the cluster starts: parsing the .proto files takes a few hundred ms, which
  // would otherwise land in the first listing's time.
  kubernetesProto();
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

/** About 1 KB a simulated pod: 200,000 of them stay under 200 MB. */
const ENCODED_MAX = 200_000;

export const MAGIC = Buffer.from('k8s\0', 'latin1');

export interface ListMetaJson {
  resourceVersion: string;
  continue?: string;
}

/**
 * A PodList answer up to its first item: magic, the envelope's typeMeta and the header of `raw`
 * (the List, whose length comes first, so the caller passes the items' total size from
 * podListItem), then the List's metadata. podListTail ends the answer.
 */
export function podListHead(itemsBytes: number, meta: ListMetaJson): Buffer {
  const list = type(POD_LIST);
  const metaField = Buffer.from(list.encode(toMessage(list, { metadata: meta })).finish());
  const typeMeta = type(UNKNOWN)
    .encode({ typeMeta: { apiVersion: 'v1', kind: 'PodList' } })
    .finish();
  const raw = protobuf.Writer.create()
    .uint32((2 << 3) | 2)
    .uint32(metaField.length + itemsBytes)
    .finish();
  return Buffer.concat([MAGIC, typeMeta, raw, metaField]);
}

/** An item of a PodList (field 2) as it sits in the list. */
export function podListItem(item: Buffer): Buffer {
  const head = protobuf.Writer.create()
    .uint32((2 << 3) | 2)
    .uint32(item.length)
    .finish();
  return Buffer.concat([head, item]);
}

/** The envelope's last fields, which Go writes even empty: `1a 00 22 00`. */
export function podListTail(): Buffer {
  return Buffer.from(type(UNKNOWN).encode({ contentEncoding: '', contentType: '' }).finish());
}

/** A whole PodList answer, as podListHead + podListItem… + podListTail. */
export function podListBody(pods: Json[], meta: ListMetaJson): Buffer {
  const items = pods.map((p) => podListItem(encodePod(p)));
  const total = items.reduce((n, b) => n + b.length, 0);
  return Buffer.concat([podListHead(total, meta), ...items, podListTail()]);
}

/** The same answer encoded by protobufjs in one piece: what podListBody must equal. */
export function podListBodyWhole(pods: Json[], meta: ListMetaJson): Buffer {
  const list = type(POD_LIST);
  const pod = type(POD);
  const raw = list.encode({ ...toMessage(list, { metadata: meta }), items: pods.map((p) => podMessage(pod, p)) });
  const envelope = type(UNKNOWN).encode({
    typeMeta: { apiVersion: 'v1', kind: 'PodList' },
    raw: raw.finish(),
    contentEncoding: '',
    contentType: '',
  });
  return Buffer.concat([MAGIC, envelope.finish()]);
}

function podMessage(t: protobuf.Type, pod: Json): Json {
  const { apiVersion: _v, kind: _k, ...rest } = pod;
  return toMessage(t, rest);
}

/** Kubernetes JSON → the plain object protobufjs encodes, following Go's presence rules. */
function toMessage(t: protobuf.Type, json: Json): Json {
  const special = SPECIAL[t.name];
  if (special) return special(json);
  const out: Json = {};
  const used = new Set<string>();
  const pointers = POINTER_SCALARS[t.name] ?? [];
  const always = ALWAYS_MESSAGES[t.name] ?? [];
  for (const f of t.fieldsArray) {
    let value = json[f.name];
    if (value !== undefined) used.add(f.name);
    if (EMBEDDED.has(f.name) && value === undefined && f.resolvedType instanceof protobuf.Type) {
      value = embedded(f.resolvedType, json, used);
    }
    const v = fieldValue(f, value, pointers.includes(f.name), always.includes(f.name));
    if (v !== undefined) out[f.name] = v;
  }
  const unknown = Object.keys(json).filter((k) => !used.has(k) && json[k] !== undefined);
  if (unknown.length > 0) throw new Error(`${t.name} has no field ${unknown.join(', ')} in the official .proto`);
  return out;
}

/** The keys of `json` that belong to an embedded struct, taken out of the parent. */
function embedded(t: protobuf.Type, json: Json, used: Set<string>): Json {
  const out: Json = {};
  for (const f of t.fieldsArray) {
    if (json[f.name] !== undefined) {
      out[f.name] = json[f.name];
      used.add(f.name);
    }
  }
  for (const f of t.fieldsArray) {
    if (EMBEDDED.has(f.name) && f.resolvedType instanceof protobuf.Type)
      Object.assign(out, embedded(f.resolvedType, json, used));
  }
  return out;
}

function fieldValue(f: protobuf.Field, value: unknown, pointer: boolean, always: boolean): unknown {
  const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
  if (f.map) {
    const entries = Object.entries((value ?? {}) as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([k, v]) => [k, sub ? toMessage(sub, wrap(sub, v)) : String(v)]));
  }
  if (f.repeated) {
    const list = Array.isArray(value) ? value : [];
    if (list.length === 0) return undefined;
    return list.map((v) => (sub ? toMessage(sub, wrap(sub, v)) : scalar(f.type, v)));
  }
  if (sub) {
    // A JSON null is Go's zero Time (non-pointer): written as an empty message.
    if (value === undefined && !always) return undefined;
    return toMessage(sub, wrap(sub, value ?? (SPECIAL[sub.name] ? null : {})));
  }
  if (value === undefined || value === null) return pointer ? undefined : zero(f.type);
  return scalar(f.type, value);
}

/** Types whose JSON is not an object (a time's text, a quantity's text, an int-or-string). */
function wrap(t: protobuf.Type, v: unknown): Json {
  return SPECIAL[t.name] ? ({ value: v } as Json) : ((v ?? {}) as Json);
}

const SPECIAL: Record<string, (j: Json) => Json> = {
  Time: ({ value }) => time(value),
  MicroTime: ({ value }) => time(value),
  Quantity: ({ value }) => ({ string: String(value) }),
  IntOrString: ({ value }) =>
    typeof value === 'number' ? { type: 0, intVal: value, strVal: '' } : { type: 1, intVal: 0, strVal: String(value) },
  FieldsV1: ({ value }) => ({ Raw: Buffer.from(JSON.stringify(value)) }),
};

/** metav1.Time: a zero time is an empty message; otherwise seconds and nanos, both always. */
function time(v: unknown): Json {
  if (v === null || v === undefined || v === '') return {};
  const text = String(v);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`not an RFC 3339 time: ${text}`);
  const seconds = Math.floor(ms / 1000);
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? '';
  const nanos = Number(fraction.padEnd(9, '0').slice(0, 9));
  return { seconds, nanos };
}

function zero(t: string): unknown {
  if (t === 'string') return '';
  if (t === 'bool') return false;
  if (t === 'bytes') return undefined;
  return 0;
}

function scalar(t: string, v: unknown): unknown {
  if (t === 'string') return String(v);
  if (t === 'bool') return Boolean(v);
  if (t === 'bytes') return Buffer.from(String(v), 'base64');
  return Number(v);
}
