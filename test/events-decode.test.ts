import { readFileSync } from 'node:fs';
// The serializer the generated API clients run every response through (Date timestamps, model classes).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { describe, expect, it } from 'vitest';
import { decodeEvent, type EventRecord } from '#shared/events/event-record';
import { encodeEvent, eventJson, pointTimeMs } from '#shared/events/encode';
import { decodeStateDelta, encodeStateDelta } from '#shared/events/export-state';
import { encodeEventsRunStats, newEventsRunStats } from '#shared/events/run-stats';
import { readEventsConfig } from '#shared/events/events-settings';
import { ConfigError } from '#shared/errors';
import { FIXTURES_DIR } from '#test/helpers/paths';
import { toEventsV1 } from '#test/sim/events';

type Json = Record<string, unknown>;
const GKE = JSON.parse(readFileSync(`${FIXTURES_DIR}/apiserver/event_single_gke-2019_k9s.json`, 'utf8')) as Json;
const T = Date.parse('2019-08-30T20:43:05Z');

function record(api: 'core' | 'events.k8s.io', item: unknown): EventRecord {
  const r = decodeEvent(api, item);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** A new-style event as the core API shows it: eventTime, series, reportingComponent, empty source. */
const NEW_STYLE: Json = {
  metadata: { name: 'web-0.17a', namespace: 'shop', uid: 'ev-new', creationTimestamp: '2026-01-02T03:04:00Z' },
  involvedObject: { kind: 'Node', name: 'node-1', uid: 'node-uid' },
  reason: 'NodeNotReady',
  message: 'Node node-1 status is now: NodeNotReady',
  type: 'Warning',
  eventTime: '2026-01-02T03:04:05.123456Z',
  series: { count: 4, lastObservedTime: '2026-01-02T03:09:07.654321Z' },
  reportingComponent: 'node-controller',
  reportingInstance: 'kcm-1',
  source: {},
};

describe('decodeEvent', () => {
  it('reads Heapster’s eventer fields from a real GKE core/v1 event', () => {
    expect(record('core', GKE)).toEqual({
      uid: 'c443d4b3-cb66-11e9-990f-42010a800218',
      namespace: 'default',
      kind: 'Pod',
      objectName: 'hello-1567197780-mn4mv',
      objectUid: 'c31fdeb8-cb66-11e9-990f-42010a800218',
      type: 'Normal',
      reason: 'Pulled',
      component: 'kubelet',
      host: 'gke-k9s-default-pool-0fa2fb89-qnkc',
      message: 'Successfully pulled image "blang/busybox-bash"',
      count: 1,
      lastMs: T,
      listed: GKE,
    });
  });

  it('gives the same record from events.k8s.io/v1 as from core/v1, for old- and new-style events', () => {
    for (const core of [GKE, NEW_STYLE]) {
      const { listed: _a, ...fromCore } = record('core', core);
      const { listed: _b, ...fromV1 } = record('events.k8s.io', toEventsV1(core));
      expect(fromV1).toEqual(fromCore);
    }
  });

  it('takes series.count and series.lastObservedTime for a new-style series, and the reporting controller', () => {
    const r = record('events.k8s.io', toEventsV1(NEW_STYLE));
    expect(r).toMatchObject({
      count: 4,
      lastMs: Date.parse('2026-01-02T03:09:07.654Z'),
      component: 'node-controller',
      host: '',
      kind: 'Node',
    });
    const single = record('core', { ...NEW_STYLE, series: undefined });
    expect(single).toMatchObject({ count: 1, lastMs: Date.parse('2026-01-02T03:04:05.123Z') });
  });

  it('reads the client package’s model objects (Date timestamps) like plain JSON', () => {
    for (const [api, type, item] of [
      ['core', 'CoreV1Event', GKE],
      ['events.k8s.io', 'EventsV1Event', toEventsV1(NEW_STYLE)],
    ] as const) {
      const model = ObjectSerializer.deserialize(item, type, '') as unknown;
      const { listed: _a, ...fromModel } = record(api, model);
      const { listed: _b, ...fromJson } = record(api, item);
      expect(fromModel).toEqual(fromJson);
    }
  });

  it('falls back to firstTimestamp, then creationTimestamp, and counts at least 1', () => {
    const bare = {
      metadata: { uid: 'u', namespace: 'n', creationTimestamp: '2026-01-01T00:00:09Z' },
      count: 0,
      eventTime: null,
      lastTimestamp: null,
    };
    expect(record('core', bare)).toMatchObject({ lastMs: Date.parse('2026-01-01T00:00:09Z'), count: 1 });
    expect(record('core', { ...bare, firstTimestamp: '2026-01-01T00:00:05Z' }).lastMs).toBe(
      Date.parse('2026-01-01T00:00:05Z'),
    );
    expect(
      record('core', { ...bare, lastTimestamp: '0001-01-01T00:00:00Z', firstTimestamp: '2026-01-01T00:00:05Z' }).lastMs,
    ).toBe(Date.parse('2026-01-01T00:00:05Z'));
  });

  it('names what makes an item unusable', () => {
    expect(decodeEvent('core', null)).toBe('not an object');
    expect(decodeEvent('core', { metadata: { name: 'x' }, lastTimestamp: '2026-01-01T00:00:00Z' })).toBe(
      'no metadata.uid',
    );
    expect(decodeEvent('events.k8s.io', { metadata: { uid: 'u' } })).toBe('event u has no timestamp');
  });
});

describe('encodeEvent', () => {
  it('writes Heapster’s withfields eventer line, plus count, at the latest occurrence', () => {
    expect(encodeEvent(record('core', GKE), 'withfields', 'prod')).toBe(
      'events,cluster_name=prod,component=kubelet,hostname=gke-k9s-default-pool-0fa2fb89-qnkc,kind=Pod,namespace_name=default,object_name=hello-1567197780-mn4mv,' +
        'pod_id=c31fdeb8-cb66-11e9-990f-42010a800218,reason=Pulled,type=Normal,uid=c443d4b3-cb66-11e9-990f-42010a800218 ' +
        `message="Successfully pulled image \\"blang/busybox-bash\\"",count=1i ${T}`,
    );
  });

  it('writes pod_id only for Pods and drops empty tags', () => {
    const line = encodeEvent(record('core', NEW_STYLE), 'withfields', undefined);
    expect(line).toMatch(
      /^events,component=node-controller,kind=Node,namespace_name=shop,object_name=node-1,reason=NodeNotReady,type=Warning,uid=ev-new message=/,
    );
  });

  it('writes Heapster’s default log/events line: the event as one-space-indented JSON without managedFields', () => {
    const withManaged = { ...GKE, metadata: { ...(GKE['metadata'] as Json), managedFields: [{ manager: 'kubelet' }] } };
    const line = encodeEvent(record('core', withManaged), 'heapster', undefined);
    expect(line).toBe(
      `log/events,hostname=gke-k9s-default-pool-0fa2fb89-qnkc,pod_id=c31fdeb8-cb66-11e9-990f-42010a800218,pod_name=hello-1567197780-mn4mv,uid=c443d4b3-cb66-11e9-990f-42010a800218 value="${eventJson(GKE).replace(/[\\"]/g, '\\$&')}",count=1i ${T}`,
    );
    expect(eventJson(GKE)).toBe(JSON.stringify(GKE, null, 1));
  });

  it('places version n of an event (n − 1) mod 1000 ms into the second of its latest occurrence', () => {
    const r = record('core', GKE);
    expect(pointTimeMs(r)).toBe(T);
    expect(pointTimeMs({ ...r, count: 3, lastMs: T + 999 })).toBe(T + 2);
    expect(pointTimeMs({ ...r, count: 1001 })).toBe(T);
  });
});

describe('export state', () => {
  it('round-trips the versions of a run, split over fields under 64 KB', () => {
    const versions = new Map(
      Array.from(
        { length: 5000 },
        (_, i) =>
          [`${i.toString(16).padStart(8, '0')}-uid-${'x'.repeat(i % 50)}${Math.random()}`, i + 1] as [string, number],
      ),
    );
    const line = encodeStateDelta(versions, { schema: 'withfields', clusterName: 'c 1' }, 42);
    expect(line).toMatch(/^heapless_events_state,cluster_name=c\\ 1,schema=withfields versions=5000i,n=\d+i,s0="/);
    const fields = Object.fromEntries(
      [...line.matchAll(/(\w+)=(?:"([^"]*)"|(\d+)i)/g)].map((m) => [m[1], m[2] ?? Number(m[3])]),
    );
    expect(Number(fields['n'])).toBeGreaterThan(1);
    expect(new Map(decodeStateDelta(fields))).toEqual(versions);
    expect(decodeStateDelta({ n: 1, s0: 'not deflate' })).toBeUndefined();
  });
});

describe('settings and run figures', () => {
  it('defaults to the core API, the withfields schema and a 70 min state window', () => {
    const c = readEventsConfig({}, ['--events-api=events.k8s.io']);
    expect(c).toMatchObject({
      eventsApi: 'events.k8s.io',
      eventsSchema: 'withfields',
      eventsStateWindow: 70 * 60_000,
      pageSize: 500,
    });
  });

  it('reports every bad setting at once', () => {
    const err = (() => {
      try {
        readEventsConfig({ EVENTS_API: 'watch', EVENTS_SCHEMA: 'json' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toHaveLength(2);
  });

  it('encodes the heapless_run point of an events run', () => {
    const s = { ...newEventsRunStats(), listed: 3, new: 2, known: 1, pages: 1, points: 2, listFailed: true };
    expect(encodeEventsRunStats(s, 60_000, undefined)).toBe(
      'heapless_run,fn=events events_listed=3i,events_new=2i,events_known=1i,events_expired=0i,events_invalid=0i,events_remembered=0i,pages=1i,points=2i,bytes=0i,failed_points=0i,list_failed=1i,duration_ms=0i 60000',
    );
  });
});
