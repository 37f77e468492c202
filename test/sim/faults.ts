/**
 * @module sim/faults
 * Per-node kubelet faults. Response faults are written here; certificate faults and `down`
 * act on the node's listener (see sim/kubelet-server).
 */
import type { ServerResponse } from 'node:http';

export type Fault =
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Answer with this status code and a kubelet-like plain-text body. */
  | { kind: 'status'; code: 500 | 401 | 403 | 404 }
  /** 200 with a body that is not JSON. */
  | { kind: 'invalid-json' }
  /**
   * 200 with the first half of the real payload. Default: the response ends cleanly
   * (Content-Length = the half), so the client sees a JSON parse error; `abort: true`
   * announces the full length and then resets the connection mid-body.
   */
  | { kind: 'truncated'; abort?: boolean }
  /** 200, streams exactly `bytes` bytes of valid JSON (chunked, no Content-Length). */
  | { kind: 'oversize'; bytes: number }
  /** 200, the real payload dribbled at `bytesPerSecond` (10 writes per second). */
  | { kind: 'slow'; bytesPerSecond: number }
  /** TLS: certificate from an unrelated CA. */
  | { kind: 'bad-cert' }
  /** TLS: certificate from the sim CA, expired a day ago (wall-clock time). */
  | { kind: 'expired-cert' }
  /** TLS: certificate from the sim CA with only a DNS SAN (the node name). */
  | { kind: 'no-ip-san' }
  /** Listener closed and open connections reset: connection refused. */
  | { kind: 'down' }
  /** 200 with exactly this body: hand-made hostile payloads. */
  | { kind: 'body'; body: string };

export type CertFaultKind = 'bad-cert' | 'expired-cert' | 'no-ip-san';

export function isCertFault(fault: Fault | undefined): fault is { kind: CertFaultKind } {
  return fault?.kind === 'bad-cert' || fault?.kind === 'expired-cert' || fault?.kind === 'no-ip-san';
}

const STATUS_BODIES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden (user=system:serviceaccount:heapless:collector, verb=get, resource=nodes, subresource=stats)',
  404: '404 page not found',
  500: 'Internal Server Error: "/stats/summary": failed to get node info',
};

/** Write a kubelet-style plain-text error. */
export function sendText(res: ServerResponse, code: number, body?: string): void {
  const text = `${body ?? STATUS_BODIES[code] ?? 'error'}\n`;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/**
 * Answer according to a response fault. Returns false when `fault` does not shape the
 * response (none, or a listener-level fault), so the caller serves normally.
 */
export function respondWithFault(
  fault: Fault | undefined,
  res: ServerResponse,
  payload: () => string,
  nodeName: string,
): boolean {
  switch (fault?.kind) {
    case 'hang':
      return true;
    case 'status':
      sendText(res, fault.code);
      return true;
    case 'invalid-json':
      sendJsonText(res, `{"node":{"nodeName":${JSON.stringify(nodeName)},"cpu":{usageNanoCores:NaN}`);
      return true;
    case 'truncated':
      sendTruncated(res, payload(), fault.abort ?? false);
      return true;
    case 'oversize':
      void pump(res, oversizeBody(nodeName, fault.bytes));
      return true;
    case 'slow':
      dribble(res, payload(), fault.bytesPerSecond);
      return true;
    case 'body':
      sendJsonText(res, fault.body);
      return true;
    default:
      return false;
  }
}

export function sendJsonText(res: ServerResponse, body: string): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendTruncated(res: ServerResponse, body: string, abort: boolean): void {
  const half = body.slice(0, Math.floor(body.length / 2));
  if (!abort) return sendJsonText(res, half);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.write(half, () => res.destroy());
}

/** Valid JSON of exactly `bytes` bytes: padding pods, then spaces to make the size exact. */
function* oversizeBody(nodeName: string, bytes: number): Generator<string> {
  const prefix = `{"node":{"nodeName":${JSON.stringify(nodeName)}},"pods":[`;
  const suffix = ']}';
  const element = '{"podRef":{"name":"padding","namespace":"padding","uid":"padding"}}';
  const budget = bytes - prefix.length - suffix.length;
  if (budget < 0) {
    yield prefix.slice(0, Math.max(0, bytes));
    return;
  }
  const count = Math.floor((budget + 1) / (element.length + 1));
  yield prefix;
  const perChunk = Math.max(1, Math.floor(65_536 / (element.length + 1)));
  for (let written = 0; written < count; written += perChunk) {
    const n = Math.min(perChunk, count - written);
    yield (written > 0 ? ',' : '') + Array<string>(n).fill(element).join(',');
  }
  const used = count * element.length + Math.max(0, count - 1);
  for (let pad = budget - used; pad > 0; pad -= 65_536) yield ' '.repeat(Math.min(pad, 65_536));
  yield suffix;
}

/** Stream chunks with back-pressure; stops early when the client goes away. */
async function pump(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  if (!res.destroyed) res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function dribble(res: ServerResponse, body: string, bytesPerSecond: number): void {
  const buffer = Buffer.from(body);
  const step = Math.max(1, Math.floor(bytesPerSecond / 10));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': buffer.length });
  let offset = 0;
  const timer = setInterval(() => {
    const next = Math.min(buffer.length, offset + step);
    res.write(buffer.subarray(offset, next));
    offset = next;
    if (offset >= buffer.length) {
      clearInterval(timer);
      res.end();
    }
  }, 100);
  res.once('close', () => clearInterval(timer));
}
