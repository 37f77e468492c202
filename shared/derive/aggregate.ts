/**
 * @module derive/aggregate
 * The `ns` and `cluster` aggregates, accumulated node by node so no node's data is kept.
 * ns = sums over the namespace's pods. cluster usage (cpu/usage_rate, memory/usage) = sums over
 * nodes, so it includes system overhead and matches what Heapster's dashboards showed (Heapster's
 * own `cluster` series summed pods: the inconsistency of heapster.md §10.2); cluster requests and
 * limits = sums over all pods. workload = sums over the pods of one (namespace, workload_kind,
 * workload_name), read from the pod series' own tags: no new series per pod.
 */
import type { Tags } from '#shared/model';
import type { NodeBatch, Series } from '#shared/derive/types';
import { Samples } from '#shared/derive/samples';
import type { FamilyName } from '#shared/families/catalogue';
import { familyOf } from '#shared/derive/object';
import { familyValue } from '#shared/derive/series';
import { nsTags, withCluster, workloadTags } from '#shared/derive/tags';
import { RightsizingSamples } from '#shared/derive/rightsizing-samples';

const FROM_PODS: readonly FamilyName[] = [
  'cpu/usage_rate',
  'memory/usage',
  'cpu/request',
  'cpu/limit',
  'memory/request',
  'memory/limit',
];
const WORKLOAD_FROM_PODS: readonly FamilyName[] = [
  ...FROM_PODS,
  'memory/working_set',
  'restart_count',
  'swap/usage',
  'process/count',
];
const CLUSTER_FROM_NODES: readonly FamilyName[] = ['cpu/usage_rate', 'memory/usage'];
const CLUSTER_FROM_PODS: readonly FamilyName[] = ['cpu/request', 'cpu/limit', 'memory/request', 'memory/limit'];

type Sums = Map<FamilyName, number>;

export class Aggregator {
  private readonly namespaces = new Map<string, Sums>();
  /** By `namespace\u0000kind\u0000name`. */
  private readonly workloads = new Map<string, Sums>();
  private readonly cluster: Sums = new Map();
  /** The right-sizing samples of the same pod containers, per workload container (written beside the aggregates). */
  readonly samples: RightsizingSamples;

  /** `extraTags` (e.g. the shard) go on every aggregate series, so partial sums stay distinct. */
  constructor(
    private readonly clusterName: string | undefined,
    private readonly extraTags: Tags = {},
  ) {
    this.samples = new RightsizingSamples(clusterName, extraTags);
  }

  add(batch: NodeBatch): void {
    this.samples.add(batch);
    for (const series of batch.series) {
      const type = series.tags['type'];
      if (type === 'node') accumulate(this.cluster, series, CLUSTER_FROM_NODES);
      if (type !== 'pod') continue;
      const ns = series.tags['namespace_name'] ?? '';
      let sums = this.namespaces.get(ns);
      if (!sums) this.namespaces.set(ns, (sums = new Map()));
      accumulate(sums, series, FROM_PODS);
      accumulate(this.cluster, series, CLUSTER_FROM_PODS);
      const kind = series.tags['workload_kind'];
      const name = series.tags['workload_name'];
      if (!kind || !name) continue;
      const key = `${ns}\u0000${kind}\u0000${name}`;
      let w = this.workloads.get(key);
      if (!w) this.workloads.set(key, (w = new Map()));
      accumulate(w, series, WORKLOAD_FROM_PODS);
    }
  }

  series(): Series[] {
    const out: Series[] = [];
    for (const [ns, sums] of this.namespaces) out.push({ tags: this.tags(nsTags(ns)), samples: samples(sums) });
    for (const [key, sums] of this.workloads) {
      const [ns = '', kind = '', name = ''] = key.split('\u0000');
      out.push({ tags: this.tags(workloadTags(ns, kind, name)), samples: samples(sums) });
    }
    if (this.cluster.size > 0 || this.namespaces.size > 0)
      out.push({ tags: this.tags({ type: 'cluster' }), samples: samples(this.cluster) });
    return out;
  }

  private tags(t: Tags): Tags {
    return withCluster({ ...t, ...this.extraTags }, this.clusterName);
  }
}

function accumulate(sums: Sums, series: Series, families: readonly FamilyName[]): void {
  for (const f of families) {
    const v = familyValue(series, f);
    if (v !== undefined) sums.set(f, (sums.get(f) ?? 0) + v);
  }
}

function samples(sums: Sums): Samples {
  const out = new Samples();
  for (const [name, value] of sums) out.add(familyOf(name), value);
  return out;
}
