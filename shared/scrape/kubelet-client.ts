/**
 * @module scrape/kubelet-client
 * GET a kubelet's `/stats/summary` over verified HTTPS, directly or through the API server's
 * node proxy. Only transport here: status, size cap, per-node deadline. Returns the body bytes
 * (off the V8 heap until decoded: held as text while other nodes are processed, bodies over
 * 128 KB were large objects promoted whole at every scavenge).
 */
import { readFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeletError } from '#shared/errors';
import { hostPort, type KubeletTarget } from '#shared/kube/kubelet-target';
import { classifyError, httpError } from '#shared/scrape/kubelet-errors';

export interface KubeletClientOptions {
  access: 'direct' | 'apiserver-proxy';
  /** CA bundle for kubelet serving certificates; default: the kubeconfig's (in a pod: the service-account CA). */
  caFile?: string;
  insecure: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  concurrency: number;
}

/**
 * `stop` ends the request early (the run's deadline, SIGTERM); its reason, when a KubeletError,
 * is what the node is counted as.
 */
export type FetchSummary = (target: KubeletTarget, stop?: AbortSignal) => Promise<Buffer>;

/** Builds the fetcher once per run: credentials, CA and one agent are shared by every node. */
export async function createSummaryFetcher(kc: KubeConfig, opts: KubeletClientOptions): Promise<FetchSummary> {
  const base: RequestOptions = {};
  // Bearer token (service account or kubeconfig user) or client certificate, plus the API CA.
  await kc.applyToHTTPSOptions(base);
  const ca = opts.access === 'direct' && opts.caFile ? readFileSync(opts.caFile) : base.ca;
  // One TLS context for every connection: building it per connection (CA parsing) was measurable.
  const secureContext = createSecureContext({ ca, cert: base.cert, key: base.key });
  const agent = new Agent({
    // Directly, a run asks each kubelet once: a socket kept alive is never reused, and a run held
    // one open TLS socket per node scraped (with its buffers, promoted into the old generation
    // and marked by every mark-compact) until the kubelet closed it. Through the API server's
    // proxy every request goes to one host, and the connections are reused.
    keepAlive: opts.access === 'apiserver-proxy',
    maxSockets: opts.concurrency,
    secureContext,
    // KUBELET_INSECURE_TLS is about kubelet certificates: through the API server's proxy, the
    // peer is the API server (the token holds nodes/proxy), which is always verified.
    rejectUnauthorized: opts.access === 'apiserver-proxy' || !opts.insecure,
  });
  const headers = { ...(base.headers as Record<string, string> | undefined), accept: 'application/json' };
  const server = new URL(kc.getCurrentCluster()?.server ?? 'https://kubernetes.default.svc');

  return (target, stop) => {
    const url =
      opts.access === 'direct'
        ? new URL(`https://${hostPort(target)}/stats/summary`)
        : new URL(
            `${server.origin}${server.pathname.replace(/\/$/, '')}/api/v1/nodes/${encodeURIComponent(target.node)}/proxy/stats/summary`,
          );
    return get(url, { agent, headers }, target.node, opts, stop);
  };
}

function get(
  url: URL,
  base: RequestOptions,
  node: string,
  opts: KubeletClientOptions,
  stop: AbortSignal | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      settle();
      if (err instanceof KubeletError) return reject(err);
      if (stop?.aborted && stop.reason instanceof KubeletError)
        return reject(
          new KubeletError(node, stop.reason.reason, `${url.host}: ${stop.reason.message}`, stop.reason.hint),
        );
      reject(classifyError(node, url, err, opts.timeoutMs));
    };
    // One controller per request, cleared when it settles (no timer or listener outlives it).
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new DOMException('timeout', 'TimeoutError')), opts.timeoutMs);
    const onStop = (): void => ctl.abort(stop?.reason);
    stop?.addEventListener('abort', onStop, { once: true });
    if (stop?.aborted) onStop();
    const settle = (): void => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    };
    const req = request(url, { ...base, method: 'GET', signal: ctl.signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(httpError(node, url, res.statusCode ?? 0));
      }
      const tooLarge = (): void => {
        req.destroy(
          new KubeletError(
            node,
            'body_too_large',
            `summary from ${url.host} is larger than ${opts.maxBodyBytes} bytes`,
            'raise KUBELET_MAX_BODY_BYTES (and the heap: NODE_OPTIONS --max-old-space-size) if this node really runs that many pods',
          ),
        );
      };
      // Refused before a byte is read when the kubelet announces the size.
      if (Number(res.headers['content-length'] ?? 0) > opts.maxBodyBytes) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBodyBytes) return tooLarge();
        chunks.push(chunk);
      });
      res.on('end', () => {
        settle();
        resolve(Buffer.concat(chunks));
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}
