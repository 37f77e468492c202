/**
 * @module sim/api-server
 * The simulated kube-apiserver: HTTPS on 127.0.0.1, bearer-token auth, read-only routes
 * (see sim/api-routes), node proxy, extension API groups, and held-open watches.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CertKeyPair } from '#shared/tls/certificates';
import type { RequestLog } from '#test/sim/request-log';
import { countApiRequest } from '#test/sim/request-log';
import { ROUTES, type ApiData, type RouteContext } from '#test/sim/api-routes';
import { proxyToKubelet, type ProxyOptions } from '#test/sim/api-proxy';
import { hasBearer, sendStatus } from '#test/sim/http-util';
import { sendBody } from '#test/sim/api-lists';
import { knownToken, serveReviews } from '#test/sim/api-auth';

export interface ApiServerOptions {
  data: ApiData;
  token: string;
  /** Serving certificate (IP SAN 127.0.0.1). */
  serving: CertKeyPair;
  proxy: ProxyOptions;
  log: RequestLog;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz']);

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const sockets = new Set<Socket>();
  let serverAddress = '';
  const server = https.createServer(
    { cert: opts.serving.certPem, key: opts.serving.keyPem, keepAlive: true },
    (req, res) => handle(req, res, opts, serverAddress),
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  serverAddress = `127.0.0.1:${port}`;
  return {
    url: `https://${serverAddress}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, opts: ApiServerOptions, serverAddress: string): void {
  const url = new URL(req.url ?? '/', `https://${serverAddress}`);
  countApiRequest(opts.log, req.method ?? 'GET', url);
  if (PUBLIC_PATHS.has(url.pathname)) {
    res.end('ok');
    return;
  }
  if (!hasBearer(req.headers.authorization, opts.token) && !knownToken(req.headers.authorization, opts.data.auth)) {
    return sendStatus(res, 401, 'Unauthorized');
  }
  if (proxyToKubelet(req, res, url, opts.proxy)) return;
  if (serveExtension(req, res, url, opts.data)) return;
  if (serveReviews(req, res, url, opts.data.auth)) return;
  if (req.method !== 'GET') {
    return sendStatus(res, 405, `the server does not allow this method on the requested resource`);
  }
  if (isWatch(url)) return holdWatch(req, res, url);
  const answer = opts.data.answers.get(url.pathname);
  if (answer) return void sendBody(res, answer.contentType, answer.body, answer.pieceBytes);
  const ctx: RouteContext = { req, res, url, data: opts.data, serverAddress };
  for (const [pattern, route] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (match) return route(ctx, match.slice(1));
  }
  sendStatus(res, 404, 'the server could not find the requested resource');
}

function serveExtension(req: IncomingMessage, res: ServerResponse, url: URL, data: ApiData): boolean {
  const extension = data.extraApiGroups.find(
    (e) => url.pathname === `/apis/${e.group.name}` || url.pathname.startsWith(`/apis/${e.group.name}/`),
  );
  if (!extension?.handle) return false;
  extension.handle(req, res, url);
  return true;
}

function isWatch(url: URL): boolean {
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1';
}

/**
 * Watches are accepted and held open without sending events (until `timeoutSeconds`, real
 * time): informers see their initial list and nothing more. Clients that asked for protobuf
 * (old client-go, e.g. Heapster) get the protobuf stream content type they insist on.
 */
function holdWatch(req: IncomingMessage, res: ServerResponse, url: URL): void {
  const protobuf = (req.headers.accept ?? '').includes('application/vnd.kubernetes.protobuf');
  res.writeHead(200, {
    'Content-Type': protobuf ? 'application/vnd.kubernetes.protobuf;stream=watch' : 'application/json',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  const seconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
  if (seconds > 0) {
    const timer = setTimeout(() => res.end(), seconds * 1000).unref();
    res.once('close', () => clearTimeout(timer));
  }
}
