/**
 * @module events/encode
 * EventRecord → one line of Heapster's eventer schema (heapster.md §7).
 *
 * A point's identity in InfluxDB is measurement + tag set + time, so every part of the line is a
 * function of the event version (uid, count) alone: writing the same version again, from a
 * repeated, overlapping or state-less run, overwrites the point with identical values and never
 * adds one. Free text (message, JSON) goes in string fields, which keep every character; tags
 * hold only names and short words (escapeTag cannot store a newline in an InfluxDB 1.x tag).
 */
import type { EventRecord } from '#shared/events/event-record';
import type { EventsSchema } from '#shared/events/events-settings';
import { escapeMeasurement, quoteString } from '#shared/encode/escape';
import { tagString } from '#shared/encode/line-protocol';

export const WITHFIELDS_MEASUREMENT = 'events';
export const HEAPSTER_MEASUREMENT = 'log/events';

/**
 * The point's time, epoch ms: the second of the latest occurrence plus (count − 1) mod 1000 ms.
 * Core timestamps have whole seconds, so nothing is lost for them; the millisecond offset keeps
 * two versions of one event in the same second (count 1 then 2) as two points instead of the
 * second overwriting the first. New-style MicroTime loses its sub-second part (the dashboards
 * group by minutes).
 */
export function pointTimeMs(r: EventRecord): number {
  return Math.floor(r.lastMs / 1000) * 1000 + ((r.count - 1) % 1000);
}

/** The line for one event version. `count` is added to Heapster's fields in both schemas. */
export function encodeEvent(r: EventRecord, schema: EventsSchema, clusterName: string | undefined): string {
  const isPod = r.kind === 'Pod';
  const count = `count=${r.count}i`;
  if (schema === 'heapster') {
    const tags = tagString({
      uid: r.uid,
      pod_id: isPod ? r.objectUid : '',
      pod_name: isPod ? r.objectName : '',
      hostname: r.host,
      cluster_name: clusterName ?? '',
    });
    return `${escapeMeasurement(HEAPSTER_MEASUREMENT)}${tags} value=${quoteString(eventJson(r.listed))},${count} ${pointTimeMs(r)}`;
  }
  const tags = tagString({
    uid: r.uid,
    pod_id: isPod ? r.objectUid : '',
    object_name: r.objectName,
    type: r.type,
    kind: r.kind,
    component: r.component,
    reason: r.reason,
    namespace_name: r.namespace,
    hostname: r.host,
    cluster_name: clusterName ?? '',
  });
  return `${WITHFIELDS_MEASUREMENT}${tags} message=${quoteString(r.message)},${count} ${pointTimeMs(r)}`;
}

/**
 * The event as Heapster's `json.MarshalIndent(event, "", " ")` gave it (one-space indent), in the
 * shape of the API that was listed. managedFields is dropped: it postdates Heapster and is only
 * server bookkeeping, several times the size of the event.
 */
export function eventJson(listed: unknown): string {
  return JSON.stringify(listed, (key, value: unknown) => (key === 'managedFields' ? undefined : value), 1);
}
