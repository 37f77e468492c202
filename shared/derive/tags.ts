/**
 * @module derive/tags
 * Heapster's tag sets per object type (heapster.md §1.3). Empty values are dropped at encoding.
 */
import type { ContainerSpec, PodInfo, Tags } from '#shared/model';

/** Heapster renamed two system containers (summary.go systemNameMap). */
const SYSTEM_NAMES: Record<string, string> = { runtime: 'docker-daemon', misc: 'system' };

/**
 * Pod or node labels as Heapster wrote them: sorted `key:value` joined by commas. The API server
 * sends labels sorted by key (Go marshals maps so), so the sort is skipped when they already are:
 * sorting a copy for each of a run's 30,000 pods was most of what pod tags allocated.
 */
export function labelsTag(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  for (let i = 1; i < keys.length; i++) {
    // `>` compares UTF-16 code units, as sort() does.
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      keys.sort();
      break;
    }
  }
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out += i === 0 ? `${k}:${labels[k]}` : `,${k}:${labels[k]}`;
  }
  return out;
}

export function withCluster(tags: Tags, clusterName: string | undefined): Tags {
  return clusterName ? { ...tags, cluster_name: clusterName } : tags;
}

export function nodeTags(node: string, labels: Record<string, string>): Tags {
  return { type: 'node', nodename: node, labels: labelsTag(labels) };
}

export function sysContainerTags(node: string, name: string): Tags {
  return { type: 'sys_container', nodename: node, container_name: SYSTEM_NAMES[name] ?? name };
}

export function podTags(node: string, namespace: string, pod: string, info: PodInfo | undefined): Tags {
  return {
    type: 'pod',
    nodename: node,
    namespace_name: namespace,
    pod_name: pod,
    labels: info ? labelsTag(info.labels) : '',
    workload_kind: info?.workload?.kind ?? '',
    workload_name: info?.workload?.name ?? '',
  };
}

/**
 * The pod's tags (podTags) plus the container's. Spelled out rather than spread: a run builds
 * 60,000 of these, and a spread copy cost about 15 times the memory of a literal.
 */
export function containerTags(pod: Tags, name: string, spec: ContainerSpec | undefined): Tags {
  return {
    type: 'pod_container',
    nodename: pod['nodename'] as string,
    namespace_name: pod['namespace_name'] as string,
    pod_name: pod['pod_name'] as string,
    labels: pod['labels'] as string,
    workload_kind: pod['workload_kind'] as string,
    workload_name: pod['workload_name'] as string,
    container_name: name,
    container_base_image: spec?.image ?? '',
  };
}

export function nsTags(namespace: string): Tags {
  return { type: 'ns', namespace_name: namespace };
}

export function workloadTags(namespace: string, kind: string, name: string): Tags {
  return { type: 'workload', namespace_name: namespace, workload_kind: kind, workload_name: name };
}
