/**
 * @module derive/types
 * What derive hands to encode: series (one per object) holding samples (one per family).
 */
import type { Tags } from '#shared/model';
import type { Sample, Samples } from '#shared/derive/samples';

export type { Sample } from '#shared/derive/samples';

/**
 * One object (node, pod, container, …) at one time: its tags and its samples. Derive writes
 * `Samples` (parallel arrays); samples given as objects (tests, small batches) are read alike.
 */
export interface Series {
  tags: Tags;
  samples: Samples | readonly Sample[];
}

/** A series as derive builds it. */
export interface DerivedSeries extends Series {
  samples: Samples;
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
