/**
 * @module kube/list
 * Nodes and pods, listed in pages and decoded as they arrive so only the few fields a run needs
 * stay in memory.
 */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { NodeInfo, PodInfo } from '#shared/model';
import { decodeNode, decodePod } from '#shared/decode/objects';
import { forEachPage, type Page } from '#shared/kube/paging';

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  /** Ends the listing early (the run's deadline, SIGTERM). */
  signal?: AbortSignal;
}

export async function listNodes(kc: KubeConfig, opts: ListOptions): Promise<NodeInfo[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const out: NodeInfo[] = [];
  await forEachPage(
    (cont, o) => api.listNode({ limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) }, o) as Promise<Page>,
    { timeoutMs: opts.timeoutMs, what: 'nodes', ...(opts.signal ? { signal: opts.signal } : {}) },
    (items) => collect(items, decodeNode, out),
  );
  return out;
}

/**
 * Pods with their labels, images, requests and limits, whatever their phase (pods without stats
 * are simply not matched). `keep` drops the others page by page, so a shard holds only its own.
 */
export async function listPods(
  kc: KubeConfig,
  opts: ListOptions,
  keep: (p: PodInfo) => boolean = () => true,
): Promise<PodInfo[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const out: PodInfo[] = [];
  await forEachPage(
    (cont, o) =>
      api.listPodForAllNamespaces({ limit: opts.pageSize, ...(cont ? { _continue: cont } : {}) }, o) as Promise<Page>,
    { timeoutMs: opts.timeoutMs, what: 'pods', ...(opts.signal ? { signal: opts.signal } : {}) },
    (items) => collect(items, decodePod, out, keep),
  );
  return out;
}

function collect<T>(
  items: unknown[],
  decode: (o: unknown) => T | undefined,
  out: T[],
  keep: (x: T) => boolean = () => true,
): void {
  for (const item of items) {
    const decoded = decode(item);
    if (decoded && keep(decoded)) out.push(decoded);
  }
}
