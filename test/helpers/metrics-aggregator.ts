/**
 * @module test/helpers/metrics-aggregator
 * Plays kube-aggregator for tests: the query service listens on a real HTTPS port with its
 * self-signed certificate, and the simulated API server lists `metrics.k8s.io` under `/apis` and
 * forwards every `/apis/metrics.k8s.io/...` request to it (path and query kept, TLS not verified,
 * as an APIService with `insecureSkipTLSVerify: true`). kubectl then talks to one server only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import type { Hono } from 'hono';
import type { ApiGroupExtension, SimCluster } from '#test/sim/cluster';
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
  const listener = await listen(app, { port: 0, host: '127.0.0.1', tls: servingCert({}) });
  const url = `https://127.0.0.1:${listener.port}`;
  const extension: ApiGroupExtension = { group: API_GROUP as ApiGroupExtension['group'], handle: (req, res, u) => forward(url, req, res, u) };
  sim.extraApiGroups.push(extension);
  return {
    url,
    listener,
    stop: async () => {
      sim.extraApiGroups.splice(sim.extraApiGroups.indexOf(extension), 1);
      await closeAll([listener], 1_000);
    },
  };
}

/** The aggregator's proxy: same method, path and query; identity headers as kube-aggregator sets them. */
function forward(target: string, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const upstream = request(
    `${target}${url.pathname}${url.search}`,
    { method: req.method, rejectUnauthorized: false, headers: { accept: req.headers.accept ?? 'application/json', 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' } },
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
