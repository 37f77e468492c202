/**
 * What a run keeps of its lists is bounded by design: per pod, the labels it writes up to a cap
 * (counted and logged past it); per list, one item, of at most the client's share of the lists'
 * memory budget, so concurrent lists (a sharded run lists 8 at once) stay within it together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePod } from '#shared/decode/objects';
import { decodePodProtobuf } from '#shared/decode/pod-protobuf';
import { LABELS_MAX_BYTES } from '#shared/decode/labels';
import { labelsTag } from '#shared/derive/tags';
import { loadKubeConfig } from '#shared/kube/config';
import { ListSplitter } from '#shared/kube/list-splitter';
import { ProtobufListSplitter } from '#shared/kube/protobuf-list-splitter';
import { createListClient, LIST_MEMORY_BYTES } from '#shared/kube/stream-list';
import { ProtobufError } from '#shared/decode/protobuf';
import { encodePod, podListBody } from '#test/sim/pod-protobuf';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase } from '#test/helpers/influx';
import { runCollectBundle } from '#test/helpers/collect-bundle';

type Json = Record<string, unknown>;

/** A pod with `count` valid labels of about 70 bytes each (20,000: 1.4 MB). */
function labelled(name: string, count: number): Json {
  const labels: Record<string, string> = {};
  for (let i = 0; i < count; i++)
    labels[`example.com/label-${String(i).padStart(7, '0')}`] = `value-${i}-${'v'.repeat(30)}`;
  return {
    metadata: { name, namespace: 'labels', uid: `uid-${name}`, labels },
    spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'nginx' }] },
  };
}

describe('pod labels: what the run writes, capped per pod', () => {
  const pod = labelled('many', 20_000);

  it.each([
    ['JSON', () => decodePod(pod)],
    ['protobuf', () => decodePodProtobuf(encodePod(pod))],
  ])('from %s, a pod keeps its first labels up to the cap and counts the rest', (_, decode) => {
    const info = decode();
    const kept = Object.keys(info?.labels ?? {}).length;
    expect(labelsTag(info?.labels ?? {}).length).toBeLessThanOrEqual(LABELS_MAX_BYTES);
    expect(kept).toBeGreaterThan(40);
    expect(info?.labelsDropped).toBe(20_000 - kept);
    expect(Object.keys(info?.labels ?? {})[0]).toBe('example.com/label-0000000');
  });

  it('both encodings keep the same labels; a pod under the cap keeps them all', () => {
    expect(decodePodProtobuf(encodePod(pod))).toEqual(decodePod(pod));
    const few = labelled('few', 20);
    expect(decodePod(few)?.labels).toEqual((few['metadata'] as Json)['labels']);
    expect(decodePod(few)?.labelsDropped).toBeUndefined();
  });
});

describe('list memory, bounded across concurrent lists', () => {
  it.each([1, 8, 16])('%i concurrent lists together hold at most the lists’ budget', async (sockets) => {
    const sim = await startCluster({ nodes: 1, podsPerNode: 1 });
    try {
      const client = await createListClient(loadKubeConfig(sim.kubeconfigPath), sockets);
      expect(client.maxItemBytes * sockets).toBeLessThanOrEqual(LIST_MEMORY_BYTES);
      // etcd stores objects up to 1.5 MiB: every real object fits the collector's share (8 lists).
      if (sockets <= 16) expect(client.maxItemBytes).toBeGreaterThanOrEqual(1.5 * 1024 * 1024);
    } finally {
      await sim.stop();
    }
  });

  it('a protobuf item past the bound is refused from its length, before any of it is held', () => {
    const s = new ProtobufListSplitter(() => undefined, 1000);
    // The envelope's raw (a 10 MB List) holding an item that announces 5,000 bytes.
    const head = Buffer.from([0x12, 0x80, 0xad, 0xe2, 0x04, 0x12, 0x88, 0x27]);
    // Magic and typeMeta (PodList) as a real body starts, then the List and the item.
    const empty = podListBody([], { resourceVersion: '1' });
    const start = Buffer.concat([empty.subarray(0, 6 + (empty[5] as number)), head]);
    expect(() => s.write(start)).toThrow(ProtobufError);
    expect(() => new ProtobufListSplitter(() => undefined, 1000).write(start)).toThrow(
      /item of 5000 bytes, beyond the 1000-byte bound/,
    );
  });

  it('a JSON item past the bound is refused once the bound is reached, never held beyond it', () => {
    const s = new ListSplitter(() => undefined, 1000);
    s.write(Buffer.from('{"kind":"PodList","items":[{"metadata":{"name":"'));
    let held = 0;
    expect(() => {
      for (;;) {
        s.write(Buffer.alloc(100, 0x61));
        held = s.heldBytes;
      }
    }).toThrow(/beyond the bound per item/);
    expect(held).toBeLessThanOrEqual(1000);
  });
});

describe('labels under the CronJob’s heap flags', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startCluster({ nodes: 2, podsPerNode: 2 });
  });
  afterAll(() => sim.stop());

  it('60 pods with 1.4 MB of valid labels each: the run completes and logs the cap once', async () => {
    const items = Array.from({ length: 60 }, (_, i) => JSON.stringify(labelled(`big-${i}`, 20_000)));
    const body = Buffer.from(`{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[${items.join(',')}]}`);
    expect(body.length).toBeGreaterThan(60 * 1.3e6);
    sim.setApiAnswer('/api/v1/pods', { contentType: 'application/json', body });
    const client = await freshDatabase('bounds_labels');
    // 84 MB to read over HTTPS on a shared machine: more than the default 10 s per page.
    const r = await runCollectBundle(sim, client, { API_TIMEOUT: '50s' });
    sim.setApiAnswer('/api/v1/pods', undefined);
    expect(r.stderr).toBe('');
    expect(r.exitCode, JSON.stringify(r.lines)).toBe(0);
    const capped = r.lines.filter((l) => l['event'] === 'pod_labels_capped');
    expect(capped).toHaveLength(1);
    expect(capped[0]).toMatchObject({ level: 'warn', pods: 60 });
    expect(Number(capped[0]?.['labelsDropped'])).toBeGreaterThan(60 * 19_000);
  });

  it('one 45 MB pod: its list fails cleanly at the per-item bound, not by aborting V8', async () => {
    const body = Buffer.from(
      `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[${JSON.stringify(labelled('huge', 640_000))}]}`,
    );
    expect(body.length).toBeGreaterThan(45e6);
    sim.setApiAnswer('/api/v1/pods', { contentType: 'application/json', body });
    const client = await freshDatabase('bounds_huge');
    const r = await runCollectBundle(sim, client);
    sim.setApiAnswer('/api/v1/pods', undefined);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(1);
    const errors = r.lines.filter((l) => l['level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.['error'])).toMatch(/listing pods: .* beyond the bound per item/);
  });
});
