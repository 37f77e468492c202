/**
 * @module query/server
 * Starting a Hono app on @hono/node-server (HTTPS or HTTP) and closing it gracefully: stop
 * accepting, let requests in flight finish, drop idle keep-alive connections, and cut whatever
 * is left once the timeout passes.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface Listener {
  server: Server | HttpsServer;
  port: number;
  /** The HTTPS port's current TLS material (a reload replaces the whole context). */
  tls?: TlsOptions;
}

export interface TlsOptions {
  cert: string;
  key: string;
  /**
   * Ask every client for a certificate without requiring one (probes and token callers have
   * none); the guard decides what a verified one is worth.
   */
  requestCert?: boolean;
  /** PEM CA bundle client certificates are verified against (the front-proxy CA). */
  clientCa?: string | undefined;
}

export interface ListenOptions {
  port: number;
  host: string;
  tls?: TlsOptions;
}

/** Resolves once the port is bound (port 0 picks a free one, for tests). */
export function listen(app: Hono, opts: ListenOptions): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const tls = opts.tls
      ? {
          createServer: createHttpsServer,
          serverOptions: {
            ...secureContext(opts.tls),
            requestCert: opts.tls.requestCert ?? false,
            rejectUnauthorized: false,
          },
        }
      : {};
    const server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host, ...tls }, (info: AddressInfo) =>
      resolve({ server, port: info.port, ...(opts.tls ? { tls: { ...opts.tls } } : {}) }),
    ) as Server;
    server.once('error', reject);
  });
}

function secureContext(t: TlsOptions): { cert: string; key: string; ca?: string } {
  return { cert: t.cert, key: t.key, ...(t.clientCa ? { ca: t.clientCa } : {}) };
}

/** Serves a new certificate on an HTTPS listener from the next handshake on. */
export function reloadTls(listener: Listener, pair: { cert: string; key: string }): void {
  updateTls(listener, { cert: pair.cert, key: pair.key });
}

/** Verifies client certificates against a new CA bundle from the next handshake on. */
export function setClientCa(listener: Listener, clientCa: string): void {
  updateTls(listener, { clientCa });
}

function updateTls(listener: Listener, change: Partial<TlsOptions>): void {
  if (!('setSecureContext' in listener.server)) return;
  const next = { ...(listener.tls ?? { cert: '', key: '' }), ...change };
  listener.server.setSecureContext(secureContext(next));
  listener.tls = next;
}

/** Graceful close of every listener; resolves when all are closed or `timeoutMs` has passed. */
export async function closeAll(listeners: readonly Listener[], timeoutMs: number): Promise<void> {
  const closed = Promise.all(
    listeners.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
  // A keep-alive connection whose request finishes after close() turns idle and would hold the
  // server open until keepAliveTimeout; sweep idle connections until everything is closed.
  const sweep = setInterval(() => listeners.forEach(({ server }) => server.closeIdleConnections()), 100);
  listeners.forEach(({ server }) => server.closeIdleConnections());
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      listeners.forEach(({ server }) => server.closeAllConnections());
      resolve();
    }, timeoutMs);
  });
  await Promise.race([closed, deadline]);
  clearInterval(sweep);
  clearTimeout(timer);
}
