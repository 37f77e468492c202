/**
 * @module kube/paging
 * Paged LISTs (`limit`/`continue`) with a deadline per page. The next page is requested only
 * after the caller is done with the previous one, so memory is bounded by the page size. A page
 * that times out is aborted, not left open: an open socket would keep a finished function's
 * process alive.
 */
import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { ApiServerError, asError } from '#shared/errors';

export interface Page {
  items: unknown[];
  metadata?: { _continue?: string };
}

/** Fetches one page; `options` carry the abort signal into client-node's request. */
export type FetchPage = (cont: string | undefined, options: ConfigurationOptions) => Promise<Page>;

export interface PagingOptions {
  /** Deadline of one page request, ms; the caller's work between pages is not counted. */
  timeoutMs: number;
  /** What is listed, for errors (`nodes`, `events (/api/v1/events)`). */
  what: string;
  /** Ends the listing early (the run's deadline, SIGTERM). */
  signal?: AbortSignal;
  /** Extra explanation for an HTTP status, e.g. which RBAC rule is missing. */
  hint?: (status: number, paging: boolean) => string | undefined;
}

/** Calls `onPage` for each page in order; returns the number of pages. Throws ApiServerError. */
export async function forEachPage(
  fetchPage: FetchPage,
  opts: PagingOptions,
  onPage: (items: unknown[]) => Promise<void> | void,
): Promise<number> {
  let pages = 0;
  let cont: string | undefined;
  do {
    const page = await fetchWithin(fetchPage, cont, opts);
    pages++;
    await onPage(page.items ?? []);
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return pages;
}

/**
 * Options that put `signal` on the request. The object-parameter API of client-node 1.4 hands
 * them to its Observable API, hence Observable middleware.
 */
export function abortable(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

async function fetchWithin(fetchPage: FetchPage, cont: string | undefined, opts: PagingOptions): Promise<Page> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    return await fetchPage(cont, abortable(signal));
  } catch (err) {
    if (opts.signal?.aborted)
      throw new ApiServerError(`listing ${opts.what} stopped: ${asError(opts.signal.reason).message}`, { cause: err });
    if (timeout.aborted)
      throw new ApiServerError(
        `listing ${opts.what} timed out after ${opts.timeoutMs} ms: check the API server or raise API_TIMEOUT`,
        { cause: err },
      );
    throw new ApiServerError(`listing ${opts.what} failed: ${describe(err, cont !== undefined, opts)}`, { cause: err });
  }
}

/** An API server error in words, with what to do; shared with kube/stream-list. */
export function describeListError(err: unknown, paging: boolean, what: string): string {
  return describe(err, paging, { what, timeoutMs: 0 });
}

function describe(err: unknown, paging: boolean, opts: PagingOptions): string {
  const e = err as { code?: number | string; message?: string };
  if (typeof e?.code !== 'number') return e?.message ?? String(err);
  const specific = opts.hint?.(e.code, paging);
  if (specific) return `HTTP ${e.code} (${specific})`;
  if (e.code === 401 || e.code === 403)
    return `HTTP ${e.code} (check the service account and its RBAC for ${opts.what})`;
  // A continue token outlives etcd's compaction (~5 min) only so long; the next run lists afresh.
  if (e.code === 410 && paging)
    return 'HTTP 410: the continue token expired while paging; raise API_PAGE_SIZE for fewer round trips (the next run lists again)';
  return `HTTP ${e.code}`;
}
