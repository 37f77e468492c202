/**
 * @module sim/api-proxy
 * `GET /api/v1/nodes/{name}/proxy/{path}`: forwards to the node's simulated kubelet over
 * real HTTP(S), so kubelet faults show through the proxy path as they would in a cluster.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendStatus } from '#test/sim/http-util';

export interface KubeletRoute {
  address: string;
  port: number;
}

export interface ProxyOptions {
  /** Where node `name` listens, if it exists. */
  kubelet(name: string): KubeletRoute | undefined;
  /** PEM CA that signed the kubelet serving certificates; undefined = plain HTTP kubelets. */
  kubeletCa: string | undefined;
  /** Bearer token presented to the kubelets. */
  token: string;
}

const PROXY_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/;

/** Handle the request when it is a node proxy path; returns false otherwise. */
export function proxyToKubelet(req: IncomingMessage, res: ServerResponse, url: URL, opts: ProxyOptions): boolean {
  const match = PROXY_PATH.exec(url.pathname);
  if (!match) return false;
  // "node-0:10250" is accepted too (kubectl's name:port form); the simulator knows the port.
  const name = decodeURIComponent(match[1] ?? '').split(':')[0] ?? '';
  const target = opts.kubelet(name);
  if (!target) {
    sendStatus(res, 404, `nodes "${name}" not found`, { name, kind: 'nodes' });
    return true;
  }
  forward(req, res, target, `${match[2] ?? '/'}${url.search}`, opts);
  return true;
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: KubeletRoute,
  path: string,
  opts: ProxyOptions,
): void {
  const options = {
    host: target.address,
    port: target.port,
    path,
    method: req.method ?? 'GET',
    headers: { authorization: `Bearer ${opts.token}`, accept: req.headers.accept ?? '*/*' },
  };
  const upstream = opts.kubeletCa ? https.request({ ...options, ca: opts.kubeletCa }) : http.request(options);
  upstream.on('response', (reply) => {
    res.writeHead(reply.statusCode ?? 502, filterHeaders(reply.headers));
    reply.pipe(res);
    // A kubelet that cuts the body off mid-way: cut the client off too.
    reply.on('error', () => res.destroy());
  });
  upstream.on('error', (error) => {
    if (res.headersSent) res.destroy();
    else sendStatus(res, 503, `error trying to reach service: ${error.message}`);
  });
  // A client that gives up must not leave the upstream request (e.g. a hung kubelet) open.
  res.once('close', () => upstream.destroy());
  upstream.end();
}

function filterHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = {};
  for (const key of ['content-type', 'content-length']) {
    const value = headers[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}
