/**
 * @module derive/node
 * One kubelet's summary + its Node and Pod objects + the previous run's counters → the node's
 * series and its new counter state. Pure: no I/O, no clock.
 */
import type { NodeInfo, PodInfo, Summary, Tags } from '#shared/model';
import type { NodeBatch, NodeState, Series } from '#shared/derive/types';
import { deriveObject } from '#shared/derive/object';
import { containerTags, nodeTags, podTags, sysContainerTags, withCluster } from '#shared/derive/tags';

export interface NodeInput {
  summary: Summary;
  /** The Node object; missing when the node vanished between list and scrape. */
  node: NodeInfo | undefined;
  /** Pods by `namespace/name`. */
  pods: ReadonlyMap<string, PodInfo>;
  prev: NodeState | undefined;
  clusterName: string | undefined;
  /** Longest gap between two readings that still gives a rate. */
  maxGapMs: number;
}

export function deriveNode(input: NodeInput): NodeBatch {
  const { summary, prev, maxGapMs } = input;
  const nodeName = input.node?.name ?? summary.node.name;
  const tag = (t: Tags): Tags => withCluster(t, input.clusterName);
  const series: Series[] = [];
  const state: NodeState = {};
  const add = (key: string, type: Parameters<typeof deriveObject>[0]['type'], tags: Tags, stats: Parameters<typeof deriveObject>[0]['stats']): void => {
    const out = deriveObject({ type, tags: tag(tags), stats, prev: prev?.[key], maxGapMs });
    series.push(out.series);
    state[key] = out.state;
  };

  add('n', 'node', nodeTags(nodeName, input.node?.labels ?? {}), summary.node);
  for (const sys of summary.node.systemContainers) add(`s:${sys.name}`, 'sys_container', sysContainerTags(nodeName, sys.name), sys);
  for (const pod of summary.pods) {
    const id = `${pod.namespace}/${pod.name}`;
    const info = input.pods.get(id);
    const pTags = podTags(nodeName, pod.namespace, pod.name, info);
    add(`p:${id}`, 'pod', pTags, pod);
    for (const c of pod.containers) {
      const spec = info?.containers.find((s) => s.name === c.name);
      add(`c:${id}/${c.name}`, 'pod_container', containerTags(pTags, c.name, spec), c);
    }
  }
  return { node: nodeName, series, state };
}
