/**
 * The page's namespace events view over Heapster's events schema (EVENTS_SCHEMA=heapster: the
 * namespace lives only inside the event's JSON): the real events export writes 5 events of one
 * namespace and 30 newer ones elsewhere into a real influxd, and `limit=20` still shows the
 * namespace's 5, newest first, and nothing of another namespace.
 */
import { describe, expect, it } from 'vitest';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { BASE, eventsRun, eventsSetup, iso } from '#test/helpers/events';
import { writeLines } from '#test/helpers/influx';
import { createApp } from '../functions/query/app';

function event(namespace: string, name: string, atMs: number) {
  return {
    metadata: { namespace, name, uid: `uid-${namespace}-${name}` },
    involvedObject: { kind: 'Pod', namespace, name },
    type: 'Normal',
    reason: 'Started',
    message: `Started ${name}`,
    source: { component: 'kubelet', host: 'node-0' },
    count: 1,
    firstTimestamp: iso(atMs),
    lastTimestamp: iso(atMs),
  };
}

describe('GET /api/v1/ui/namespaces/{ns}/events with EVENTS_SCHEMA=heapster', () => {
  it('applies the namespace before the limit: 30 newer events elsewhere hide none of its 5', async () => {
    const { sim, client } = await eventsSetup('q_ui_events');
    const mine = [0, 1, 2, 3, 4].map((i) => event('mine', `a-${i}`, BASE + i * 1000));
    const others = Array.from({ length: 30 }, (_, i) => event('other', `b-${i}`, BASE + 60_000 + i * 1000));
    // A namespace named inside another event's message (a JSON string) is not that namespace.
    const decoy = { ...event('other', 'decoy', BASE + 120_000), message: '{"namespace": "mine"}' };
    sim.addEvents([...mine, ...others, decoy]);
    const run = await eventsRun(sim, client, { env: { EVENTS_SCHEMA: 'heapster' }, nowMs: BASE + 180_000 });
    expect(run.exitCode).toBe(0);
    const app = createApp(queryDeps(client, () => BASE + 180_000, []));
    const r = await answer(app, '/api/v1/ui/namespaces/mine/events?limit=20');
    expect(r.status).toBe(200);
    // Before the fix: LIMIT 20 took the 20 newest events of any namespace, then kept none.
    expect(r.json.items.map((e: { object: string }) => e.object)).toEqual(['a-4', 'a-3', 'a-2', 'a-1', 'a-0']);
    const two = await answer(app, '/api/v1/ui/namespaces/mine/events?limit=2');
    expect(two.json.items.map((e: { object: string }) => e.object)).toEqual(['a-4', 'a-3']);
    const other = await answer(app, '/api/v1/ui/namespaces/other/events?limit=20');
    expect(other.json.items).toHaveLength(20);
    expect(other.json.items[0].object).toBe('decoy');
  });

  it('reads an event written without indentation, and one whose namespace has a dot', async () => {
    const { client } = await eventsSetup('q_ui_events_compact');
    await client.ensureDatabase('INF');
    const json = (ns: string, name: string) =>
      JSON.stringify(JSON.stringify({ involvedObject: { kind: 'Pod', namespace: ns, name }, reason: 'X' }));
    await writeLines(client, [
      `log/events,uid=u1 value=${json('a.b', 'p1')},count=1i ${BASE + 1000}`,
      `log/events,uid=u2 value=${json('axb', 'p2')},count=1i ${BASE + 2000}`,
    ]);
    const app = createApp(queryDeps(client, () => BASE + 60_000, []));
    const r = await answer(app, '/api/v1/ui/namespaces/a.b/events');
    expect(r.json.items.map((e: { object: string }) => e.object)).toEqual(['p1']);
  });
});
