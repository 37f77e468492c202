/**
 * @module kube/list
 * Nodes and pods, read as a stream (kube/stream-list) and decoded item by item, so only the few
 * fields a run needs stay in memory, however the API server pages.
 *
 * Which pods a shard lists:
 * - one shard: a single paged LIST of every pod (`list pods` cluster-wide);
 * - several shards: only this shard's nodes' pods, one `fieldSelector=spec.nodeName=<node>` LIST
 *   per node, `concurrency` at a time. The API server answers these from its watch cache by an
 *   index on spec.nodeName (the kubelet's own query), so a shard's listing grows with the shard,
 *   not the cluster. Same RBAC as the single LIST: `list pods`. The kubelet's own `/pods` would
 *   need `nodes/proxy` (or `nodes/pods` with fine-grained kubelet authorisation), which reads
 *   more than heapless needs; it is not used.
 * Pods are asked for in protobuf first (kube/stream-list): a pod's managed fields, volumes and
 * probes, most of its bytes, are skipped by length instead of parsed, about a third of the CPU of
 * JSON (`bench/stages.ts`, listPods against listPodsProtobuf). Nodes stay JSON: a few per shard.
 * No npm streaming JSON parser: the general ones (stream-json, @streamparser/json) build every
 * value token by token in JavaScript, several times slower than JSON.parse on each item's bytes,
 * and we need only the item boundaries (kube/list-splitter, ~100 lines).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '#shared/log';
import type { NodeInfo, PodInfo } from '#shared/model';
import { LABELS_MAX_BYTES } from '#shared/decode/labels';
import { decodeNode, decodePod } from '#shared/decode/objects';
import { decodePodProtobuf } from '#shared/decode/pod-protobuf';
import { createListClient, type ListClient } from '#shared/kube/stream-list';

export interface ListOptions {
  pageSize: number;
  timeoutMs: number;
  /** Ends the listing early (the run's deadline, SIGTERM). */
  signal?: AbortSignal;
  /** Where pods whose labels were capped (decode/labels) are reported, once per listing. */
  log?: Logger;
}

export { createListClient, type ListClient };

export async function listNodes(kc: KubeConfig | ListClient, opts: ListOptions): Promise<NodeInfo[]> {
  const out: NodeInfo[] = [];
  await (await client(kc)).list('/api/v1/nodes', {}, { ...opts, what: 'nodes' }, (item) => {
    const node = decodeNode(item);
    if (node) out.push(node);
  });
  return out;
}

/**
 * Pods with their labels, images, requests and limits, whatever their phase (pods without stats
 * are simply not matched). `keep` drops the others item by item, so a shard holds only its own.
 */
export async function listPods(
  kc: KubeConfig | ListClient,
  opts: ListOptions,
  keep: (p: PodInfo) => boolean = () => true,
): Promise<PodInfo[]> {
  const out: PodInfo[] = [];
  const [json, protobuf] = podReaders((pod) => keep(pod) && out.push(pod));
  await (await client(kc)).list('/api/v1/pods', {}, { ...opts, what: 'pods' }, json, protobuf);
  reportCapped(out, opts.log);
  return out;
}

/** The pods of these nodes only: one field-selected LIST per node, `concurrency` at a time. */
export async function listPodsOfNodes(
  kc: KubeConfig | ListClient,
  opts: ListOptions,
  nodes: readonly string[],
  concurrency: number,
): Promise<PodInfo[]> {
  const lists = await client(kc);
  const out: PodInfo[] = [];
  const [json, protobuf] = podReaders((pod) => out.push(pod));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < nodes.length) {
      const node = nodes[next++] as string;
      const query = { fieldSelector: `spec.nodeName=${node}` };
      await lists.list('/api/v1/pods', query, { ...opts, what: `pods of node ${node}` }, json, protobuf);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
  reportCapped(out, opts.log);
  return out;
}

/** One warning for every pod whose labels went past the cap: how many, which, what it means. */
function reportCapped(pods: PodInfo[], log: Logger | undefined): void {
  const capped = pods.filter((p) => p.labelsDropped);
  if (capped.length === 0) return;
  log?.warn('pod_labels_capped', {
    pods: capped.length,
    labelsDropped: capped.reduce((n, p) => n + (p.labelsDropped ?? 0), 0),
    examples: capped.slice(0, 5).map((p) => `${p.namespace}/${p.name}`),
    hint: `each pod keeps its first ${LABELS_MAX_BYTES} bytes of labels (sorted by key) in its labels tag; the rest are not written`,
  });
}

/** A pod item's two readers (JSON, protobuf), handing each pod decoded from either to `add`. */
function podReaders(add: (pod: PodInfo) => unknown): [(item: unknown) => void, (bytes: Buffer) => void] {
  const take = (pod: PodInfo | undefined): void => {
    if (pod) add(pod);
  };
  return [(item) => take(decodePod(item)), (bytes) => take(decodePodProtobuf(bytes))];
}

async function client(kc: KubeConfig | ListClient): Promise<ListClient> {
  return 'list' in kc ? kc : createListClient(kc);
}
