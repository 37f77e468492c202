/**
 * Every real fixture page through both list splitters at every way TCP could cut it: each chunk
 * size from 1 byte to the page size. The protobuf pages are encoded by protobufjs from the
 * official .proto files with Go's presence rules (sim/pod-protobuf), so they end as a real API
 * server's do, with the envelope's empty contentEncoding and contentType (`1a 00 22 00`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ListSplitter } from '#shared/kube/list-splitter';
import { ProtobufListSplitter } from '#shared/kube/protobuf-list-splitter';
import { podListBody } from '#test/sim/pod-protobuf';
import { FIXTURES_DIR } from '#test/helpers/paths';

type Json = Record<string, unknown>;

/** The real list pages among the fixtures (test/fixtures/SOURCES.md). */
const POD_PAGES = [
  'pods_k8s-1.35_minikube_nri-kubernetes_from-kubectl-yaml.json',
  'pods_k8s-1.16_minikube_nri-kubernetes_from-kubectl-yaml.json',
  'kubelet-pods_k8s-1.35_minikube_nri-kubernetes.json',
];
const NODE_PAGES = [
  'nodes_k8s-1.35_minikube_nri-kubernetes_from-kubectl-yaml.json',
  'nodes_k8s-1.16_minikube_nri-kubernetes_from-kubectl-yaml.json',
];

function page(file: string): { items: Json[] } {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}/apiserver/${file}`, 'utf8')) as { items: Json[] };
}

const META = { resourceVersion: '4711', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDcxMX0' };

/** The body cut into `size`-byte chunks, each written as it comes. */
function feed(s: { write(b: Buffer): void; end(): void }, body: Buffer, size: number): void {
  for (let at = 0; at < body.length; at += size) s.write(body.subarray(at, at + size));
  s.end();
}

/** Chunk sizes whose failures are collected, to report them all at once. */
function sweep(body: Buffer, sizes: Iterable<number>, pass: (size: number) => string | undefined): string[] {
  const failed: string[] = [];
  for (const size of sizes) {
    let problem: string | undefined;
    try {
      problem = pass(size);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem) failed.push(`${size}: ${problem}`);
  }
  expect(body.length).toBeGreaterThan(0);
  return failed;
}

function* every(n: number): Generator<number> {
  for (let size = 1; size <= n; size++) yield size;
}

describe('the protobuf list splitter, at every chunk size', () => {
  it.each(POD_PAGES)('reads every item of %s, whatever the chunk size', (file) => {
    const pods = page(file).items;
    const body = podListBody(pods, META);
    expect(body.subarray(-4)).toEqual(Buffer.from([0x1a, 0x00, 0x22, 0x00]));
    // The items' bytes as they sit in the body, found once with the whole body in one chunk.
    const expected: Buffer[] = [];
    feed(new ProtobufListSplitter((b) => expected.push(Buffer.from(b))), body, body.length);
    expect(expected).toHaveLength(pods.length);
    const failed = sweep(body, every(body.length), (size) => {
      let n = 0;
      let wrong = 0;
      const s = new ProtobufListSplitter((b) => {
        if (!b.equals(expected[n++] as Buffer)) wrong++;
      });
      feed(s, body, size);
      if (n !== pods.length || wrong > 0) return `${n} items, ${wrong} wrong`;
      if (s.metadata.continue !== META.continue) return `continue ${s.metadata.continue}`;
      return undefined;
    });
    expect(failed, `${failed.length} of ${body.length} chunk sizes fail`).toEqual([]);
  });
});

describe('the JSON list splitter, at every chunk size', () => {
  /** Items' text as the splitter hands it to JSON.parse (a cheap parse keeps the sweep fast). */
  function texts(body: Buffer, size: number): { texts: string[]; metadata: unknown } {
    const out: string[] = [];
    const s = new ListSplitter(
      (t) => out.push(t as string),
      undefined,
      (t) => t,
    );
    feed(s, body, size);
    return { texts: out, metadata: s.metadata };
  }

  /**
   * Every chunk size of every page: ~0.4 ms a pass on a quiet 2-core machine, so the 128 KB
   * kubelet page's 128,484 passes take about a minute (each page is its own test, with room for
   * a loaded machine).
   */
  it.each([...NODE_PAGES, ...POD_PAGES])(
    'reads every item of %s, whatever the chunk size',
    { timeout: 900_000 },
    (file) => {
      const items = page(file).items;
      const body = Buffer.from(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: META, items }));
      const whole = texts(body, body.length);
      expect(whole.texts.map((t) => JSON.parse(t))).toEqual(items);
      expect(whole.metadata).toEqual(META);
      const failed = sweep(body, every(body.length), (size) => {
        const got = texts(body, size).texts;
        const wrong = got.filter((t, i) => t !== whole.texts[i]).length;
        return got.length !== items.length || wrong > 0 ? `${got.length} items, ${wrong} wrong` : undefined;
      });
      expect(failed, `${failed.length} chunk sizes fail`).toEqual([]);
    },
  );
});
