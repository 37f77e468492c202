/**
 * @module sim/http-util
 * JSON responses and Kubernetes `Status` errors for the simulated API server.
 */
import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** A metav1.Status failure, as the real API server sends for every error. */
export function sendStatus(
  res: ServerResponse,
  code: number,
  message: string,
  details: Record<string, string> = {},
): void {
  sendJson(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    details,
    code,
  });
}

/** 404 for a named object, e.g. `nodes "x" not found`. */
export function sendNotFound(res: ServerResponse, kind: string, name: string): void {
  sendStatus(res, 404, `${kind} "${name}" not found`, { name, kind });
}

/** True when `Authorization: Bearer <token>` carries exactly `token`. */
export function hasBearer(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] === token;
}
