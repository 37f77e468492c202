/**
 * @module sim/events
 * The event store behind `/api/v1/events` and `/apis/events.k8s.io/v1/events`.
 * Insertion-ordered; adding an event whose namespace/name already exists replaces it in
 * place (so a test can bump `count`), and every write gets a new resourceVersion.
 */
import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

export interface EventStore {
  /** Store core/v1 Event objects (kind/apiVersion are dropped; namespace defaults to "default"). */
  upsert(events: object[]): void;
  /** core/v1 items in insertion order. */
  coreItems(): Json[];
  /** events.k8s.io/v1 items in insertion order. */
  eventsV1Items(): Json[];
}

/**
 * @param nextResourceVersion called once per stored event
 * @param nowRfc3339 default creationTimestamp for events that have none
 */
export function createEventStore(nextResourceVersion: () => string, nowRfc3339: () => string): EventStore {
  const byKey = new Map<string, Json>();
  return {
    upsert(events) {
      for (const event of events) {
        const stored = normalize(event as Json, nextResourceVersion(), nowRfc3339(), byKey.size);
        const meta = stored['metadata'] as { namespace: string; name: string };
        byKey.set(`${meta.namespace}/${meta.name}`, stored);
      }
    },
    coreItems: () => [...byKey.values()],
    eventsV1Items: () => [...byKey.values()].map(toEventsV1),
  };
}

function normalize(event: Json, resourceVersion: string, now: string, serial: number): Json {
  const { kind: _kind, apiVersion: _apiVersion, ...copy } = structuredClone(event);
  const meta = { ...((copy['metadata'] ?? {}) as Json) };
  meta['namespace'] ??= 'default';
  meta['name'] ??= `sim-event-${serial}`;
  meta['uid'] ??= randomUUID();
  meta['creationTimestamp'] ??= now;
  meta['resourceVersion'] = resourceVersion;
  return { ...copy, metadata: meta };
}

/**
 * core/v1 → events.k8s.io/v1, field for field as the API server's conversion does
 * (reportingController comes from reportingComponent only, so it is "" for old-style events).
 */
export function toEventsV1(core: Json): Json {
  const v1: Json = {
    metadata: core['metadata'],
    eventTime: core['eventTime'] ?? null,
    series: core['series'],
    reportingController: core['reportingComponent'] ?? '',
    reportingInstance: core['reportingInstance'] ?? '',
    action: core['action'],
    reason: core['reason'],
    regarding: core['involvedObject'],
    related: core['related'],
    note: core['message'],
    type: core['type'],
    deprecatedSource: core['source'],
    deprecatedFirstTimestamp: core['firstTimestamp'],
    deprecatedLastTimestamp: core['lastTimestamp'],
    deprecatedCount: core['count'],
  };
  for (const key of Object.keys(v1)) if (v1[key] === undefined) delete v1[key];
  return v1;
}
