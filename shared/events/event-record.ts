/**
 * @module events/event-record
 * core/v1 and events.k8s.io/v1 Events → one typed EventRecord. The two APIs serve the same stored
 * objects, and each field is read so that one event gives the same record (hence the same point)
 * whichever API is listed. Input is the client package's model object (timestamps are Date) or
 * plain JSON (timestamps are RFC 3339 strings); both are accepted.
 */
import type { EventsApi } from '#shared/events/events-settings';

export interface EventRecord {
  /** metadata.uid of the Event object; with `count` it names one version of the event. */
  uid: string;
  /** metadata.namespace (Heapster's `namespace_name`). */
  namespace: string;
  /** The involved object (`regarding` in events.k8s.io). */
  kind: string;
  objectName: string;
  objectUid: string;
  type: string;
  reason: string;
  /** source.component, or the reporting controller of new-style events that have no source. */
  component: string;
  /** source.host: the node that reported it (Heapster's `hostname`). */
  host: string;
  /** `message` (`note` in events.k8s.io), verbatim. */
  message: string;
  /** Occurrences so far: series.count for new-style series, else count; at least 1. */
  count: number;
  /** The latest occurrence, epoch ms (whole seconds for core timestamps). */
  lastMs: number;
  /** The object as listed, for the heapster schema's JSON value; released with its page. */
  listed: unknown;
}

type Obj = Record<string, unknown>;

/** An EventRecord, or why the item cannot be exported. */
export function decodeEvent(api: EventsApi, item: unknown): EventRecord | string {
  if (!isObj(item)) return 'not an object';
  return api === 'core' ? decodeCore(item) : decodeEventsV1(item);
}

function decodeCore(e: Obj): EventRecord | string {
  const series = obj(e, 'series');
  const source = obj(e, 'source');
  return build(e, {
    about: obj(e, 'involvedObject'),
    message: text(e, 'message'),
    component: text(source, 'component') || text(e, 'reportingComponent'),
    host: text(source, 'host'),
    counts: [num(series, 'count'), num(e, 'count')],
    latest: [time(series, 'lastObservedTime'), time(e, 'lastTimestamp'), time(e, 'eventTime')],
    earliest: time(e, 'firstTimestamp'),
  });
}

function decodeEventsV1(e: Obj): EventRecord | string {
  const series = obj(e, 'series');
  const source = obj(e, 'deprecatedSource');
  return build(e, {
    about: obj(e, 'regarding'),
    message: text(e, 'note'),
    component: text(source, 'component') || text(e, 'reportingController'),
    host: text(source, 'host'),
    counts: [num(series, 'count'), num(e, 'deprecatedCount')],
    latest: [time(series, 'lastObservedTime'), time(e, 'deprecatedLastTimestamp'), time(e, 'eventTime')],
    earliest: time(e, 'deprecatedFirstTimestamp'),
  });
}

interface Parts {
  about: Obj;
  message: string;
  component: string;
  host: string;
  counts: Array<number | undefined>;
  /** Candidates for the latest occurrence; the greatest wins. */
  latest: Array<number | undefined>;
  /** Used only when no candidate above is set (an event that never repeated and has no eventTime). */
  earliest: number | undefined;
}

function build(e: Obj, p: Parts): EventRecord | string {
  const meta = obj(e, 'metadata');
  const uid = text(meta, 'uid');
  if (!uid) return 'no metadata.uid';
  const latest = p.latest.filter((t): t is number => t !== undefined);
  const lastMs = latest.length > 0 ? Math.max(...latest) : (p.earliest ?? time(meta, 'creationTimestamp'));
  if (lastMs === undefined) return `event ${uid} has no timestamp`;
  const counts = p.counts.filter((c): c is number => c !== undefined);
  return {
    uid,
    namespace: text(meta, 'namespace') || text(p.about, 'namespace'),
    kind: text(p.about, 'kind'),
    objectName: text(p.about, 'name'),
    objectUid: text(p.about, 'uid'),
    type: text(e, 'type'),
    reason: text(e, 'reason'),
    component: p.component,
    host: p.host,
    message: p.message,
    count: Math.max(1, ...counts),
    lastMs,
    listed: e,
  };
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(o: Obj, key: string): Obj {
  const v = o[key];
  return isObj(v) ? v : {};
}

function text(o: Obj, key: string): string {
  const v = o[key];
  return typeof v === 'string' ? v : '';
}

function num(o: Obj, key: string): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : undefined;
}

/** Epoch ms of a Date or RFC 3339 string; unset, unparsable and pre-1970 (Go's zero time) are undefined. */
function time(o: Obj, key: string): number | undefined {
  const v = o[key];
  const ms = v instanceof Date ? v.getTime() : typeof v === 'string' && v !== '' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
