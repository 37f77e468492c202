import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePod } from '#shared/decode/objects';
import { decodePodProtobuf } from '#shared/decode/pod-protobuf';
import { ProtobufError } from '#shared/decode/protobuf';
import { ProtobufListSplitter } from '#shared/kube/protobuf-list-splitter';
import { createListClient } from '#shared/kube/stream-list';
import { loadKubeConfig } from '#shared/kube/config';
import type { PodInfo } from '#shared/model';
import { encodePod, kubernetesProto, podListBody, podListBodyWhole } from '#test/sim/pod-protobuf';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { FIXTURES_DIR } from '#test/helpers/paths';

type Json = Record<string, unknown>;

const REAL_PODS = [
  'pods_k8s-1.35_minikube_nri-kubernetes_from-kubectl-yaml.json',
  'pods_k8s-1.16_minikube_nri-kubernetes_from-kubectl-yaml.json',
];

function realPods(file: string): Json[] {
  return (JSON.parse(readFileSync(`${FIXTURES_DIR}/apiserver/${file}`, 'utf8')) as { items: Json[] }).items;
}

function listBytes(pods: Json[], meta: { resourceVersion: string; continue?: string }): Buffer {
  return podListBody(pods, meta);
}

describe('a Pod read from its protobuf encoding', () => {
  it.each(REAL_PODS)('gives the same PodInfo as its JSON, for every pod of %s', (file) => {
    const pods = realPods(file);
    expect(pods.length).toBeGreaterThan(10);
    for (const pod of pods) expect(decodePodProtobuf(encodePod(pod))).toEqual(decodePod(pod));
  });

  it('reads a restart’s termination, owners, quantities and a negative exit code', () => {
    const pod = {
      metadata: {
        name: 'web-1',
        namespace: 'shop',
        uid: 'u-1',
        labels: { app: 'web', note: 'a b,c=d"e' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'x' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4', uid: 'y', controller: true },
        ],
      },
      spec: {
        nodeName: 'node-7',
        containers: [
          {
            name: 'app',
            image: 'nginx',
            resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { 'nvidia.com/gpu': '1' } },
          },
        ],
      },
      status: {
        containerStatuses: [
          {
            name: 'app',
            restartCount: 3,
            lastState: { terminated: { exitCode: -1, reason: 'Error', finishedAt: '2026-11-30T06:00:01Z' } },
          },
        ],
      },
    };
    const decoded = decodePodProtobuf(encodePod(pod)) as PodInfo;
    expect(decoded).toEqual(decodePod(pod));
    expect(decoded).toMatchObject({
      nodeName: 'node-7',
      owner: { kind: 'ReplicaSet', name: 'web-5d4' },
      labels: { note: 'a b,c=d"e' },
      containers: [
        {
          requests: { cpuMillicores: 250, memoryBytes: 64 * 1024 * 1024 },
          limits: { other: { 'nvidia.com/gpu': 1 } },
          restartCount: 3,
          lastTermination: { exitCode: -1, reason: 'Error', finishedAtMs: Date.parse('2026-11-30T06:00:01Z') },
        },
      ],
    });
  });

  it('names what is wrong with bytes that are not a message', () => {
    const good = encodePod(realPods(REAL_PODS[0] as string)[0] as Json);
    expect(() => decodePodProtobuf(good.subarray(0, good.length - 3))).toThrow(ProtobufError);
    expect(() => decodePodProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/past the end/);
    expect(() => decodePodProtobuf(Buffer.from([0x27, 0x00]))).toThrow(/wire type 7/);
    expect(() => decodePodProtobuf(Buffer.from([0x0d, 0x00]))).toThrow(/field 1 is not length-delimited/);
  });
});

/** A pod whose one container last terminated at `finishedAt` (JSON; null is Go's zero time). */
function terminatedAt(finishedAt: string | null): Json {
  return {
    metadata: { name: 'p', namespace: 'n', uid: 'u', creationTimestamp: null },
    spec: { containers: [{ name: 'c', image: 'i' }] },
    status: {
      containerStatuses: [
        {
          name: 'c',
          restartCount: 1,
          lastState: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', finishedAt } },
        },
      ],
    },
  };
}

