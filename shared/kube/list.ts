/**
 * @module kube/list
 * Paged LISTs of nodes and pods (limit/continue), decoded as they arrive so only the few fields a
 * run needs stay in memory.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { NodeInfo, PodInfo } from '#shared/model';
import { decodeNode, decodePod } from '#shared/decode/objects';
import { ApiServerError } from '#shared/errors';

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
}

interface Page {
  items: unknown[];
  metadata?: { _continue?: string };
}

async function listAll<T>(what: string, fetchPage: (cont: string | undefined) => Promise<Page>, decode: (o: unknown) => T | undefined, opts: ListOptions): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + opts.timeoutMs;
  let cont: string | undefined;
  do {
    const page = await withTimeout(fetchPage(cont), deadline - Date.now(), what);
    for (const item of page.items) {
      const decoded = decode(item);
      if (decoded) out.push(decoded);
    }
    cont = page.metadata?._continue || undefined;
  } while (cont);
  return out;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiServerError(`listing ${what} timed out after the API timeout: check the API server or raise API_TIMEOUT`)), Math.max(0, ms));
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (err) {
    if (err instanceof ApiServerError) throw err;
    throw new ApiServerError(`listing ${what} failed: ${describe(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  const e = err as { code?: number | string; body?: unknown; message?: string };
  if (typeof e?.code === 'number') return `HTTP ${e.code}${e.code === 401 || e.code === 403 ? ' (check the service account and its RBAC)' : ''}`;
  return e?.message ?? String(err);
}

export function listNodes(kc: KubeConfig, opts: ListOptions): Promise<NodeInfo[]> {
  const api = kc.makeApiClient(CoreV1Api);
  return listAll('nodes', (cont) => api.listNode({ limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) }) as Promise<Page>, decodeNode, opts);
}

/** Every pod: its labels, images, requests and limits, whatever its phase (pods without stats are simply not matched). */
export function listPods(kc: KubeConfig, opts: ListOptions): Promise<PodInfo[]> {
  const api = kc.makeApiClient(CoreV1Api);
  return listAll('pods', (cont) => api.listPodForAllNamespaces({ limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) }) as Promise<Page>, decodePod, opts);
}
