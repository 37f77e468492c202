/**
 * @module sim/http-get
 * A tiny HTTP(S) GET for tests of the simulator: verifies TLS against a given CA (global
 * fetch cannot take a per-request CA without undici), sends a bearer token, and reports
 * transport failures as their Node error code instead of throwing.
 */
import http from 'node:http';
import https from 'node:https';

export interface GetOptions {
  /** PEM CA to verify the server against (HTTPS only). */
  ca?: string;
  token?: string;
  /** Abort after this many ms (default 10 000). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export type GetResult =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; body: string }
  /** `code` is e.g. ECONNREFUSED, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, TIMEOUT. */
  | { ok: false; code: string; message: string };

export function httpGet(url: string, opts: GetOptions = {}): Promise<GetResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  // A fresh connection each time (no agent), so certificate changes are always seen.
  const options = { headers, signal, agent: false as const };
  return new Promise((resolve) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', (error) => resolve(failure(error, signal)));
    };
    const req = url.startsWith('https:')
      ? https.get(url, { ...options, ca: opts.ca }, onResponse)
      : http.get(url, options, onResponse);
    req.on('error', (error) => resolve(failure(error, signal)));
  });
}

function failure(error: Error & { code?: string }, signal: AbortSignal): GetResult {
  const code = signal.aborted ? 'TIMEOUT' : (error.code ?? error.name);
  return { ok: false, code, message: error.message };
}
