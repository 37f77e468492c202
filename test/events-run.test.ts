import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { forEachEventPage } from '#shared/events/list';
import { loadKubeConfig } from '#shared/kube/config';
import { freshDatabase, rows } from '#test/helpers/influx';
import { FIXTURES_DIR } from '#test/helpers/paths';
import type { SimCluster } from '#test/sim/cluster';
import { BASE, eventsRun, eventsSetup, iso, type Json } from '#test/helpers/events';

const GKE = JSON.parse(readFileSync(`${FIXTURES_DIR}/apiserver/event_single_gke-2019_k9s.json`, 'utf8')) as Json;

/** A kubelet-style core/v1 event about pod `web-<i>`, first and last seen at BASE + i s. */
function podEvent(i: number, over: Json = {}): Json {
  const ns = `ns-${i % 3}`;
  return {
    metadata: { namespace: ns, name: `web-${i}.17f0${i}`, uid: `ev-${i}` },
    involvedObject: { kind: 'Pod', namespace: ns, name: `web-${i}`, uid: `pod-${i}` },
    reason: i % 2 ? 'BackOff' : 'Pulled',
    type: i % 2 ? 'Warning' : 'Normal',
    message: `message ${i}`,
    source: { component: 'kubelet', host: `node-${i % 2}` },
    count: 1,
    firstTimestamp: iso(BASE + i * 1000),
    lastTimestamp: iso(BASE + i * 1000),
    ...over,
  };
}

const setup = eventsSetup;
const run = (s: SimCluster, client: InfluxClient, env: Record<string, string> = {}) => eventsRun(s, client, { env });

