/**
 * @module derive/series
 * Reading and summing samples across series, for the pod fallbacks and the aggregates.
 */
import type { Series } from '#shared/derive/types';

/** The value of an unlabelled sample of `family` in `series`, if present. */
export function familyValue(series: Series, family: string): number | undefined {
  for (const s of series.samples) if (s.family.name === family && !s.tags) return s.value;
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