describe('times as a Go API server writes them', () => {
  const last = (pod: Json) => decodePodProtobuf(encodePod(pod))?.containers[0]?.lastTermination;

  it('a zero time (finishedAt: null) is an empty message, read as unset like the JSON', () => {
    const pod = terminatedAt(null);
    const status = kubernetesProto().lookupType('k8s.io.api.core.v1.Pod').decode(encodePod(pod)).toJSON() as {
      status: { containerStatuses: Array<{ lastState: { terminated: Json } }> };
    };
    expect(status.status.containerStatuses[0]?.lastState.terminated['finishedAt']).toEqual({});
    expect(last(pod)).toEqual({ reason: 'ContainerStatusUnknown', exitCode: 137 });
    expect(decodePodProtobuf(encodePod(pod))).toEqual(decodePod(pod));
  });

  it('a time before 1970 reads as the JSON reads it (unset), not as 1.8e22', () => {
    const pod = terminatedAt('1969-07-20T20:17:40Z');
    expect(last(pod)?.finishedAtMs).toBeUndefined();
    expect(decodePodProtobuf(encodePod(pod))).toEqual(decodePod(pod));
  });

  it('nanos are written and read', () => {
    const pod = terminatedAt('2026-11-30T06:00:01.25Z');
    expect(last(pod)?.finishedAtMs).toBe(Date.parse('2026-11-30T06:00:01.25Z'));
  });
});

describe('the simulator writes what a Go API server writes', () => {
  const Pod = () => kubernetesProto().lookupType('k8s.io.api.core.v1.Pod');

  it('non-pointer fields even empty, pointer fields only when set, zero times as empty messages', () => {
    const decoded = Pod().decode(encodePod(terminatedAt(null))) as unknown as {
      metadata: Json;
      spec: { containers: Json[] };
    };
    // ObjectMeta: generateName, selfLink, resourceVersion are non-pointer strings; generation an int64.
    for (const f of ['generateName', 'selfLink', 'resourceVersion', 'generation', 'creationTimestamp'])
      expect(Object.hasOwn(decoded.metadata, f), f).toBe(true);
    expect(Object.hasOwn(decoded.metadata, 'deletionGracePeriodSeconds')).toBe(false);
    expect(Object.hasOwn(decoded.spec.containers[0] as Json, 'restartPolicy')).toBe(false);
    expect(Object.hasOwn(decoded.spec.containers[0] as Json, 'resources')).toBe(true);
  });

  it.each(REAL_PODS)('the streamed PodList of %s is the one protobufjs encodes in one piece', (file) => {
    const pods = realPods(file);
    const meta = { resourceVersion: '42', continue: 'abc' };
    const body = podListBody(pods, meta);
    expect(body.equals(podListBodyWhole(pods, meta))).toBe(true);
    expect(body.subarray(-4)).toEqual(Buffer.from([0x1a, 0x00, 0x22, 0x00]));
  });

  it('refuses a JSON key the official .proto does not have, instead of inventing a field', () => {
    expect(() => encodePod({ metadata: { name: 'p', madeUp: 1 } })).toThrow(/ObjectMeta has no field madeUp/);
  });
});

