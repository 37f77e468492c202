/**
 * @module sim/request-log
 * What the simulated cluster was asked, for assertions on call counts and concurrency.
 */

export interface RequestLog {
  /** API-server requests per path (no query string), e.g. `"/api/v1/nodes": 2`. */
  byPath: Record<string, number>;
  /** Every API-server request as `METHOD path?query`, in arrival order. */
  apiRequests: string[];
  /** Kubelet requests per node name (any path, any outcome, proxied ones included). */
  byNode: Record<string, number>;
  /** Summary requests currently being answered, over all kubelets. */
  inFlight: number;
  /** Highest `inFlight` seen since start / the last reset(). */
  maxInFlight: number;
  /** Wall clock (epoch ms) of the first kubelet request since start / the last reset(): the bench's cold-start mark. */
  firstKubeletRequestAtMs?: number;
  /** Zero everything (in-flight requests stay counted in `inFlight`). */
  reset(): void;
}

export function createRequestLog(): RequestLog {
  const log: RequestLog = {
    byPath: {},
    apiRequests: [],
    byNode: {},
    inFlight: 0,
    maxInFlight: 0,
    reset() {
      log.byPath = {};
      log.apiRequests = [];
      log.byNode = {};
      log.maxInFlight = log.inFlight;
      delete log.firstKubeletRequestAtMs;
    },
  };
  return log;
}

export function countApiRequest(log: RequestLog, method: string, url: URL): void {
  log.byPath[url.pathname] = (log.byPath[url.pathname] ?? 0) + 1;
  log.apiRequests.push(`${method} ${url.pathname}${url.search}`);
}

export function countKubeletRequest(log: RequestLog, node: string): void {
  log.firstKubeletRequestAtMs ??= Date.now();
  log.byNode[node] = (log.byNode[node] ?? 0) + 1;
}

/**
 * Count a summary request as in flight until `whenDone` reports it finished; `whenDone`
 * receives a callback that is safe to call more than once.
 */
export function trackInFlight(log: RequestLog, whenDone: (done: () => void) => void): void {
  log.inFlight += 1;
  log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
  let finished = false;
  whenDone(() => {
    if (finished) return;
    finished = true;
    log.inFlight -= 1;
  });
}
