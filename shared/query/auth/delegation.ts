/**
 * @module query/auth/delegation
 * Authentication and authorization delegated to kube-apiserver, as every aggregated API server
 * does: a TokenReview names the user behind a bearer token, a SubjectAccessReview says whether
 * that user may do what the request asks (RBAC: `system:auth-delegator`).
 *
 * Answers are cached so a burst of requests costs one review: accepted tokens for TOKEN_TTL_MS,
 * keyed by the token's SHA-256 (the token itself is never kept), and decisions for
 * DECISION_TTL_MS (kube-apiserver's delegating authorizer defaults: 10 s allowed and denied).
 */
import { createHash } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Attributes, UserInfo } from '#shared/query/auth/attributes';
import { withTimeout } from '#shared/query/auth/kube-call';
import { TtlCache } from '#shared/query/auth/ttl-cache';

export interface Decision {
  allowed: boolean;
  /** The authorizer's explanation; appended to a 403's message as kube-apiserver does. */
  reason: string;
}

export interface Delegation {
  /** undefined: the API server does not know the token. Throws KubeCallError when it cannot answer. */
  reviewToken(token: string): Promise<UserInfo | undefined>;
  /** Throws KubeCallError when the API server cannot answer. */
  authorize(user: UserInfo, attrs: Attributes): Promise<Decision>;
}

/** The API server's own reviews, over the service account (or KUBECONFIG) credentials. */
export function kubeDelegation(kc: KubeConfig, timeoutMs: number): Delegation {
  const authn = kc.makeApiClient(AuthenticationV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  return {
    async reviewToken(token) {
      const review = await withTimeout(timeoutMs, (o) => authn.createTokenReview({ body: { spec: { token } } }, o));
      const status = review.status;
      if (!status?.authenticated || !status.user?.username) return undefined;
      const u = status.user;
      return {
        username: u.username as string,
        groups: u.groups ?? [],
        ...(u.uid ? { uid: u.uid } : {}),
        ...(u.extra ? { extra: u.extra } : {}),
      };
    },
    async authorize(user, attrs) {
      const spec = {
        user: user.username,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        ...attributesSpec(attrs),
      };
      const review = await withTimeout(timeoutMs, (o) => authz.createSubjectAccessReview({ body: { spec } }, o));
      const s = review.status;
      return { allowed: Boolean(s?.allowed) && !s?.denied, reason: s?.reason ?? '' };
    },
  };
}

function attributesSpec(attrs: Attributes): Record<string, unknown> {
  return 'resource' in attrs
    ? { resourceAttributes: { ...attrs.resource } }
    : { nonResourceAttributes: { ...attrs.nonResource } };
}

export const TOKEN_TTL_MS = 60_000;
export const DECISION_TTL_MS = 10_000;
/** Distinct tokens or users × requests held at once; a few hundred bytes each. */
const MAX_ENTRIES = 10_000;

/**
 * `inner` behind the two caches. Refused tokens are not cached (a flood of random tokens is no
 * cheaper for it), but concurrent requests with the same key share one review in flight: an HPA
 * burst or a kubectl discovery costs one call, not one per request.
 */
export function cachedDelegation(inner: Delegation, now: () => number = Date.now): Delegation {
  const users = new TtlCache<UserInfo>(MAX_ENTRIES, now);
  const decisions = new TtlCache<Decision>(MAX_ENTRIES, now);
  const reviewing = new Map<string, Promise<UserInfo | undefined>>();
  const authorizing = new Map<string, Promise<Decision>>();
  return {
    async reviewToken(token) {
      const key = createHash('sha256').update(token).digest('base64');
      return (
        users.get(key) ??
        once(
          reviewing,
          key,
          () => inner.reviewToken(token),
          (user) => user && users.set(key, user, TOKEN_TTL_MS),
        )
      );
    },
    async authorize(user, attrs) {
      const key = JSON.stringify([user.username, user.uid ?? '', user.groups, user.extra ?? {}, attrs]);
      return (
        decisions.get(key) ??
        once(
          authorizing,
          key,
          () => inner.authorize(user, attrs),
          (d) => decisions.set(key, d, DECISION_TTL_MS),
        )
      );
    },
  };
}

/** The call for `key` already under way, else a new one whose result `keep` may cache. */
function once<T>(
  inFlight: Map<string, Promise<T>>,
  key: string,
  call: () => Promise<T>,
  keep: (value: T) => unknown,
): Promise<T> {
  let pending = inFlight.get(key);
  if (!pending) {
    pending = call().then((value) => {
      keep(value);
      return value;
    });
    inFlight.set(key, pending);
    const forget = (): void => void inFlight.delete(key);
    pending.then(forget, forget);
  }
  return pending;
}
