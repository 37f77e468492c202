/**
 * @module derive/samples
 * A series' samples as parallel arrays (family, value, and only where some sample has them:
 * extra tags and a time of its own) instead of one object per sample. A node of 30 pods derives
 * about 4,000 samples; as objects, each with its value boxed as a heap number, in arrays grown by
 * copying, they were the largest allocation of a run and outlived the young generation while the
 * node was encoded. Here a series' values sit unboxed in one double array, allocated once at the
 * size its kind needs.
 */
import type { Family } from '#shared/families/family';
import type { Tags } from '#shared/model';

/** One sample as an object: how tests and small batches give them. */
export interface Sample {
  family: Family;
  value: number;
  /** Tags of this sample only, added to the series' tags (e.g. `resource_id`). */
  tags?: Tags;
  /** When the value is about a past instant (an OOM kill): written at that time, epoch ms. */
  timeMs?: number;
}

/** How many samples a series of one kind starts with room for: the most one of them held so far. */
export interface CapacityHint {
  capacity: number;
}

/**
 * A packed double array to copy value arrays from: `slice` gives one allocation of the right
 * size and kind (a fresh `[]` grows by copying 3 or 4 times, and starts as integers).
 */
const DOUBLES: readonly number[] = Array.from({ length: 256 }, () => 0.5);

export class Samples {
  readonly families: Family[];
  /** Packed doubles, no heap number per value; only the first `length` are samples. */
  readonly values: number[];
  /** Extra tags by sample index (e.g. `resource_id`); created by the first sample that has some. */
  tags: Array<Tags | undefined> | undefined;
  /** Epoch ms by sample index, for a value about a past instant (an OOM kill); else the run's time. */
  times: Array<number | undefined> | undefined;
  length = 0;

  constructor(private readonly hint: CapacityHint = { capacity: 8 }) {
    this.families = new Array<Family>(hint.capacity);
    this.values = DOUBLES.slice(0, hint.capacity);
  }

  /** Appends one sample; the caller has checked that the family applies and the value is finite. */
  add(family: Family, value: number, tags?: Tags, timeMs?: number): void {
    const at = this.length++;
    // At the arrays' end an indexed store appends (the array grows as push would).
    this.families[at] = family;
    this.values[at] = value;
    if (at >= this.hint.capacity) this.hint.capacity = at + 1;
    if (tags !== undefined) (this.tags ??= [])[at] = tags;
    if (timeMs !== undefined) (this.times ??= [])[at] = timeMs;
  }

  /** Sample `at` as an object (tests, small batches): not for the hot path. */
  at(at: number): Sample {
    const tags = this.tags?.[at];
    const timeMs = this.times?.[at];
    return {
      family: this.families[at] as Family,
      value: this.values[at] as number,
      ...(tags ? { tags } : {}),
      ...(timeMs !== undefined ? { timeMs } : {}),
    };
  }

  /** Samples given as objects (aggregates, tests) in this form. */
  static of(list: Samples | readonly Sample[]): Samples {
    if (list instanceof Samples) return list;
    const out = new Samples();
    for (const s of list) out.add(s.family, s.value, s.tags, s.timeMs);
    return out;
  }
}

/** Where derive's table helpers write: a series' Samples, or a plain array (tests). */
export type SampleSink = Samples | Sample[];

/** Appends one sample to `out`, whichever form it has. */
export function addSample(out: SampleSink, family: Family, value: number, tags?: Tags, timeMs?: number): void {
  if (out instanceof Samples) return out.add(family, value, tags, timeMs);
  const sample: Sample = { family, value };
  if (tags) sample.tags = tags;
  if (timeMs !== undefined) sample.timeMs = timeMs;
  out.push(sample);
}
