/**
 * @module sim/kubelet-server
 * The simulated kubelets. Each node has its own TCP listener (own loopback address, or own
 * port on 127.0.0.1); accepted sockets are handed to a shared HTTP(S) protocol server, which
 * finds the node again from the socket's local address:port. Sharing one protocol server per
 * certificate keeps 5000 nodes cheap, and swapping it per node implements certificate faults.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { KubeletTls } from '#test/sim/kubelet-tls';
import type { RequestLog } from '#test/sim/request-log';
import { countKubeletRequest, trackInFlight } from '#test/sim/request-log';
import { isCertFault, respondWithFault, sendJsonText, sendText, type Fault } from '#test/sim/faults';
import { listenNode, type NodeListener } from '#test/sim/kubelet-listener';

export interface KubeletFleetOptions {
  nodes: Array<{ name: string; address: string }>;
  /** Undefined = plain HTTP kubelets. */
  tls: KubeletTls | undefined;
  /** Undefined = no authentication required. */
  token: string | undefined;
  /** Try to give every kubelet the same port (only meaningful with distinct addresses). */
  samePort: boolean;
  /** The summary body of a node at the current simulated time. */
  render(node: string): string;
  log: RequestLog;
}

export interface KubeletFleet {
  endpoint(node: string): { address: string; port: number } | undefined;
  setFault(node: string, fault: Fault | undefined): Promise<void>;
  close(): Promise<void>;
}

type ProtocolServer = http.Server | https.Server;

export async function startKubelets(opts: KubeletFleetOptions): Promise<KubeletFleet> {
  const byName = new Map<string, NodeListener>();
  const bySocket = new Map<string, NodeListener>();
  const handler = requestHandler(opts, (socket) => bySocket.get(`${socket.localAddress}:${socket.localPort}`));
  const normal = protocolServer(opts.tls?.serving, handler);
  const variants = new Map<string, ProtocolServer>();
  const serverFor = (node: NodeListener): ProtocolServer => {
    if (!opts.tls || !isCertFault(node.fault)) return normal;
    const key = `${node.fault.kind}/${node.name}`;
    const server = variants.get(key) ?? protocolServer(opts.tls.faultyCert(node.fault.kind, node), handler);
    variants.set(key, server);
    return server;
  };
  const listen = async (node: NodeListener, port: number): Promise<void> => {
    await listenNode(node, port, (socket) => serverFor(node).emit('connection', socket));
    bySocket.set(`${node.address}:${node.port}`, node);
  };
  const nodes = opts.nodes.map((n) => newListener(n.name, n.address));
  for (const node of nodes) byName.set(node.name, node);
  const close = (): Promise<void> => Promise.all(nodes.map(closeListener)).then(() => undefined);
  await listenAll(nodes, opts.samePort, listen).catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return {
    endpoint: (name) => byName.get(name),
    setFault: async (name, fault) => {
      const node = byName.get(name);
      if (!node) throw new Error(`setFault: no node named ${name}`);
      await applyFault(node, fault, listen);
      // Issue a certificate fault's certificate now (node-forge makes its key in JavaScript, for
      // seconds on a loaded machine), not on the first connection: that would block the event
      // loop, shared with an in-process collector, in the middle of its scrape.
      serverFor(node);
    },
    close,
  };
}

function newListener(name: string, address: string): NodeListener {
  return { name, address, port: 0, server: undefined, sockets: new Set(), fault: undefined };
}

/** The first kubelet picks a free port; with `samePort` the others try it too. */
async function listenAll(
  nodes: NodeListener[],
  samePort: boolean,
  listen: (node: NodeListener, port: number) => Promise<void>,
): Promise<void> {
  const [first, ...rest] = nodes;
  if (!first) return;
  await listen(first, 0);
  const port = samePort ? first.port : 0;
  await Promise.all(rest.map((node) => listen(node, port).catch(() => listen(node, 0))));
}

async function applyFault(
  node: NodeListener,
  fault: Fault | undefined,
  listen: (node: NodeListener, port: number) => Promise<void>,
): Promise<void> {
  const certChanged = isCertFault(node.fault) || isCertFault(fault);
  node.fault = fault;
  if (fault?.kind === 'down') return closeListener(node);
  // Open connections keep their old handshake; drop them so the next request sees the change.
  if (certChanged) destroySockets(node);
  if (!node.server) await listen(node, node.port);
}

function closeListener(node: NodeListener): Promise<void> {
  const server = node.server;
  node.server = undefined;
  destroySockets(node);
  if (!server) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

function destroySockets(node: NodeListener): void {
  for (const socket of node.sockets) socket.destroy();
  node.sockets.clear();
}

function protocolServer(
  cert: { certPem: string; keyPem: string } | undefined,
  handler: http.RequestListener,
): ProtocolServer {
  const options = { keepAlive: true, keepAliveTimeout: 30_000 };
  return cert
    ? https.createServer({ ...options, cert: cert.certPem, key: cert.keyPem }, handler)
    : http.createServer(options, handler);
}

function requestHandler(
  opts: KubeletFleetOptions,
  nodeOf: (socket: net.Socket) => NodeListener | undefined,
): http.RequestListener {
  return (req, res) => {
    const node = nodeOf(req.socket);
    if (!node) return sendText(res, 404);
    countKubeletRequest(opts.log, node.name);
    const path = new URL(req.url ?? '/', 'http://kubelet').pathname;
    if (path !== '/stats/summary' && path !== '/stats/summary/') return sendText(res, 404);
    if (req.method !== 'GET') return sendText(res, 405, 'Method Not Allowed');
    // 'finish' = last byte handed to the OS (before the client has it); 'close' = aborted.
    trackInFlight(opts.log, (done) => res.once('finish', done).once('close', done));
    const fault = node.fault;
    const beforeAuth = fault?.kind === 'hang' || fault?.kind === 'status';
    const denied = beforeAuth ? undefined : authFailure(req.headers.authorization, opts.token);
    if (denied) return sendText(res, denied);
    const payload = (): string => opts.render(node.name);
    if (respondWithFault(fault, res, payload, node.name)) return;
    sendJsonText(res, payload());
  };
}

/** 401 without a bearer token, 403 with a wrong one (what an RBAC denial looks like). */
function authFailure(header: string | undefined, token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return 401;
  return match[1] === token ? undefined : 403;
}
