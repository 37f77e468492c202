/**
 * @module sim/api-auth
 * What an aggregated API server asks kube-apiserver, simulated: the ConfigMap
 * `kube-system/extension-apiserver-authentication` (front-proxy CA, allowed names, header names),
 * `POST …/tokenreviews` (who is behind a bearer token) and `POST …/subjectaccessreviews` (may
 * that user do this). Tests change `SimAuth` at will: tokens, grants, allowed names, outages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCa, issueCert, type CertKeyPair } from '#shared/tls/certificates';
import { sendJson, sendStatus } from '#test/sim/http-util';

type Json = Record<string, unknown>;

export interface SimUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** RBAC in miniature: `subject` is a user name or `group:<name>`; no namespace = every namespace. */
export interface SimGrant {
  subject: string;
  verbs: string[];
  /** e.g. `pods`, `nodes`, or `*`. */
  resources: string[];
  namespace?: string;
}

export interface SimFrontProxy {
  /** kube-apiserver's `--requestheader-client-ca-file`. */
  ca: CertKeyPair;
  /** `--proxy-client-cert-file` / `--proxy-client-key-file`, CN `front-proxy-client`. */
  clientCert: CertKeyPair;
}

export interface SimAuth {
  /** Tokens a TokenReview accepts. The cluster's own token is `system:admin` in `system:masters`. */
  tokens: Map<string, SimUser>;
  /** Grants for resource requests; `system:masters` may do anything, `system:authenticated` get any non-resource path (system:discovery). */
  grants: SimGrant[];
  /** The ConfigMap's `requestheader-allowed-names` (default `["front-proxy-client"]`). */
  allowedNames: string[];
  /** Answer reviews (or the ConfigMap) with this HTTP status instead, e.g. 503, until cleared. */
  failures: { tokenReview?: number; subjectAccessReview?: number; configMap?: number };
  /** Reviews answered, and the last SubjectAccessReview spec received. */
  counts: { tokenReview: number; subjectAccessReview: number; configMap: number };
  lastReview?: Json;
  /** Made on first use (RSA keys cost ~0.1 s; most simulations never need them). */
  readonly frontProxy: SimFrontProxy;
}

export const FRONT_PROXY_CN = 'front-proxy-client';

export function createSimAuth(clusterToken: string): SimAuth {
  let frontProxy: SimFrontProxy | undefined;
  return {
    tokens: new Map([[clusterToken, { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] }]]),
    grants: [],
    allowedNames: [FRONT_PROXY_CN],
    failures: {},
    counts: { tokenReview: 0, subjectAccessReview: 0, configMap: 0 },
    get frontProxy(): SimFrontProxy {
      if (!frontProxy) {
        const ca = createCa('heapless-sim-front-proxy-ca');
        frontProxy = { ca, clientCert: issueCert(ca, { commonName: FRONT_PROXY_CN, usage: 'client' }) };
      }
      return frontProxy;
    },
  };
}

/** `GET /api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication`. */
export function sendAuthConfigMap(res: ServerResponse, auth: SimAuth): void {
  auth.counts.configMap++;
  if (auth.failures.configMap) return sendStatus(res, auth.failures.configMap, 'simulated failure');
  sendJson(res, 200, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' },
    data: {
      'requestheader-client-ca-file': auth.frontProxy.ca.certPem,
      'requestheader-allowed-names': JSON.stringify(auth.allowedNames),
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    },
  });
}

/** The API server also accepts every token of `auth.tokens` (so kubectl can act as another user). */
export function knownToken(header: string | undefined, auth: SimAuth | undefined): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  return token !== undefined && auth?.tokens.has(token) === true;
}

const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** Handles the two review POSTs (after the API server authenticated the caller); false for anything else. */
export function serveReviews(req: IncomingMessage, res: ServerResponse, url: URL, auth: SimAuth | undefined): boolean {
  if (!auth || req.method !== 'POST' || (url.pathname !== TOKEN_REVIEWS && url.pathname !== ACCESS_REVIEWS))
    return false;
  void readJson(req).then(
    (body) => (url.pathname === TOKEN_REVIEWS ? tokenReview(res, auth, body) : accessReview(res, auth, body)),
    () => sendStatus(res, 400, 'the request body is not JSON'),
  );
  return true;
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
}

/** Like kube-apiserver, the answer echoes the spec, token included. */
function tokenReview(res: ServerResponse, auth: SimAuth, body: Json): void {
  auth.counts.tokenReview++;
  if (auth.failures.tokenReview) return sendStatus(res, auth.failures.tokenReview, 'simulated failure');
  const spec = (body['spec'] ?? {}) as { token?: string };
  const user = auth.tokens.get(spec.token ?? '');
  const status = user ? { authenticated: true, user } : { user: {}, error: 'invalid bearer token' };
  sendJson(res, 201, { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec, status });
}

function accessReview(res: ServerResponse, auth: SimAuth, body: Json): void {
  auth.counts.subjectAccessReview++;
  if (auth.failures.subjectAccessReview) return sendStatus(res, auth.failures.subjectAccessReview, 'simulated failure');
  const spec = (body['spec'] ?? {}) as Json;
  auth.lastReview = spec;
  const allowed = decide(auth.grants, spec);
  const status = allowed ? { allowed: true, reason: 'allowed by the simulator' } : { allowed: false };
  sendJson(res, 201, {
    kind: 'SubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec,
    status,
  });
}

function decide(grants: SimGrant[], spec: Json): boolean {
  const user = String(spec['user'] ?? '');
  const groups = (spec['groups'] ?? []) as string[];
  if (groups.includes('system:masters')) return true;
  if (spec['nonResourceAttributes']) return groups.includes('system:authenticated');
  const ra = (spec['resourceAttributes'] ?? {}) as { verb?: string; resource?: string; namespace?: string };
  const subjects = new Set([user, ...groups.map((g) => `group:${g}`)]);
  return grants.some(
    (g) =>
      subjects.has(g.subject) &&
      (g.verbs.includes('*') || g.verbs.includes(ra.verb ?? '')) &&
      (g.resources.includes('*') || g.resources.includes(ra.resource ?? '')) &&
      (g.namespace === undefined || g.namespace === (ra.namespace ?? '')),
  );
}