describe('ProtobufListSplitter', () => {
  const pods = realPods(REAL_PODS[0] as string);
  const body = listBytes(pods, { resourceVersion: '42', continue: 'eyJvZmZzZXQiOjJ9' });
  const expected = pods.map((p) => decodePod(p));

  it.each([1, 2, 3, 7, 64, 4096, body.length])('finds every item and the metadata in chunks of %i bytes', (size) => {
    const items: Array<PodInfo | undefined> = [];
    const s = new ProtobufListSplitter((bytes) => items.push(decodePodProtobuf(bytes)));
    for (let i = 0; i < body.length; i += size) s.write(body.subarray(i, i + size));
    s.end();
    expect(items).toEqual(expected);
    expect(s.items).toBe(pods.length);
    expect(s.metadata).toEqual({ resourceVersion: '42', continue: 'eyJvZmZzZXQiOjJ9' });
  });

  it('an empty list, a list cut short, a body that is not Kubernetes protobuf, an absurd length', () => {
    const empty = new ProtobufListSplitter(() => undefined);
    empty.write(listBytes([], { resourceVersion: '1' }));
    expect(() => empty.end()).not.toThrow();
    const cut = new ProtobufListSplitter(() => undefined);
    cut.write(body.subarray(0, body.length - 10));
    expect(() => cut.end()).toThrow(/ended before its last item/);
    const cutTail = new ProtobufListSplitter(() => undefined);
    cutTail.write(body.subarray(0, body.length - 3));
    expect(() => cutTail.end()).toThrow(/ended before its last item/);
    expect(() => new ProtobufListSplitter(() => undefined).write(Buffer.from('{"kind":"PodList"}'))).toThrow(/magic/);
    // Magic and typeMeta (PodList) as in a real body, then a List and an item of 256 MiB each.
    const typeHeader = body.subarray(0, 6 + (body[5] as number));
    const huge = Buffer.concat([
      typeHeader,
      Buffer.from([0x12, 0x80, 0x80, 0x80, 0x80, 0x01, 0x12, 0x80, 0x80, 0x80, 0x80, 0x01]),
    ]);
    expect(() => new ProtobufListSplitter(() => undefined).write(huge)).toThrow(/past the end of the list/);
    const magic = Buffer.from('k8s\0', 'latin1');
    const badWire = Buffer.concat([magic, Buffer.from([0x0f, 0x00])]);
    expect(() => new ProtobufListSplitter(() => undefined).write(badWire)).toThrow(/wire type 7/);
    const root = kubernetesProto();
    const status = root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.Status');
    const statusBody = Buffer.concat([
      magic,
      root
        .lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')
        .encode({
          typeMeta: { apiVersion: 'v1', kind: 'Status' },
          raw: status.encode({ metadata: {}, status: 'Failure', message: 'etcd is gone', code: 500 }).finish(),
          contentEncoding: '',
          contentType: '',
        })
        .finish(),
    ]);
    expect(() => new ProtobufListSplitter(() => undefined).write(statusBody)).toThrow(/a Status, not a list/);
    const longVarint = Buffer.concat([magic, Buffer.from([0x0a, ...Array(11).fill(0xff)])]);
    expect(() => new ProtobufListSplitter(() => undefined).write(longVarint)).toThrow(/longer than 10 bytes/);
  });
});

describe('listing pods from the simulated API server', () => {
  const START = Date.parse('2026-11-30T06:00:00Z');
  let sim: SimCluster;
  let json: SimCluster;
  beforeAll(async () => {
    [sim, json] = await Promise.all([
      startCluster({ nodes: 3, podsPerNode: 7, namespaces: 3, startTimeMs: START }),
      startCluster({ nodes: 3, podsPerNode: 7, namespaces: 3, startTimeMs: START, apiProtobuf: false }),
    ]);
  });
  afterAll(() => Promise.all([sim.stop(), json.stop()]));

  async function list(cluster: SimCluster, pageSize: number, protobuf: boolean) {
    const lists = await createListClient(loadKubeConfig(cluster.kubeconfigPath));
    const fromJson: PodInfo[] = [];
    const fromProtobuf: PodInfo[] = [];
    const opts = { pageSize, timeoutMs: 10_000, what: 'pods' };
    const add = (to: PodInfo[], p: PodInfo | undefined) => p && to.push(p);
    await lists.list(
      '/api/v1/pods',
      {},
      opts,
      (item) => add(fromJson, decodePod(item)),
      protobuf ? (bytes) => add(fromProtobuf, decodePodProtobuf(bytes)) : undefined,
    );
    return { fromJson, fromProtobuf };
  }

  it('asks for protobuf, gets it page by page, and reads the same pods as from JSON', async () => {
    const proto = await list(sim, 5, true);
    const plain = await list(sim, 5, false);
    expect(proto.fromJson).toHaveLength(0);
    expect(proto.fromProtobuf).toHaveLength(21);
    expect(proto.fromProtobuf).toEqual(plain.fromJson);
    expect(proto.fromProtobuf.some((p) => p.containers.some((c) => c.lastTermination))).toBe(true);
  });

  it.each([
    ['protobuf', true],
    ['JSON', false],
  ])('lists the same pods in %s when the server writes 1 byte at a time', async (_, protobuf) => {
    const dribble = await startCluster({
      nodes: 3,
      podsPerNode: 7,
      namespaces: 3,
      startTimeMs: START,
      apiPieceBytes: 1,
      apiProtobuf: protobuf,
    });
    try {
      const r = await list(dribble, 10, true);
      expect(protobuf ? r.fromJson : r.fromProtobuf).toHaveLength(0);
      expect(protobuf ? r.fromProtobuf : r.fromJson).toEqual((await list(sim, 500, false)).fromJson);
    } finally {
      await dribble.stop();
    }
  });

  it('reads JSON from a server that does not send protobuf', async () => {
    const r = await list(json, 5, true);
    expect(r.fromProtobuf).toHaveLength(0);
    expect(r.fromJson).toEqual((await list(sim, 500, false)).fromJson);
  });
});
