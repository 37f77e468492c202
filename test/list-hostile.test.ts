/**
 * Hostile or broken list bodies, served by the simulated API server over real HTTPS to the built
 * collect bundle run as the CronJob runs it (its V8 flags). Each must fail that list cleanly: one
 * error line naming the list with a hint, no crash, a `heapless_run` point with list_failed=1,
 * exit 1. A 200 that is not a list is such a failure, never an empty list. A broken ReplicaSet
 * list only costs the workload lookup: pods fall back to their direct owner.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import type { ApiAnswer } from '#test/sim/api-routes';
import { encodePod, MAGIC, podListBody } from '#test/sim/pod-protobuf';
import { freshDatabase, rows } from '#test/helpers/influx';
import { runCollectBundle } from '#test/helpers/collect-bundle';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const JSON_TYPE = 'application/json';

const POD = {
  metadata: { name: 'web-0', namespace: 'shop', uid: 'u-0', labels: { app: 'web' } },
  spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'nginx' }] },
  status: { phase: 'Running' },
};
const JSON_LIST = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [POD] });

/** A valid protobuf PodList whose one pod holds its name under a fixed32 wire type. */
function wrongWireType(): Buffer {
  const pod = encodePod(POD);
  const body = podListBody([POD], { resourceVersion: '1' });
  const at = body.indexOf(pod);
  // The pod starts `0a <len> 0a <len> web-0`: its metadata, then the name (field 1, LEN).
  const nameTag = at + 2 + ((pod[1] as number) >= 0x80 ? 1 : 0);
  expect(body[nameTag]).toBe(0x0a);
  const out = Buffer.from(body);
  out[nameTag] = 0x0d;
  return out;
}

/** The envelope cut right after its typeMeta: a type header and nothing else. */
function cutAfterTypeHeader(): Buffer {
  const body = podListBody([POD], { resourceVersion: '1' });
  const typeMetaLength = body[5] as number;
  return body.subarray(0, 4 + 2 + typeMetaLength);
}

const BROKEN: Array<[string, ApiAnswer]> = [
  ['gzip', { contentType: JSON_TYPE, body: gzipSync(JSON_LIST) }],
  ['JSON under the protobuf content type', { contentType: PROTOBUF, body: Buffer.from(JSON_LIST) }],
  ['a wrong magic', { contentType: PROTOBUF, body: Buffer.concat([Buffer.from('k8z\0'), Buffer.alloc(40, 1)]) }],
  ['a wrong wire type inside one pod', { contentType: PROTOBUF, body: wrongWireType(), pieceBytes: 7 }],
  ['a bad JSON item', { contentType: JSON_TYPE, body: Buffer.from(JSON_LIST.replace('"web-0"', '"web-0",,')) }],
  [
    'an HTML login page from a proxy',
    { contentType: 'text/html', body: Buffer.from('<!doctype html><html><body>Sign in</body></html>') },
  ],
  [
    'a Status object',
    {
      contentType: JSON_TYPE,
      body: Buffer.from(
        JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcd is gone', code: 500 }),
      ),
    },
  ],
  ['the protobuf magic alone', { contentType: PROTOBUF, body: MAGIC }],
  ['a body cut right after its type header', { contentType: PROTOBUF, body: cutAfterTypeHeader() }],
];

describe('a pod list that is broken, hostile or not a list', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startCluster({ nodes: 2, podsPerNode: 2 });
  });
  afterAll(() => sim.stop());

  it.each(BROKEN)(
    '%s: one error line naming the list with a hint, a heapless_run point, exit 1',
    async (name, answer) => {
      sim.setApiAnswer('/api/v1/pods', answer);
      const client = await freshDatabase(`hostile_${name.replace(/\W+/g, '_').slice(0, 30)}`);
      const r = await runCollectBundle(sim, client);
      sim.setApiAnswer('/api/v1/pods', undefined);
      expect(r.stderr, 'no crash, no raw stack').toBe('');
      expect(r.exitCode, JSON.stringify(r.lines)).toBe(1);
      const errors = r.lines.filter((l) => l['level'] === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ event: 'run_failed', errorName: 'ListBodyError' });
      expect(String(errors[0]?.['error'])).toMatch(/^listing pods: the answer .* is not a valid list: /);
      expect(String(errors[0]?.['hint'])).toMatch(/API server itself/);
      const runs = await rows(client, 'SELECT "list_failed", "points", "nodes" FROM "heapless_run"');
      expect(runs, JSON.stringify(r.lines)).toEqual([expect.objectContaining({ list_failed: 1, points: 0, nodes: 0 })]);
    },
  );

  it('a broken ReplicaSet list falls back to direct owners; the run goes on', async () => {
    sim.setApiAnswer('/apis/apps/v1/replicasets', { contentType: JSON_TYPE, body: Buffer.from('{"items":[{,}]}') });
    const client = await freshDatabase('hostile_replicasets');
    const r = await runCollectBundle(sim, client);
    sim.setApiAnswer('/apis/apps/v1/replicasets', undefined);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatchObject({ nodes: 2, nodesOk: 2 });
    const warning = r.lines.find((l) => l['event'] === 'owners_unlisted');
    expect(warning).toMatchObject({ what: 'replicasets' });
    expect(String(warning?.['hint'])).toMatch(/direct owner/);
    const [run] = await rows(client, 'SELECT "list_failed" FROM "heapless_run"');
    expect(run?.['list_failed']).toBe(0);
  });
});
