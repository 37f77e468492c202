import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { forEachEventPage } from '#shared/events/list';
import { ApiServerError } from '#shared/errors';
import { loadKubeConfig } from '#shared/kube/config';
import { rows, writeLines } from '#test/helpers/influx';
import { BASE, eventsRun, eventsSetup, iso, type Json } from '#test/helpers/events';

/** Core/v1 event `ev-<i>` about pod `web-<i>`; its count and latest occurrence (s after BASE) are given. */
function podEvent(i: number, count = 1, lastS = i): Json {
  return {
    metadata: { namespace: `ns-${i % 3}`, name: `web-${i}.17f0${i}`, uid: `ev-${i}` },
    involvedObject: { kind: 'Pod', namespace: `ns-${i % 3}`, name: `web-${i}`, uid: `pod-${i}` },
    reason: 'BackOff',
    type: 'Warning',
    message: `back-off ${i} (×${count})`,
    source: { component: 'kubelet', host: `node-${i % 2}` },
    count,
    firstTimestamp: iso(BASE + i * 1000),
    lastTimestamp: iso(BASE + lastS * 1000),
  };
}

const setup = eventsSetup;
const run = eventsRun;

/** `uid:count` of every stored event point, sorted. */
async function versions(client: InfluxClient): Promise<string[]> {
  const got = await rows(client, 'SELECT "count", "message" FROM "events" GROUP BY "uid"');
  return got.map((r) => `${String(r['uid'])}:${String(r['count'])}`).sort();
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('each event version reaches InfluxDB exactly once', () => {
  it('overlapping runs write no duplicates', async () => {
    const { sim, client } = await setup('ev_overlap');
    sim.addEvents(range(30).map((i) => podEvent(i)));
    const firsts = await Promise.all([run(sim, client), run(sim, client), run(sim, client)]);
    expect(firsts.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(await versions(client)).toEqual(
      range(30)
        .map((i) => `ev-${i}:1`)
        .sort(),
    );

    sim.addEvents(range(10).map((i) => podEvent(i, 2, 100 + i)));
    await Promise.all([run(sim, client, { env: { API_PAGE_SIZE: '4' } }), run(sim, client)]);
    const want = [...range(30).map((i) => `ev-${i}:1`), ...range(10).map((i) => `ev-${i}:2`)].sort();
    expect(await versions(client)).toEqual(want);
    expect((await run(sim, client)).stats).toMatchObject({ listed: 30, new: 0, known: 30 });
    expect(await versions(client)).toEqual(want);
  });

  it('a run after missed runs exports everything the API server still holds', async () => {
    const { sim, client } = await setup('ev_gap');
    sim.addEvents(range(10).map((i) => podEvent(i)));
    await run(sim, client);
    // Missed runs: new events arrive, some repeat twice; only their latest version is still held.
    sim.addEvents(range(15, 10).map((i) => podEvent(i)));
    sim.addEvents(range(5).map((i) => podEvent(i, 2, 200)));
    sim.addEvents(range(5).map((i) => podEvent(i, 3, 300)));
    const after = await run(sim, client);
    expect(after.stats).toMatchObject({ listed: 25, new: 20, known: 5 });
    const want = [...range(25).map((i) => `ev-${i}:1`), ...range(5).map((i) => `ev-${i}:3`)].sort();
    expect(await versions(client)).toEqual(want);
  });

  it('a state forgotten (gap longer than the window, or dropped) rewrites versions onto themselves', async () => {
    const { sim, client } = await setup('ev_forgot');
    sim.addEvents(range(12).map((i) => podEvent(i, 1 + (i % 3))));
    const t0 = Date.now();
    await run(sim, client, { nowMs: t0 });
    const before = await rows(client, 'SELECT * FROM "events" GROUP BY "uid"');
    const late = await run(sim, client, { nowMs: t0 + 3 * 3_600_000 });
    expect(late.stats).toMatchObject({ remembered: 0, new: 12, points: 12 });
    await client.query('DROP MEASUREMENT "heapless_events_state"');
    expect((await run(sim, client)).stats).toMatchObject({ remembered: 0, new: 12 });
    expect(await rows(client, 'SELECT * FROM "events" GROUP BY "uid"')).toEqual(before);
    expect((await run(sim, client)).stats).toMatchObject({ remembered: 12, new: 0 });
  });

  it('keeps one state per cluster name and schema in a shared database', async () => {
    const { sim, client } = await setup('ev_scope');
    sim.addEvents(range(4).map((i) => podEvent(i)));
    expect((await run(sim, client, { env: { CLUSTER_NAME: 'a' } })).stats.new).toBe(4);
    expect((await run(sim, client, { env: { CLUSTER_NAME: 'b' } })).stats.new).toBe(4);
    expect((await run(sim, client, { env: { EVENTS_SCHEMA: 'heapster' } })).stats.new).toBe(4);
    expect((await run(sim, client, { env: { CLUSTER_NAME: 'a' } })).stats.new).toBe(0);
    expect(await rows(client, 'SELECT count("message") FROM "events" GROUP BY "cluster_name"')).toEqual([
      { time: 0, cluster_name: 'a', count: 4 },
      { time: 0, cluster_name: 'b', count: 4 },
    ]);
    expect(await rows(client, 'SELECT count("value") FROM "log/events"')).toEqual([{ time: 0, count: 4 }]);
  });
});

describe('failures', () => {
  it('a refused write fails the run and records no state, so the next run writes the events', async () => {
    const { sim, client } = await setup('ev_wfail');
    sim.addEvents(range(6).map((i) => podEvent(i)));
    await client.ensureDatabase('INF');
    // `message` as an integer in the events' shard: InfluxDB refuses the string messages (400).
    await writeLines(client, [`events,uid=conflict message=1i ${BASE}`]);
    const failed = await run(sim, client);
    expect(failed.exitCode).toBe(1);
    expect(failed.stats).toMatchObject({ new: 6, points: 0, failedPoints: 6 });
    expect(await rows(client, 'SELECT * FROM "heapless_events_state"')).toEqual([]);
    expect(await rows(client, `SELECT "failed_points" FROM "heapless_run"`)).toEqual([
      { time: failed.timeMs, failed_points: 6 },
    ]);

    await client.query('DROP MEASUREMENT "events"');
    const next = await run(sim, client);
    expect(next.exitCode).toBe(0);
    expect(next.stats).toMatchObject({ remembered: 0, new: 6, points: 6 });
    expect(await versions(client)).toEqual(range(6).map((i) => `ev-${i}:1`));
  });

  it('an API server that cannot be listed fails the run and says so (refused: exit 2 with a hint)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heapless-ev-'));
    try {
      const { sim: s, client } = await setup('ev_lfail', dir);
      await s.stop();
      const failed = await run(s, client, { env: { API_TIMEOUT: '2s' } });
      expect(failed.exitCode).toBe(2);
      expect(failed.stats).toMatchObject({ listFailed: true, pages: 0, points: 0 });
      expect(failed.logs.find((l) => l['event'] === 'kube_unreachable')).toMatchObject({
        level: 'error',
        hint: expect.stringMatching(/server address/),
      });
      expect(await rows(client, 'SELECT "list_failed" FROM "heapless_run"')).toEqual([
        { time: failed.timeMs, list_failed: 1 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a page that does not come within API_TIMEOUT fails the listing and its request is aborted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'heapless-ev-'));
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = createServer((req) => req.on('close', closed)); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const kubeconfig = join(dir, 'kubeconfig.yaml');
      const yaml = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: hang',
        '  cluster:',
        `    server: http://127.0.0.1:${port}`,
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: hang',
        '  user:',
        '    token: t',
        'contexts:',
        '- name: hang',
        '  context: {cluster: hang, user: hang}',
        'current-context: hang',
      ];
      await writeFile(kubeconfig, yaml.join('\n'));
      const listing = forEachEventPage(
        loadKubeConfig(kubeconfig),
        { api: 'core', pageSize: 10, timeoutMs: 300 },
        async () => {},
      );
      await expect(listing).rejects.toThrow(ApiServerError);
      await expect(listing).rejects.toThrow(/timed out after 300 ms/);
      await requestClosed;
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
