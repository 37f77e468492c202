import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { rows } from '#test/helpers/influx';
import { FIXTURES_DIR } from '#test/helpers/paths';
import type { SimCluster } from '#test/sim/cluster';
import { BASE, eventsRun, eventsSetup, type Json } from '#test/helpers/events';

const GKE = JSON.parse(readFileSync(`${FIXTURES_DIR}/apiserver/event_single_gke-2019_k9s.json`, 'utf8')) as Json;

/** Free text: every line-protocol special character, kept verbatim in a string field. */
const MESSAGE =
  'Back-off, restarting: a=b "quoted" \'single\' back\\slash \\" \\\\n\nnew line\r\nCRLF\ttab 🚀 ünïcödé 中文 end\\';
/**
 * Names and words that go into tags: commas, spaces, equals signs, quotes, backslashes, unicode.
 * (Not a newline, nor a backslash before a space, comma or equals sign or at the end: InfluxDB 1.x
 * cannot store those in a tag; escape.ts documents the stored form.)
 */
const TAGGY = {
  reason: 'Back Off, "x"=y \'q\' ü',
  object: 'web 1,a=b "q" ü\\x',
  ns: 'ns ü,=',
  host: 'node,1 =x 🚀',
  component: 'kubelet "k" \\c',
  type: 'Warn ing',
};

function hostileEvent(): Json {
  return {
    metadata: { namespace: TAGGY.ns, name: 'hostile.1', uid: 'ev hostile,=1' },
    involvedObject: { kind: 'Pod', namespace: TAGGY.ns, name: TAGGY.object, uid: 'pod "uid"' },
    reason: TAGGY.reason,
    type: TAGGY.type,
    message: MESSAGE,
    source: { component: TAGGY.component, host: TAGGY.host },
    count: 2,
    lastTimestamp: new Date(BASE).toISOString(),
  };
}

const setup = eventsSetup;
const run = (s: SimCluster, client: InfluxClient, env: Record<string, string> = {}) => eventsRun(s, client, { env });

describe('event values round-trip exactly through a real influxd', () => {
  it.each(['core', 'events.k8s.io'])('withfields schema, listed through %s', async (api) => {
    const { sim, client } = await setup('ev_chars');
    sim.addEvents([hostileEvent()]);
    expect((await run(sim, client, { EVENTS_API: api })).exitCode).toBe(0);
    expect(await rows(client, 'SELECT * FROM "events"')).toEqual([
      {
        time: BASE + 1,
        component: TAGGY.component,
        count: 2,
        hostname: TAGGY.host,
        kind: 'Pod',
        message: MESSAGE,
        namespace_name: TAGGY.ns,
        object_name: TAGGY.object,
        pod_id: 'pod "uid"',
        reason: TAGGY.reason,
        type: TAGGY.type,
        uid: 'ev hostile,=1',
      },
    ]);
  });

  it('heapster schema: the whole event as JSON in field value', async () => {
    const { sim, client } = await setup('ev_chars_json');
    sim.addEvents([hostileEvent()]);
    expect((await run(sim, client, { EVENTS_SCHEMA: 'heapster', CLUSTER_NAME: 'c,1' })).exitCode).toBe(0);
    const [row] = await rows(client, 'SELECT * FROM "log/events"');
    expect(row).toMatchObject({
      time: BASE + 1,
      uid: 'ev hostile,=1',
      pod_id: 'pod "uid"',
      pod_name: TAGGY.object,
      hostname: TAGGY.host,
      cluster_name: 'c,1',
      count: 2,
    });
    const event = JSON.parse(String(row?.['value'])) as Json;
    expect(event).toMatchObject({
      message: MESSAGE,
      reason: TAGGY.reason,
      involvedObject: { name: TAGGY.object },
      metadata: { uid: 'ev hostile,=1' },
    });
    expect(String(row?.['value'])).toMatch(/^\{\n "/);
  });
});

describe('Heapster’s events.json dashboard', () => {
  const dashboard = JSON.parse(
    readFileSync(`${FIXTURES_DIR}/heapster-grafana/influxdb_withfields/events.json`, 'utf8'),
  ) as Json;
  const queries: string[] = [];
  JSON.stringify(dashboard, (key, value: unknown) => {
    if (key === 'query' && typeof value === 'string') queries.push(value);
    return value;
  });
  /** Grafana's rendering: a multi-value variable becomes `(a|b)`, "All" becomes `.*`. */
  const render = (q: string, ns: string): string =>
    q
      .replace(/\$namespace/g, ns)
      .replace(/\$(kind|object_name|type|reason)/g, '.*')
      .replace(/\$timeFilter/g, `time >= ${BASE - 3_600_000}ms AND time <= ${BASE + 3_600_000}ms`);

  it('answers its variable, graph and table queries unchanged', async () => {
    const { sim, client } = await setup('ev_dash');
    const at = (s: number): string => new Date(BASE + s * 1000).toISOString();
    sim.addEvents([
      { ...GKE, lastTimestamp: at(10), firstTimestamp: at(10) },
      { ...hostileEvent(), metadata: { namespace: 'shop', name: 'h.2', uid: 'ev-2' }, lastTimestamp: at(70) },
    ]);
    await run(sim, client);
    expect(queries).toHaveLength(7);
    const byText = (needle: string): string => queries.find((q) => q.includes(needle)) ?? '';
    expect(await rows(client, render(byText('KEY = "namespace_name"'), '.*'))).toEqual([
      { key: 'namespace_name', value: 'default' },
      { key: 'namespace_name', value: 'shop' },
    ]);
    expect(
      await rows(client, render(byText('count(message)'), '(default|shop)')).then((r) =>
        r.filter((x) => x['count'] !== 0),
      ),
    ).toEqual([
      { time: BASE, count: 1 },
      { time: BASE + 60_000, count: 1 },
    ]);
    const table = await rows(client, render(byText('as "Namespace"'), '(shop)'));
    expect(table).toEqual([
      {
        time: BASE + 70_000 + 1,
        Namespace: 'shop',
        Node_name: TAGGY.host,
        Object_kind: 'Pod',
        Object_Name: TAGGY.object,
        Type: TAGGY.type,
        Reason: TAGGY.reason,
        Message: MESSAGE,
      },
    ]);
  });
});

describe('retention', () => {
  it('skips events older than the retention policy instead of failing the batch', async () => {
    const { sim, client } = await setup('ev_expired');
    const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    sim.addEvents([
      GKE,
      { ...GKE, metadata: { namespace: 'default', name: 'recent', uid: 'ev-recent' }, lastTimestamp: recent },
    ]);
    const result = await run(sim, client, { INFLUX_RETENTION: '7d' });
    expect(result.exitCode).toBe(0);
    expect(result.stats).toMatchObject({ listed: 2, new: 1, expired: 1, points: 1 });
    expect(await rows(client, 'SELECT "uid", "message" FROM "events"')).toEqual([
      { time: Date.parse(recent), uid: 'ev-recent', message: GKE['message'] },
    ]);
  });
});
