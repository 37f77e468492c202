/**
 * @module query/auth/kube-call
 * One Kubernetes API call with a deadline, whose failure is reduced to what may be logged: the
 * HTTP status or the network error code. client-node's errors carry the response body, and a
 * TokenReview's body echoes the token it was asked about — so that body never leaves this module.
 */
import { Observable, type ConfigurationOptions, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

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
export async function withTimeout<T>(timeoutMs: number, call: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
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

/** client-node 1.4's object-parameter API hands these options to its Observable middleware. */
function abortable(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
