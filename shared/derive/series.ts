/**
 * @module derive/series
 * Reading and summing samples across series, for the pod fallbacks and the aggregates.
 */
import type { Tags } from '#shared/model';
import type { Family } from '#shared/families/family';
import type { Series } from '#shared/derive/types';
import { Samples } from '#shared/derive/samples';

/** Tag of a `cpu/usage_rate` point that is the kubelet's ~10 s sample, not the mean since the last run. */
export const SAMPLED_TAGS: Tags = Object.freeze({ sampled: 'true' });

/**
 * The value of an unlabelled sample of `family` in `series`, if present. A sampled CPU rate is
 * the object's one value still (marked, not labelled), so sums and ratios include it.
 */
export function familyValue(series: Series, family: string): number | undefined {
  const samples = Samples.of(series.samples);
  const at = familyIndex(samples, family);
  return at < 0 ? undefined : samples.values[at];
}

/** The index of that sample in `samples`, or -1. */
export function familyIndex(samples: Samples, family: string): number {
  const { families, tags, length } = samples;
  for (let i = 0; i < length; i++) {
    if ((families[i] as Family).name !== family) continue;
    const t = tags?.[i];
    if (!t || t === SAMPLED_TAGS) return i;
  }
  return -1;
}

/** The sum over `list` of `family`, or undefined when none of them has it. */
export function sumOf(list: readonly Series[], family: string): number | undefined {
  let total: number | undefined;
  for (const series of list) {
    const v = familyValue(series, family);
    if (v !== undefined) total = (total ?? 0) + v;
  }
  return total;
}
