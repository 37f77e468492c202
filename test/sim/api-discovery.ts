/**
 * @module sim/api-discovery
 * Legacy (non-aggregated) discovery documents, enough for kubectl 1.32: it asks for the
 * aggregated `apidiscovery.k8s.io/v2` form, gets plain `application/json`, and falls back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Json = Record<string, unknown>;

/** An extra API group listed by `GET /apis`, with an optional handler for its paths. */
export interface ApiGroupExtension {
  /** The APIGroup object, e.g. `{name: 'metrics.k8s.io', versions: [...], preferredVersion: ...}`. */
  group: Json & { name: string };
  /** Serves every request under `/apis/<group.name>` (after authentication); absent → 404. */
  handle?: (req: IncomingMessage, res: ServerResponse, url: URL) => void;
}

export function versionInfo(): Json {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.4-heapless-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Json {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(extensions: ApiGroupExtension[]): Json {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: extensions.map((e) => e.group) };
}

const READ_VERBS = ['get', 'list', 'watch'];

function resource(name: string, singularName: string, kind: string, namespaced: boolean): Json {
  return { name, singularName, namespaced, kind, verbs: READ_VERBS };
}

export function coreV1Resources(): Json {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { ...resource('events', 'event', 'Event', true), shortNames: ['ev'] },
      { ...resource('namespaces', 'namespace', 'Namespace', false), shortNames: ['ns'] },
      { ...resource('nodes', 'node', 'Node', false), shortNames: ['no'] },
      { ...resource('nodes/proxy', '', 'NodeProxyOptions', false), verbs: ['get'] },
      { ...resource('pods', 'pod', 'Pod', true), shortNames: ['po'], categories: ['all'] },
    ],
  };
}

export function eventsV1Resources(): Json {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'events.k8s.io/v1',
    resources: [{ ...resource('events', 'event', 'Event', true), shortNames: ['ev'] }],
  };
}
