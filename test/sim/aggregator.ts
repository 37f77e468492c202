/**
 * @module sim/aggregator
 * Plays kube-aggregator for tests: the query service listens on a real HTTPS port with its
 * self-signed certificate, asking for client certificates from the simulator's front-proxy CA,
 * and the simulated API server lists `metrics.k8s.io` under `/apis` and forwards every
 * `/apis/metrics.k8s.io/...` request to it (path and query kept, TLS not verified, as an
 * APIService with `insecureSkipTLSVerify: true`) exactly as kube-aggregator does: over a
 * connection authenticated with the front-proxy client certificate, naming the user it
 * authenticated in `X-Remote-User` / `X-Remote-Group`. kubectl then talks to one server only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import type { Hono } from 'hono';
import type { ApiGroupExtension, SimCluster } from '#test/sim/cluster';
import type { SimFrontProxy, SimUser } from '#test/sim/api-auth';
import { API_GROUP } from '#shared/query/metrics-objects';
import { closeAll, listen, type Listener } from '#shared/query/server';
import { servingCert } from '#shared/query/tls';

export interface Aggregated {
  /** `https://127.0.0.1:<port>` of the query service itself. */
  url: string;
  listener: Listener;
  stop(): Promise<void>;
}

/** Serves `app` over HTTPS and registers it with the simulator as the metrics.k8s.io backend. */
export async function aggregate(sim: SimCluster, app: Hono): Promise<Aggregated> {
  const proxy = sim.frontProxy;
  const listener = await listen(app, {
    port: 0,
    host: '127.0.0.1',
    tls: { ...servingCert({}), requestCert: true, clientCa: proxy.ca.certPem },
  });
  const url = `https://127.0.0.1:${listener.port}`;
  const unregister = registerBackend(sim, url);
  return {
    url,
    listener,
    stop: async () => {
      unregister();
      await closeAll([listener], 1_000);
    },
  };
}

/**
 * Registers an HTTPS server already listening at `url` (e.g. a query service started as its own
 * process) as the metrics.k8s.io backend; returns the function that unregisters it.
 */
export function registerBackend(sim: SimCluster, url: string): () => void {
  const proxy = sim.frontProxy;
  const handle: ApiGroupExtension['handle'] = (req, res, u) => forward(url, proxy, userOf(sim, req), req, res, u);
  const extension: ApiGroupExtension = { group: API_GROUP as ApiGroupExtension['group'], handle };
  sim.extraApiGroups.push(extension);
  return () => {
    sim.extraApiGroups.splice(sim.extraApiGroups.indexOf(extension), 1);
  };
}

/** Who the simulated API server authenticated (it already checked the bearer token). */
function userOf(sim: SimCluster, req: IncomingMessage): SimUser | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return token === undefined ? undefined : sim.auth.tokens.get(token);
}

/**
 * The aggregator's proxy: same method, path and query; the front-proxy client certificate; the
 * caller's identity in one `X-Remote-User` and one `X-Remote-Group` line per group; the caller's
 * own credentials dropped.
 */
function forward(
  target: string,
  proxy: SimFrontProxy,
  user: SimUser | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  const identity = user ? { 'x-remote-user': user.username, 'x-remote-group': user.groups } : {};
  const upstream = request(
    `${target}${url.pathname}${url.search}`,
    {
      method: req.method,
      rejectUnauthorized: false,
      cert: proxy.clientCert.certPem,
      key: proxy.clientCert.keyPem,
      headers: { accept: req.headers.accept ?? 'application/json', ...identity },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('service unavailable');
  });
  upstream.end();
}