describe('events run against the simulated API server and a real influxd', () => {
  it('writes each new event once, in Heapster’s eventer schema, and its own figures', async () => {
    const { sim, client } = await setup('ev_new');
    sim.addEvents([GKE, ...Array.from({ length: 20 }, (_, i) => podEvent(i))]);
    const first = await run(sim, client, { CLUSTER_NAME: 'sim' });
    expect(first.logs.filter((l) => l['level'] !== 'info')).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.stats).toMatchObject({
      pages: 1,
      listed: 21,
      new: 21,
      known: 0,
      points: 21,
      failedPoints: 0,
      listFailed: false,
    });
    const got = await rows(client, `SELECT * FROM "events" WHERE "uid" = 'c443d4b3-cb66-11e9-990f-42010a800218'`);
    expect(got).toEqual([
      {
        // The real capture's own time: events are kept without a retention limit (eventsRun).
        time: Date.parse(GKE.lastTimestamp as string),
        cluster_name: 'sim',
        component: 'kubelet',
        count: 1,
        hostname: 'gke-k9s-default-pool-0fa2fb89-qnkc',
        kind: 'Pod',
        message: 'Successfully pulled image "blang/busybox-bash"',
        namespace_name: 'default',
        object_name: 'hello-1567197780-mn4mv',
        pod_id: 'c31fdeb8-cb66-11e9-990f-42010a800218',
        reason: 'Pulled',
        type: 'Normal',
        uid: 'c443d4b3-cb66-11e9-990f-42010a800218',
      },
    ]);
    expect(await rows(client, 'SELECT count("message") FROM "events"')).toEqual([{ time: 0, count: 21 }]);
    const [runPoint] = await rows(client, `SELECT * FROM "heapless_run" WHERE "fn" = 'events'`);
    expect(runPoint).toMatchObject({
      time: first.timeMs,
      cluster_name: 'sim',
      events_listed: 21,
      events_new: 21,
      pages: 1,
      points: 21,
      failed_points: 0,
      list_failed: 0,
    });
    expect(first.logs.find((l) => l['event'] === 'run')).toMatchObject({
      fn: 'events',
      level: 'info',
      listed: 21,
      new: 21,
      points: 21,
    });

    const again = await run(sim, client, { CLUSTER_NAME: 'sim' });
    expect(again.stats).toMatchObject({ listed: 21, new: 0, known: 21, remembered: 21, points: 0 });
    expect(await rows(client, 'SELECT count("message") FROM "events"')).toEqual([{ time: 0, count: 21 }]);
  });

  it('writes one point per observed count of a repeated event, two in the same second included', async () => {
    const { sim, client } = await setup('ev_count');
    const at = (s: number): string => iso(BASE + s * 1000);
    sim.addEvents([podEvent(1, { count: 1, lastTimestamp: at(0) })]);
    await run(sim, client);
    sim.addEvents([podEvent(1, { count: 3, lastTimestamp: at(40), message: 'back-off 3' })]);
    expect((await run(sim, client)).stats).toMatchObject({ new: 1, known: 0 });
    sim.addEvents([podEvent(1, { count: 4, lastTimestamp: at(50), message: 'back-off 4' })]);
    await run(sim, client);
    sim.addEvents([podEvent(1, { count: 5, lastTimestamp: at(50), message: 'back-off 5' })]);
    await run(sim, client);
    expect((await run(sim, client)).stats).toMatchObject({ new: 0, known: 1 });
    const got = await rows(client, `SELECT "count", "message" FROM "events" WHERE "uid" = 'ev-1'`);
    expect(got.map((r) => [r['time'], r['count'], r['message']])).toEqual([
      [BASE, 1, 'message 1'],
      [BASE + 40_000 + 2, 3, 'back-off 3'],
      [BASE + 50_000 + 3, 4, 'back-off 4'],
      [BASE + 50_000 + 4, 5, 'back-off 5'],
    ]);
  });

  it('exports old- and new-style events through events.k8s.io/v1 exactly as through core/v1', async () => {
    const { sim, client } = await setup('ev_v1');
    const newStyle = {
      metadata: { namespace: 'kube-system', name: 'node-1.ready', uid: 'ev-new' },
      involvedObject: { kind: 'Node', name: 'node-1', uid: 'node-1-uid' },
      reason: 'NodeNotReady',
      type: 'Warning',
      message: 'Node node-1 status is now: NodeNotReady',
      eventTime: iso(BASE + 300_000).replace('Z', '.250000Z'),
      series: { count: 3, lastObservedTime: iso(BASE + 450_000).replace('Z', '.999000Z') },
      reportingComponent: 'node-controller',
      reportingInstance: 'kcm-0',
      source: {},
    };
    sim.addEvents([GKE, podEvent(7, { count: 2 }), newStyle]);
    const viaV1 = await run(sim, client, { EVENTS_API: 'events.k8s.io' });
    expect(viaV1.stats).toMatchObject({ listed: 3, new: 3, points: 3 });
    expect(sim.requests.byPath['/apis/events.k8s.io/v1/events']).toBe(1);
    const coreDb = await freshDatabase('ev_v1_core');
    await run(sim, coreDb, { EVENTS_API: 'core' });
    const q = 'SELECT * FROM "events" GROUP BY "uid"';
    expect(await rows(client, q)).toEqual(await rows(coreDb, q));
    const [row] = await rows(client, `SELECT * FROM "events" WHERE "uid" = 'ev-new'`);
    expect(row).toMatchObject({
      time: BASE + 450_000 + 2,
      count: 3,
      component: 'node-controller',
      kind: 'Node',
      namespace_name: 'kube-system',
      type: 'Warning',
    });
    // The other API sees the same versions: exported already, nothing new.
    expect((await run(sim, client, { EVENTS_API: 'core' })).stats).toMatchObject({ new: 0, known: 3 });
  });

  it('reads large lists in pages, each written before the next is asked for', async () => {
    const { sim, client } = await setup('ev_pages');
    sim.addEvents(Array.from({ length: 120 }, (_, i) => podEvent(i)));
    const result = await run(sim, client, { API_PAGE_SIZE: '25' });
    expect(result.stats).toMatchObject({ pages: 5, listed: 120, new: 120, points: 120 });
    const listed = sim.requests.apiRequests.filter((r) => r.startsWith('GET /api/v1/events'));
    expect(listed).toHaveLength(5);
    expect(listed.every((r) => r.includes('limit=25'))).toBe(true);
    expect(listed.filter((r) => r.includes('continue='))).toHaveLength(4);
    expect(await rows(client, 'SELECT count("message") FROM "events"')).toEqual([{ time: 0, count: 120 }]);

    const asked: number[] = [];
    const kc = loadKubeConfig(sim.kubeconfigPath);
    sim.requests.reset();
    const pages = await forEachEventPage(kc, { api: 'core', pageSize: 25, timeoutMs: 5_000 }, async (items) => {
      asked.push(sim.requests.byPath['/api/v1/events'] ?? 0);
      expect(items.length).toBeLessThanOrEqual(25);
    });
    expect(pages).toBe(5);
    expect(asked).toEqual([1, 2, 3, 4, 5]);
  });
});
