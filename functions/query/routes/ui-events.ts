/**
 * @module query/routes/ui-events
 * The latest Kubernetes events the events export wrote, for the page: newest first, from the last
 * hour, at most `limit` (default 50). Both schemas are read: `events` (withfields: the event's
 * words are tags, the message a field) and `log/events` (heapster: the whole event as JSON).
 * Under /api/, so the guard checks it as the model API (MODEL_AUTH): the namespaced path is a
 * `list pods` in that namespace, the other one in every namespace. `object` (names, comma
 * separated) narrows to the events about those objects: a drill-down view's node, workload or pod.
 */
import { Hono, type Context } from 'hono';
import { HEAPSTER_MEASUREMENT, WITHFIELDS_MEASUREMENT } from '#shared/events/encode';
import { ident, timeLiteral } from '#shared/influx/influxql';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { ParamError } from '#shared/query/errors';
import { forEachRow, num, str } from '#shared/query/rows';
import { objectName, objectNames } from '#shared/query/validate';
import { tagEquals } from '#shared/query/where';

export interface UiEvent {
  /** RFC 3339, the event's last time. */
  time: string;
  namespace: string;
  kind: string;
  object: string;
  type: string;
  reason: string;
  message: string;
  count: number;
}

const BASE = '/api/v1/ui';
/** The page shows the last hour everywhere. */
const WINDOW_MS = 3_600_000;
const MAX_LIMIT = 500;

export function uiEventsRoutes(deps: QueryDeps): Hono {
  const app = new Hono({ strict: false });
  app.get(`${BASE}/events`, (c) => latest(c, deps, undefined));
  app.get(`${BASE}/namespaces/:namespace/events`, (c) =>
    latest(c, deps, objectName('namespace', c.req.param('namespace'))),
  );
  return app;
}

function limitParam(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 50;
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw new ParamError('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
  return n;
}

async function latest(c: Context, deps: QueryDeps, namespace: string | undefined): Promise<Response> {
  const limit = limitParam(c.req.query('limit'));
  const rawObjects = c.req.query('object');
  const objects = rawObjects === undefined ? undefined : objectNames('object', rawObjects);
  const endMs = deps.now();
  const scope = [`time >= ${timeLiteral(endMs - WINDOW_MS)}`, `time <= ${timeLiteral(endMs)}`];
  if (deps.settings.clusterName) scope.push(tagEquals('cluster_name', deps.settings.clusterName));
  const statement = (measurement: string, conditions: string[], offset = 0): string =>
    `SELECT * FROM ${ident(measurement)} WHERE ${[...conditions, ...scope].join(' AND ')} ORDER BY time DESC LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`;
  const withfields = await runStatement(
    c,
    deps,
    statement(WITHFIELDS_MEASUREMENT, [
      ...(namespace ? [tagEquals('namespace_name', namespace)] : []),
      ...(objects ? [`(${objects.map((o) => tagEquals('object_name', o)).join(' OR ')})`] : []),
    ]),
  );
  const events: UiEvent[] = [];
  forEachRow(withfields, ({ cell }) =>
    events.push({
      time: isoTime(cell('time')),
      namespace: str(cell('namespace_name')),
      kind: str(cell('kind')),
      object: str(cell('object_name')),
      type: str(cell('type')),
      reason: str(cell('reason')),
      message: str(cell('message')),
      count: num(cell('count')) ?? 1,
    }),
  );
  events.push(
    ...(await heapsterEvents(c, deps, { namespace, objects }, limit, (conditions, offset) =>
      statement(HEAPSTER_MEASUREMENT, conditions, offset),
    )),
  );
  events.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return c.json({ items: events.slice(0, limit) });
}

/** Pages of `limit` rows read at most, so a namespace's events found past non-matching rows stay bounded. */
const MAX_PAGES = 10;

/**
 * The newest `limit` events of Heapster's schema, of one namespace and about some objects when
 * given (the objects are checked here only, after reading: their names are inside the JSON too). The namespace is
 * inside the event's JSON (the schema has no tag for it), so InfluxDB selects the rows that name
 * it (`"namespace": "<ns>"`, outside any JSON string) before LIMIT, and the exact namespace is
 * checked here; should that drop rows of a full page, the next page is read.
 */
async function heapsterEvents(
  c: Context,
  deps: QueryDeps,
  { namespace, objects }: { namespace: string | undefined; objects: string[] | undefined },
  limit: number,
  statement: (conditions: string[], offset: number) => string,
): Promise<UiEvent[]> {
  const conditions = namespace ? [`${ident('value')} =~ ${namespaceRegex(namespace)}`] : [];
  const events: UiEvent[] = [];
  for (let page = 0; page < MAX_PAGES && events.length < limit; page++) {
    let rows = 0;
    forEachRow(await runStatement(c, deps, statement(conditions, page * limit)), ({ cell }) => {
      rows++;
      const e = fromJson(isoTime(cell('time')), str(cell('value')), num(cell('count')));
      if (e && (namespace === undefined || e.namespace === namespace) && (!objects || objects.includes(e.object)))
        events.push(e);
    });
    if (rows < limit) break;
  }
  return events;
}

/**
 * `"namespace": "<ns>"` as eventJson writes it (or without the space), not preceded by a
 * backslash: a quote inside a JSON string is escaped, so a message naming a namespace is no match.
 */
function namespaceRegex(namespace: string): string {
  // objectName allows only [A-Za-z0-9_.-]: escaping `.` and `-` is enough.
  return `/(^|[^\\\\])"namespace":\\s*"${namespace.replace(/[.-]/g, '\\$&')}"/`;
}

interface ObjectRef {
  kind?: string;
  namespace?: string;
  name?: string;
}

/** The fields read from an event as Heapster stored it (either API's shape). */
interface EventJson {
  involvedObject?: ObjectRef;
  regarding?: ObjectRef;
  metadata?: { namespace?: string };
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  count?: number;
}

/** Heapster's schema: the event as JSON (core/v1 or events.k8s.io/v1 shape). */
function fromJson(time: string, value: string, count: number | undefined): UiEvent | undefined {
  let e: EventJson | null;
  try {
    e = JSON.parse(value) as EventJson | null;
  } catch {
    return undefined;
  }
  const object = e?.involvedObject ?? e?.regarding ?? {};
  return {
    time,
    namespace: String(object.namespace ?? e?.metadata?.namespace ?? ''),
    kind: String(object.kind ?? ''),
    object: String(object.name ?? ''),
    type: String(e?.type ?? ''),
    reason: String(e?.reason ?? ''),
    message: String(e?.message ?? e?.note ?? ''),
    count: count ?? Number(e?.count ?? 1),
  };
}

/** The client asks for `epoch=ms`. */
function isoTime(value: unknown): string {
  return new Date(num(value) ?? 0).toISOString();
}
