/**
 * @module query/auth/kube-call
 * One Kubernetes API call with a deadline, whose failure is reduced to what may be logged: the
 * HTTP status or the network error code. client-node's errors carry the response body, and a
 * TokenReview's body echoes the token it was asked about — so that body never leaves this module.
 */
import type { ConfigurationOptions } from '@kubernetes/client-node';
import { abortable } from '#shared/kube/paging';

/** A failed or timed-out call; `status` is the HTTP status when the API server answered. */
export class KubeCallError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubeCallError';
  }
}

/** Runs `call` with options that abort it after `timeoutMs`; throws KubeCallError only. */
export async function withTimeout<T>(
  timeoutMs: number,
  call: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await call(abortable(signal));
  } catch (err) {
    if (signal.aborted) throw new KubeCallError(`timed out after ${timeoutMs} ms`);
    throw safeError(err);
  }
}

function safeError(err: unknown): KubeCallError {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e?.code === 'number') return new KubeCallError(`HTTP ${e.code}`, e.code);
  const code = typeof e?.code === 'string' ? e.code : typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  return new KubeCallError(code ? `unreachable (${code})` : 'failed without an HTTP answer');
}
