/**
 * @module query/auth/guard
 * The middleware in front of every API route (`QueryDeps.guard`; probes and /metrics stay open
 * for the kubelet). metrics.k8s.io follows QUERY_AUTH, the model and scraper APIs MODEL_AUTH:
 * - `delegated`: a verified front-proxy identity, else a bearer token a TokenReview accepts
 *   (the model and scraper APIs also take the static token); then a SubjectAccessReview.
 * - `token` (model and scraper only): the static token and nothing else.
 * - `none`: no check.
 * 401 = no acceptable credentials, 403 = the review said no, 503 = the API server could not be
 * asked. Answers never echo a credential; log lines name the failed check, never a token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '#shared/log';
import { failure } from '#shared/query/metrics-objects';
import {
  forbiddenMessage,
  metricsApiAttributes,
  modelApiAttributes,
  narrowsToNamespaces,
  podsListIn,
  type Attributes,
  type UserInfo,
} from '#shared/query/auth/attributes';
import type { Delegation } from '#shared/query/auth/delegation';
import { frontProxyUser } from '#shared/query/auth/front-proxy';
import type { RequestHeaderConfig } from '#shared/query/auth/request-header';
import type { StaticToken } from '#shared/query/auth/static-token';

export type MetricsAuth = 'delegated' | 'none';
export type ModelAuth = 'delegated' | 'token' | 'none';

export interface GuardOptions {
  metricsAuth: MetricsAuth;
  modelAuth: ModelAuth;
  /** The current front-proxy settings (re-read from the ConfigMap); undefined = none known. */
  requestHeader: () => RequestHeaderConfig | undefined;
  /** Required when either API is `delegated`. */
  delegation?: Delegation;
  /** QUERY_AUTH_TOKEN_FILE's token, for the model and scraper APIs. */
  staticToken?: StaticToken;
  log: Logger;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function authGuard(opts: GuardOptions): MiddlewareHandler {
  if ((opts.metricsAuth === 'delegated' || opts.modelAuth === 'delegated') && !opts.delegation)
    throw new Error('delegated authentication needs a Delegation');
  if (opts.modelAuth === 'token' && !opts.staticToken) throw new Error('MODEL_AUTH=token needs QUERY_AUTH_TOKEN_FILE');
  return async function guard(c, next) {
    const metrics = c.req.path.startsWith('/apis/');
    const mode = metrics ? opts.metricsAuth : opts.modelAuth;
    if (mode === 'none') return next();
    const bearer = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!metrics && bearer !== undefined && opts.staticToken?.matches(bearer)) return next();
    if (mode === 'token') return deny(c, 401, 'Unauthorized', 'Unauthorized');
    const verdict = await delegated(
      c,
      opts,
      bearer,
      metrics ? metricsApiAttributes(c.req.path) : modelApiAttributes(c.req.path, c.req.query('namespace')),
    );
    return verdict ?? next();
  };
}

/** undefined = allowed; otherwise the refusal to send. */
async function delegated(
  c: Context,
  opts: GuardOptions,
  bearer: string | undefined,
  attrs: Attributes,
): Promise<Response | undefined> {
  const delegation = opts.delegation as Delegation;
  let user: UserInfo | undefined = frontProxyUser(incoming(c), opts.requestHeader());
  if (!user && bearer !== undefined) {
    try {
      user = await delegation.reviewToken(bearer);
    } catch (err) {
      return unavailable(c, opts.log, 'tokenreview', err);
    }
  }
  if (!user) return deny(c, 401, 'Unauthorized', 'Unauthorized');
  try {
    const decision = await delegation.authorize(user, attrs);
    if (decision.allowed) return undefined;
    const refusal = forbiddenMessage(user, attrs, decision.reason);
    if (narrowsToNamespaces(c.req.path, c.req.query('namespace'))) {
      const who = user;
      // A namespace-scoped user sees their own namespaces; the route asks about each one it answers.
      c.set('namespaceScope', {
        allowed: async (namespace) => (await delegation.authorize(who, podsListIn(namespace))).allowed,
        refusal,
      });
      return undefined;
    }
    return deny(c, 403, 'Forbidden', refusal, details(attrs));
  } catch (err) {
    return unavailable(c, opts.log, 'subjectaccessreview', err);
  }
}

/** The Node request behind the Hono one; absent under `app.request` in tests (no TLS, no certificate). */
function incoming(c: Context): HttpBindings['incoming'] | undefined {
  const env = c.env as Partial<HttpBindings> | undefined;
  return env?.incoming;
}

function details(attrs: Attributes): Record<string, string> | undefined {
  if (!('resource' in attrs)) return undefined;
  return {
    group: attrs.resource.group,
    kind: attrs.resource.resource,
    ...(attrs.resource.name ? { name: attrs.resource.name } : {}),
  };
}

/** The error carries only a status or network code (query/auth/kube-call), never a request body. */
function unavailable(c: Context, log: Logger, check: string, err: unknown): Response {
  log.warn('auth_unavailable', {
    check,
    error: err instanceof Error ? err.message : 'unknown',
    hint: 'the Kubernetes API did not answer; check the API server and the auth-delegator RBAC',
  });
  c.set('failureReason', 'auth_unavailable');
  return deny(c, 503, 'ServiceUnavailable', 'the credentials cannot be checked now; try again later');
}

/** A Status under /apis (kubectl prints its message), `{"error": …}` on the model and scraper APIs. */
function deny(
  c: Context,
  code: ContentfulStatusCode,
  reason: string,
  message: string,
  extra?: Record<string, string>,
): Response {
  const metrics = c.req.path.startsWith('/apis/');
  const body = metrics
    ? { ...failure(code, reason, message), ...(extra ? { details: extra } : {}) }
    : { error: message };
  return c.json(body, code);
}
