/**
 * @module bench/sim-reader
 * The simulated cluster as the collector sees it, for the baselines and the stage bench: its
 * nodes and pods (listed as a run lists them) and a summary fetch by node name, over verified TLS.
 */
import { loadKubeConfig } from '#shared/kube/config';
import { listNodes, listPods } from '#shared/kube/list';
import { kubeletTarget } from '#shared/kube/kubelet-target';
import type { NodeInfo, PodInfo } from '#shared/model';
import { createSummaryFetcher } from '#shared/scrape/kubelet-client';
import type { SimCluster } from '#test/sim/cluster';

export interface SimReader {
  nodes: NodeInfo[];
  /** Pods by `namespace/name`. */
  pods: Map<string, PodInfo>;
  fetchSummary(node: string): Promise<string>;
}

export async function readSim(sim: SimCluster): Promise<SimReader> {
  const kc = loadKubeConfig(sim.kubeconfigPath);
  const opts = { pageSize: 500, timeoutMs: 120_000 };
  const [nodes, podList] = await Promise.all([listNodes(kc, opts), listPods(kc, opts)]);
  const fetch = await createSummaryFetcher(kc, {
    access: 'direct',
    caFile: sim.caFile,
    insecure: false,
    timeoutMs: 60_000,
    maxBodyBytes: 64 << 20,
    concurrency: 8,
  });
  const byNode = new Map(nodes.map((n) => [n.name, n]));
  return {
    nodes,
    pods: new Map(podList.map((p) => [`${p.namespace}/${p.name}`, p])),
    fetchSummary: (name) => {
      const target = kubeletTarget(byNode.get(name) as NodeInfo, ['InternalIP'], undefined);
      if (!target) throw new Error(`node ${name} has no InternalIP`);
      return fetch(target).then((body) => body.toString('utf8'));
    },
  };
}
