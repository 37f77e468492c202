/**
 * @module query/auth/attributes
 * Who a caller is, and what a request asks to do in the terms of a SubjectAccessReview: the
 * metrics.k8s.io paths as kube-apiserver's RequestInfo reads them, and the model and scraper
 * APIs mapped onto the metrics.k8s.io resource they expose (nodes, or pods of a namespace), so
 * one RBAC rule (`get/list pods.metrics.k8s.io`) governs a given piece of data whichever API serves it.
 */

/** An authenticated user, as a TokenReview or the front proxy's headers name it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  group: string;
  version: string;
  resource: 'nodes' | 'pods';
  verb: 'get' | 'list';
  /** '' = all namespaces (or a cluster-scoped resource). */
  namespace: string;
  name?: string;
}

export interface NonResourceAttributes {
  path: string;
  verb: 'get';
}

export type Attributes = { resource: ResourceAttributes } | { nonResource: NonResourceAttributes };

const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';

/**
 * `path` is the decoded request path. Anything that is not a metrics.k8s.io resource path is a
 * non-resource `get` of that path (discovery, as kube-apiserver treats `/apis/<group>/<version>`).
 */
export function metricsApiAttributes(path: string): Attributes {
  const parts = segments(path);
  if (parts[0] !== 'apis' || parts[1] !== GROUP || parts[2] !== VERSION || parts.length < 4)
    return { nonResource: { path, verb: 'get' } };
  const rest = parts.slice(3);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1] ?? '';
    rest.splice(0, 2);
  }
  const resource = rest[0];
  if ((resource !== 'nodes' && resource !== 'pods') || rest.length > 2) return { nonResource: { path, verb: 'get' } };
  return metricsResource(resource, namespace, rest[1]);
}

/** A get of `name`, or a list when there is none, of metrics.k8s.io `resource`. */
function metricsResource(resource: 'nodes' | 'pods', namespace: string, name: string | undefined): Attributes {
  return {
    resource: {
      group: GROUP,
      version: VERSION,
      resource,
      verb: name ? 'get' : 'list',
      namespace,
      ...(name ? { name } : {}),
    },
  };
}

/**
 * The model API (`/api/v1/model/...`) and the scraper API (`/api/v1/dashboard/...`):
 * - `…/namespaces/<ns>/pods/<pod>…` → get pods `<pod>` in `<ns>`; `…/namespaces/<ns>…` → list pods in `<ns>`
 *   (the scraper's empty namespace segment is `default`);
 * - `…/nodes/<node>…` → get nodes `<node>`; `…/nodes` → list nodes;
 * - the cluster and the namespace list → list pods in every namespace (they sum or name them all);
 * - `…/recommendations?namespace=<ns>` → list pods in `<ns>`.
 */
export function modelApiAttributes(path: string, namespaceQuery?: string): Attributes {
  const parts = path.split('/').slice(4);
  // Right-sizing across workloads reads one namespace when `?namespace=` names it.
  if (parts[0] === 'recommendations' && parts.length === 1 && namespaceQuery)
    return metricsResource('pods', namespaceQuery, undefined);
  const at = (i: number): string | undefined => parts[i];
  // A comma-separated list of names (`/nodes/a,b/…`, the scraper's pod lists) reads as a list.
  const res = (resource: 'nodes' | 'pods', namespace: string, raw: string | undefined): Attributes =>
    metricsResource(resource, namespace, raw && !raw.includes(',') ? raw : undefined);
  if (at(0) === 'nodes') return res('nodes', '', at(1) || undefined);
  if (at(0) === 'namespaces' && parts.length >= 2) {
    const namespace = at(1) || 'default';
    return res('pods', namespace, at(2) === 'pods' && at(3) ? at(3) : undefined);
  }
  return res('pods', '', undefined);
}

/**
 * The routes that list across namespaces and can narrow their answer to those the caller may
 * list pods in, instead of refusing the caller who may not list them at the cluster scope.
 */
export function narrowsToNamespaces(path: string, namespaceQuery?: string): boolean {
  return !namespaceQuery && path.replace(/\/+$/, '') === '/api/v1/model/recommendations';
}

/** List pods (metrics.k8s.io) in `namespace`. */
export function podsListIn(namespace: string): Attributes {
  return metricsResource('pods', namespace, undefined);
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/**
 * The message kube-apiserver gives a 403, e.g. `pods.metrics.k8s.io is forbidden: User "x" cannot
 * list resource "pods" in API group "metrics.k8s.io" in the namespace "ns"`.
 */
export function forbiddenMessage(user: UserInfo, attrs: Attributes, reason: string): string {
  const suffix = reason ? `: ${reason}` : '';
  if ('nonResource' in attrs)
    return `forbidden: User "${user.username}" cannot get path "${attrs.nonResource.path}"${suffix}`;
  const r = attrs.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  const what = r.name ? `${r.resource}.${r.group} "${r.name}"` : `${r.resource}.${r.group}`;
  return `${what} is forbidden: User "${user.username}" cannot ${r.verb} resource "${r.resource}" in API group "${r.group}" ${scope}${suffix}`;
}
