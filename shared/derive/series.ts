/**
 * @module derive/series
 * Reading and summing samples across series, for the pod fallbacks and the aggregates.
 */
import type { Tags } from '#shared/model';
import type { Series } from '#shared/derive/types';

/** Tag of a `cpu/usage_rate` point that is the kubelet's ~10 s sample, not the mean since the last run. */
export const SAMPLED_TAGS: Tags = Object.freeze({ sampled: 'true' });

/**
 * The value of an unlabelled sample of `family` in `series`, if present. A sampled CPU rate is
 * the object's one value still (marked, not labelled), so sums and ratios include it.
 */
export function familyValue(series: Series, family: string): number | undefined {
  for (const s of series.samples) if (s.family.name === family && (!s.tags || s.tags === SAMPLED_TAGS)) return s.value;
  return undefined;
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
