/**
 * @module sim/api-routes
 * The read-only core/v1 and events.k8s.io/v1 routes of the simulated API server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventStore } from '#test/sim/events';
import type { ApiGroupExtension } from '#test/sim/api-discovery';
import * as discovery from '#test/sim/api-discovery';
import { arraySource, findByName, sendList, type ListSource } from '#test/sim/api-lists';
import { sendJson, sendNotFound } from '#test/sim/http-util';
import { sendAuthConfigMap, type SimAuth } from '#test/sim/api-auth';

type Json = Record<string, unknown>;

/** What the API server serves; sources are read on every request (always current). */
export interface ApiData {
  resourceVersion(): string;
  nodes: ListSource;
  pods: ListSource;
  /** apps/v1 ReplicaSets and batch/v1 Jobs (sim/generated-owners): what maps pods to workloads. */
  replicaSets: ListSource;
  jobs: ListSource;
  namespaces(): Json[];
  events: EventStore;
  extraApiGroups: ApiGroupExtension[];
  /** LISTs answer whole, ignoring `limit` (SimOptions.apiIgnoresLimit). */
  ignoreLimit?: boolean;
  /** List answers written in pieces of this many bytes (paged lists; SimOptions.apiPieceBytes). */
  pieceBytes?: number;
  /** Hand-made answers by path, served instead of the route (SimCluster.setApiAnswer). */
  answers: Map<string, ApiAnswer>;
  /** Pods' protobuf, for clients that ask for it as a real API server does; absent: JSON only. */
  protobuf?: (pod: Json) => Buffer;
  /** Aggregated-API-server support (sim/api-auth); absent = those routes 404. */
  auth?: SimAuth;
}

/** A hand-made 200 answer: hostile or broken bodies a real API server or proxy might send. */
export interface ApiAnswer {
  contentType: string;
  body: Buffer;
  /** Written in pieces of this many bytes (default: whole). */
  pieceBytes?: number;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  data: ApiData;
  /** host:port of the API server, for the APIVersions document. */
  serverAddress: string;
}

type Handler = (ctx: RouteContext, params: string[]) => void;

const EVENTS_V1 = 'events.k8s.io/v1';

export const ROUTES: ReadonlyArray<[RegExp, Handler]> = [
  [/^\/version\/?$/, (c) => sendJson(c.res, 200, discovery.versionInfo())],
  [/^\/api\/?$/, (c) => sendJson(c.res, 200, discovery.apiVersions(c.serverAddress))],
  [/^\/apis\/?$/, (c) => sendJson(c.res, 200, discovery.apiGroupList(c.data.extraApiGroups))],
  [/^\/api\/v1\/?$/, (c) => sendJson(c.res, 200, discovery.coreV1Resources())],
  [/^\/apis\/events\.k8s\.io\/v1\/?$/, (c) => sendJson(c.res, 200, discovery.eventsV1Resources())],
  [/^\/api\/v1\/nodes$/, (c) => list(c, c.data.nodes, 'NodeList')],
  [/^\/api\/v1\/nodes\/([^/]+)$/, (c, [name]) => getOne(c, c.data.nodes, 'Node', name)],
  [/^\/api\/v1\/pods$/, (c) => list(c, c.data.pods, 'PodList', undefined, 'v1', podProtobuf(c))],
  [/^\/api\/v1\/namespaces$/, (c) => list(c, namespaces(c), 'NamespaceList')],
  [/^\/api\/v1\/namespaces\/([^/]+)$/, (c, [name]) => getOne(c, namespaces(c), 'Namespace', name)],
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods$/, (c, [ns]) => list(c, c.data.pods, 'PodList', ns, 'v1', podProtobuf(c))],
  [/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/, (c, [ns, name]) => getOne(c, c.data.pods, 'Pod', name, ns)],
  [/^\/api\/v1\/events$/, (c) => list(c, coreEvents(c), 'EventList')],
  [/^\/api\/v1\/namespaces\/([^/]+)\/events$/, (c, [ns]) => list(c, coreEvents(c), 'EventList', ns)],
  [/^\/api\/v1\/namespaces\/([^/]+)\/events\/([^/]+)$/, (c, [ns, name]) => getOne(c, coreEvents(c), 'Event', name, ns)],
  [
    /^\/api\/v1\/namespaces\/kube-system\/configmaps\/extension-apiserver-authentication$/,
    (c) =>
      c.data.auth
        ? sendAuthConfigMap(c.res, c.data.auth)
        : sendNotFound(c.res, 'configmaps', 'extension-apiserver-authentication'),
  ],
  [/^\/apis\/apps\/v1\/replicasets$/, (c) => list(c, c.data.replicaSets, 'ReplicaSetList', undefined, 'apps/v1')],
  [/^\/apis\/batch\/v1\/jobs$/, (c) => list(c, c.data.jobs, 'JobList', undefined, 'batch/v1')],
  [/^\/apis\/events\.k8s\.io\/v1\/events$/, (c) => listEventsV1(c)],
  [/^\/apis\/events\.k8s\.io\/v1\/namespaces\/([^/]+)\/events$/, (c, [ns]) => listEventsV1(c, ns)],
];

function namespaces(c: RouteContext): ListSource {
  return arraySource(c.data.namespaces());
}

function coreEvents(c: RouteContext): ListSource {
  return arraySource(c.data.events.coreItems());
}

function listEventsV1(c: RouteContext, namespace?: string): void {
  const source = arraySource(c.data.events.eventsV1Items());
  list(c, source, 'EventList', namespace, EVENTS_V1);
}

/** Pods in protobuf when the client lists it among what it accepts (client-go puts it first). */
function podProtobuf(c: RouteContext): ((obj: Json) => Buffer) | undefined {
  const accept = c.req.headers.accept ?? '';
  return accept.includes('application/vnd.kubernetes.protobuf') ? c.data.protobuf : undefined;
}

/** A list, optionally restricted to one namespace (as an extra field-selector term). */
function list(
  c: RouteContext,
  source: ListSource,
  kind: string,
  namespace?: string,
  apiVersion = 'v1',
  protobuf?: (obj: Json) => Buffer,
): void {
  const url = new URL(c.url);
  if (namespace !== undefined) {
    const terms = [url.searchParams.get('fieldSelector'), `metadata.namespace=${namespace}`];
    url.searchParams.set('fieldSelector', terms.filter(Boolean).join(','));
  }
  const rv = c.data.resourceVersion();
  const ignoreLimit = c.data.ignoreLimit ?? false;
  sendList(c.res, url, source, { kind, apiVersion }, rv, ignoreLimit, protobuf, c.data.pieceBytes);
}

function getOne(c: RouteContext, source: ListSource, kind: string, name = '', namespace?: string): void {
  const obj = findByName(source, decodeURIComponent(name), namespace);
  const plural = `${kind.toLowerCase()}s`;
  if (!obj) return sendNotFound(c.res, plural, name);
  sendJson(c.res, 200, { kind, apiVersion: 'v1', ...obj });
}
