/**
 * @module derive/types
 * What derive hands to encode: series (one per object) holding samples (one per family).
 */
import type { Family } from '#shared/families/family';
import type { Tags } from '#shared/model';

export interface Sample {
  family: Family;
  value: number;
  /** Tags of this sample only, added to the series' tags (e.g. `resource_id`). */
  tags?: Tags;
  /** When the value is about a past instant (an OOM kill): written at that time, epoch ms. */
  timeMs?: number;
}

/** One object (node, pod, container, …) at one time: its tags and its samples. */
export interface Series {
  tags: Tags;
  samples: Sample[];
}

/** Previous counter readings of one object: counter name → [sample time ms, value]. */
export interface EntityState {
  /** startTime of the object when the counters were read; a different one means a restart. */
  s?: number;
  c: Record<string, [number, number]>;
}

/** Everything a node's next run needs for rates, keyed by object (`n`, `s:kubelet`, `p:ns/pod`, `c:ns/pod/ctr`). */
export type NodeState = Record<string, EntityState>;

/** A node's derived output. */
export interface NodeBatch {
  node: string;
  series: Series[];
  state: NodeState;
}
