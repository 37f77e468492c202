/**
 * @module query/round
 * A metric's values as precise as its unit can mean, so the model API answers `1683.081903`
 * millicores, not the binary float noise of a sum or a mean (`1683.0819029999998`). The places
 * follow each family's unit (families/catalogue): whole bytes, counts and ms; a nanocore
 * (1e-6 millicore) for CPU; a millionth of a ratio; the kernel's two decimals of a PSI percent;
 * a thousandth of a per-second rate. Pure.
 */
import { FAMILY_BY_NAME } from '#shared/families/catalogue';
import type { Family } from '#shared/families/family';

/** Decimal places by unit, first match wins; a family written as an integer keeps none. */
const PLACES_BY_UNIT: ReadonlyArray<[RegExp, number]> = [
  [/^bytes$/, 0],
  [/^millicores$/, 6],
  [/^ratio/, 6],
  [/^percent/, 2],
  [/\/s\b|per s\b/, 3],
];

/** Significant digits for a unit with no scale of its own (custom metrics, extended resources). */
const SIGNIFICANT = 15;

/** Decimal places for a metric name; undefined: no unit scale (significant digits only). */
export function placesOf(metric: string): number | undefined {
  const f: Family | undefined = FAMILY_BY_NAME.get(metric);
  if (!f) return undefined;
  if (f.int) return 0;
  return PLACES_BY_UNIT.find(([unit]) => unit.test(f.unit))?.[1];
}

/** A rounder for one metric: `round(1683.0819029999998)` → 1683.081903 for `cpu/usage_rate`. */
export function rounderOf(metric: string): (value: number) => number {
  const places = placesOf(metric);
  if (places === undefined) return (v) => Number(v.toPrecision(SIGNIFICANT));
  const scale = 10 ** places;
  // Dividing the rounded integer gives the same double as the unit's own integer ÷ scale
  // (nanocores ÷ 1e6), so a value equals the truth computed from the kubelet's integers.
  return (v) => Math.round(v * scale) / scale;
}
