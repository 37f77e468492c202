/**
 * @module kube/kube-errors
 * Kubernetes-side problems an operator must fix, told apart from bugs and passing faults: a
 * kubeconfig that is missing or malformed (named), no cluster at all, credentials the API server
 * rejects (401: authentication, which RBAC cannot fix), an API server that refuses connections
 * or accepts them and never answers (the same problem: it cannot be used; the hint names which).
 * Each becomes one log line with a hint and exit code 2 (shared/entry.ts), like a bad setting.
 */
import { ApiServerError } from '#shared/errors';

/** The kubeconfig (or its absence) is the problem; `file` names it when there is one. */
export class KubeconfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** What the operator reads: the log event, what failed, what to do. */
export interface OperatorProblem {
  event: string;
  error: string;
  hint: string;
}

/** Why `path` could not be loaded, as the operator should read it. */
export function kubeconfigUnreadable(path: string, err: unknown): KubeconfigError {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ENOENT')
    return new KubeconfigError(
      `kubeconfig ${path} does not exist`,
      'set KUBECONFIG (or --kubeconfig) to an existing file, or leave it unset in a pod with a service account',
      path,
    );
  if (e?.code === 'EACCES')
    return new KubeconfigError(`kubeconfig ${path} cannot be read (permission denied)`, 'check its mode', path);
  return new KubeconfigError(
    `kubeconfig ${path} is malformed: ${firstLine(e?.message ?? String(err))}`,
    `check it with \`kubectl --kubeconfig ${path} config view\``,
    path,
  );
}

/** Running outside a pod with no kubeconfig: nothing says where the API server is. */
export function noCluster(defaultPath: string): KubeconfigError {
  return new KubeconfigError(
    `not in a cluster (no KUBERNETES_SERVICE_HOST and service-account token) and no kubeconfig (KUBECONFIG unset, no ${defaultPath})`,
    'run it in a pod with a service account, or set KUBECONFIG (or --kubeconfig) to a kubeconfig file',
  );
}

/** A kubeconfig that loads but names no current cluster. */
export function noCurrentCluster(path: string | undefined): KubeconfigError {
  return new KubeconfigError(
    `kubeconfig ${path ?? '(default)'} has no current cluster`,
    'set current-context, or pick one with `kubectl config use-context`',
    path,
  );
}

/** The operator-side Kubernetes problem behind `err` (searching its causes), or undefined. */
export function kubeProblem(err: unknown): OperatorProblem | undefined {
  const chain = causes(err);
  const config = chain.find((e) => e instanceof KubeconfigError) as KubeconfigError | undefined;
  if (config) return { event: 'kubeconfig_invalid', error: config.message, hint: config.hint };
  if (!chain.some((e) => e instanceof ApiServerError)) return undefined;
  const status = chain.map((e) => (e as { code?: unknown }).code).find((c) => typeof c === 'number');
  if (status === 401)
    return {
      event: 'kube_unauthenticated',
      error: 'the API server rejected the credentials (HTTP 401)',
      hint:
        'authentication, not RBAC: the service-account token or the kubeconfig user is missing, expired or for ' +
        'another cluster (a missing permission would be 403)',
    };
  const refused = chain.find((e) => (e as { code?: unknown }).code === 'ECONNREFUSED') as Error | undefined;
  if (refused)
    return {
      event: 'kube_unreachable',
      error: `the API server refused the connection (${firstLine(refused.message)})`,
      hint: 'check the server address in the kubeconfig (or KUBERNETES_SERVICE_HOST/PORT in a pod) and that the API server is running',
    };
  const timedOut = chain.find(isTimeout) as Error | undefined;
  if (timedOut)
    return {
      event: 'kube_unreachable',
      error: `the API server accepted the connection but did not answer in time (${firstLine(timedOut.message)})`,
      hint:
        'a timeout, not RBAC: check the server address in the kubeconfig (or KUBERNETES_SERVICE_HOST/PORT in a pod) ' +
        'points at a healthy API server (not a firewall or proxy that holds connections); if it is only slow, raise API_TIMEOUT',
    };
  return undefined;
}

/**
 * A list that ran out of API_TIMEOUT: kube/paging and kube/stream-list say so in their message
 * ("listing nodes timed out after 10000 ms"); the abort under it is a TimeoutError.
 */
function isTimeout(e: unknown): boolean {
  if ((e as { name?: unknown })?.name === 'TimeoutError') return true;
  return e instanceof ApiServerError && / timed out after \d+ ms/.test(e.message);
}

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 300) ?? '';
}
