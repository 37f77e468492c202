/**
 * @module derive/node
 * One kubelet's summary + its Node and Pod objects + the previous run's counters → the node's
 * series (node, system containers, pods, containers) and its new counter state. Pure.
 */
import type { ContainerSpec, NodeInfo, PodInfo, PodStats, Summary, Tags } from '#shared/model';
import type { DerivedSeries, NodeBatch, NodeState, Series } from '#shared/derive/types';
import { sampleTimeMs, type StatsView } from '#shared/derive/sources';
import type { FamilyName } from '#shared/families/catalogue';
import { deriveObject, push } from '#shared/derive/object';
import { containerSpecSamples, podSpecSamples } from '#shared/derive/spec';
import { addNodeResources } from '#shared/derive/node-resources';
import { sumOf, familyValue } from '#shared/derive/series';
import { containerView, nodeView, podView } from '#shared/derive/views';
import { containerTags, nodeTags, podTags, sysContainerTags, withCluster } from '#shared/derive/tags';
import { containerExtras } from '#shared/derive/container-extras';

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

/** Pod values taken as the sum of its containers when the kubelet reports none for the pod itself. */
const POD_FALLBACK_SUMS: readonly FamilyName[] = [
  'cpu/usage_rate',
  'memory/usage',
  'memory/working_set',
  'memory/rss',
  'memory/page_faults_rate',
  'memory/major_page_faults_rate',
  'ephemeral_storage/usage',
];

export function deriveNode(input: NodeInput): NodeBatch {
  const nodeName = input.node?.name ?? input.summary.node.name;
  const state: NodeState = {};
  const fallbackTimeMs = sampleTimeMs(nodeView(input.summary.node));
  const object = (
    key: string,
    type: Parameters<typeof deriveObject>[0]['type'],
    tags: Tags,
    stats: StatsView,
  ): DerivedSeries => {
    const out = deriveObject({
      type,
      tags: withCluster(tags, input.clusterName),
      stats,
      prev: input.prev?.[key],
      maxGapMs: input.maxGapMs,
      fallbackTimeMs,
    });
    state[key] = out.state;
    return out.series;
  };

  const node = object('n', 'node', nodeTags(nodeName, input.node?.labels ?? {}), nodeView(input.summary.node));
  const series: Series[] = [node];
  for (const sys of input.summary.node.systemContainers)
    series.push(object(`s:${sys.name}`, 'sys_container', sysContainerTags(nodeName, sys.name), containerView(sys)));
  const pods: Series[] = [];
  for (const pod of input.summary.pods)
    pods.push(derivePod(pod, input.pods.get(`${pod.namespace}/${pod.name}`), nodeName, object, fallbackTimeMs, series));
  addNodeResources(node, input.node, pods);
  return { node: nodeName, series, state };
}

type ObjectFn = (key: string, type: 'pod' | 'pod_container', tags: Tags, stats: StatsView) => DerivedSeries;

/** Appends the pod's series, then its containers', to `out`; returns the pod's. */
function derivePod(
  pod: PodStats,
  info: PodInfo | undefined,
  nodeName: string,
  object: ObjectFn,
  nowMs: number | undefined,
  out: Series[],
): Series {
  const id = `${pod.namespace}/${pod.name}`;
  const pTags = podTags(nodeName, pod.namespace, pod.name, info);
  const podSeries = object(`p:${id}`, 'pod', pTags, podView(pod));
  const containers: DerivedSeries[] = [];
  for (const c of pod.containers) {
    const spec = specOf(info, c.name);
    const s = object(`c:${id}/${c.name}`, 'pod_container', containerTags(pTags, c.name, spec), containerView(c));
    if (spec) containerSpecSamples(spec, s.samples, nowMs);
    containerExtras(c, s.samples);
    containers.push(s);
  }
  for (const family of POD_FALLBACK_SUMS) {
    if (familyValue(podSeries, family) === undefined) push(podSeries.samples, 'pod', family, sumOf(containers, family));
  }
  if (info) podSpecSamples(info, podSeries.samples);
  out.push(podSeries);
  for (const c of containers) out.push(c);
  return podSeries;
}

/** The container's spec in the Pod object, if listed (a loop: this runs for every container of a run). */
function specOf(info: PodInfo | undefined, name: string): ContainerSpec | undefined {
  if (info) for (const spec of info.containers) if (spec.name === name) return spec;
  return undefined;
}
