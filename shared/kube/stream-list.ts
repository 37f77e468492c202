/**
 * @module kube/stream-list
 * LISTs read as a stream: client-node's KubeConfig gives the credentials and TLS (token or client
 * certificate, the API server's CA), node:https fetches, and kube/list-splitter hands each item
 * to `onItem` as it arrives. Nothing keeps a page, let alone the whole list: an API server that
 * ignores `limit` (a read served whole from the watch cache) costs one item of memory, not the
 * list. client-node's typed deserialisation (every field of every object converted into model
 * classes) is skipped; `decodePod`/`decodeNode` pick the fields from the plain objects.
 * A caller that can read an item's protobuf encoding (pods: decode/pod-protobuf) asks for it
 * first, as client-go does for built-in types: the API server then sends each pod as fields it
 * can skip by length instead of JSON to scan, a several-fold cut in the listing's CPU. A server
 * or proxy that cannot (or an aggregated API) answers JSON, which is read as before.
 *
 * Memory is bounded across concurrent lists by design: the agent lets `maxSockets` answers
 * arrive at once, each splitter holds at most one unfinished item (plus one socket read), and an
 * item may take LIST_MEMORY_BYTES / maxSockets, so all lists together hold at most the budget. A body found broken (not a list, corrupt, an item past the
 * bound) fails its list with a ListBodyError at once, whether it is found while arriving or at
 * its end; the connection is dropped, never reused.
 */
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiServerError, asError } from '#shared/errors';
import { ListSplitter } from '#shared/kube/list-splitter';
import { ProtobufListSplitter } from '#shared/kube/protobuf-list-splitter';
import { describeListError } from '#shared/kube/paging';

export interface StreamListOptions {
  /** Deadline of one page request, ms. */
  timeoutMs: number;
  /** Ends the listing early (the run's deadline, SIGTERM). */
  signal?: AbortSignal;
  pageSize: number;
  /** What is listed, for errors. */
  what: string;
}

/** One list client per run: credentials read once, one keep-alive agent. */
export interface ListClient {
  /** Largest item (bytes) a list may hold: the lists' memory budget shared by `maxSockets`. */
  readonly maxItemBytes: number;
  /** Every item of `path` (e.g. `/api/v1/pods`), page by page; resolves with the item count. */
  list(
    path: string,
    query: Record<string, string>,
    opts: StreamListOptions,
    onItem: (item: unknown) => void,
    /** Reads one item's protobuf bytes; when given, protobuf is asked for ahead of JSON. */
    onProtobufItem?: (bytes: Buffer) => void,
  ): Promise<number>;
}

/** Either splitter: both hand items over as they complete and keep the List's metadata. */
type Splitter = Pick<ListSplitter, 'write' | 'end' | 'items' | 'metadata'>;

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * Bytes all list answers in flight may hold at once: 32 MiB, a sixteenth of the collect
 * CronJob's 512 Mi limit. Shared by the client's `maxSockets` answers, it gives each item 2 MiB
 * at 16 sockets and 4 MiB at the collector's 8: above etcd's 1.5 MiB object limit.
 */
export const LIST_MEMORY_BYTES = 32 * 1024 * 1024;

/** What to do about a list body that is not a valid list. */
const LIST_BODY_HINT =
  'the API server, or a proxy in front of it, answered something other than a Kubernetes list: check that the ' +
  "kubeconfig's server is the API server itself and that nothing rewrites or compresses its answers; the next run lists again";

/** A list answer that is not a valid list (HTML, a Status, corrupt or cut bytes, an item past the bound). */
export class ListBodyError extends ApiServerError {
  readonly hint = LIST_BODY_HINT;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListBodyError';
  }
}

export async function createListClient(kc: KubeConfig, maxSockets = 16): Promise<ListClient> {
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const server = new URL(kc.getCurrentCluster()?.server ?? 'https://kubernetes.default.svc');
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ca: base.ca,
    cert: base.cert,
    key: base.key,
    rejectUnauthorized: base.rejectUnauthorized ?? true,
  });
  const headers = { ...(base.headers as Record<string, string> | undefined), accept: 'application/json' };
  const protobufFirst = { ...headers, accept: `${PROTOBUF}, application/json` };
  const prefix = `${server.origin}${server.pathname.replace(/\/$/, '')}`;
  const maxItemBytes = Math.floor(LIST_MEMORY_BYTES / maxSockets);
  return {
    maxItemBytes,
    async list(path, query, opts, onItem, onProtobufItem) {
      let cont: string | undefined;
      let items = 0;
      do {
        const q = new URLSearchParams({ ...query, limit: String(opts.pageSize) });
        if (cont) q.set('continue', cont);
        const url = new URL(`${prefix}${path}?${q.toString()}`);
        const splitterFor = (contentType: string): Splitter =>
          onProtobufItem && contentType.startsWith(PROTOBUF)
            ? new ProtobufListSplitter(onProtobufItem, maxItemBytes)
            : new ListSplitter(onItem, maxItemBytes);
        const base = { agent, headers: onProtobufItem ? protobufFirst : headers };
        const splitter = await page(url, base, splitterFor, opts, cont !== undefined);
        items += splitter.items;
        cont = splitter.metadata.continue || undefined;
      } while (cont);
      return items;
    },
  };
}

function page(
  url: URL,
  base: RequestOptions,
  splitterFor: (contentType: string) => Splitter,
  opts: StreamListOptions,
  paging: boolean,
): Promise<Splitter> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  return new Promise<Splitter>((resolve, reject) => {
    const fail = (err: unknown): void => {
      if (err instanceof ApiServerError) return reject(err);
      if (opts.signal?.aborted)
        return reject(
          new ApiServerError(`listing ${opts.what} stopped: ${asError(opts.signal.reason).message}`, { cause: err }),
        );
      if (timeout.aborted)
        return reject(
          new ApiServerError(
            `listing ${opts.what} timed out after ${opts.timeoutMs} ms: check the API server or raise API_TIMEOUT`,
            { cause: err },
          ),
        );
      reject(new ApiServerError(`listing ${opts.what} failed: ${asError(err).message}`, { cause: err }));
    };
    const req = request(url, { ...base, method: 'GET', signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        return fail(
          // The status rides along as the cause's `code`, where kube/kube-errors looks for a 401.
          new ApiServerError(`listing ${opts.what} failed: ${describeListError({ code: status }, paging, opts.what)}`, {
            cause: Object.assign(new Error(`HTTP ${status}`), { code: status }),
          }),
        );
      }
      const contentType = res.headers['content-type'] ?? '';
      const splitter = splitterFor(contentType);
      let broken = false;
      const invalid = (err: unknown): void => {
        broken = true;
        const type = contentType || 'no content type';
        fail(
          new ListBodyError(`listing ${opts.what}: the answer (${type}) is not a valid list: ${asError(err).message}`),
        );
        // Without an error: destroy(err) here re-emits it on the TLS socket, where no one
        // listens once the response has begun, and the process dies of an unhandled 'error'.
        req.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (broken) return;
        try {
          splitter.write(chunk);
        } catch (err) {
          invalid(err);
        }
      });
      res.on('end', () => {
        if (broken) return;
        try {
          splitter.end();
          resolve(splitter);
        } catch (err) {
          invalid(err);
        }
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}
