/**
 * @module families/rollup
 * What the rollup function keeps of each family over a window, declared beside the families
 * table: a gauge (rates included: they are gauges in the table) keeps its mean and its max, a
 * cumulative counter its last value; a family's own `rollup` overrides its kind's rule. Every
 * rolled-up field also keeps the count of raw points it covers, so a coarser level computes an
 * exact mean from a finer one (Σ mean·count ÷ Σ count) even when runs were missed.
 */
import { FAMILY_BY_NAME } from '#shared/families/catalogue';
import type { Family, RollupAggregate } from '#shared/families/family';
import type { Schema } from '#shared/encode/line-protocol';

export const ROLLUP_BY_KIND: Readonly<Record<Family['kind'], readonly RollupAggregate[]>> = {
  gauge: ['mean', 'max'],
  cumulative: ['last'],
};

/** One source field of a measurement and how it is rolled up. */
export interface RollupField {
  /** The raw field: `value` (heapster schema) or the metric's name after its prefix (withfields). */
  field: string;
  /** The main aggregate, written under the field's own name: `mean` or `last`. */
  main: 'mean' | 'last';
  /** Also written as `<field>_max`. */
  max: boolean;
}

/**
 * Families whose names come from the data (`custom/<name>`, `<resource>/request`) are not in the
 * table; they are rolled up as float gauges, the kind their templates declare by default.
 */
function aggregatesOf(name: string): readonly RollupAggregate[] {
  const family = FAMILY_BY_NAME.get(name);
  return family ? (family.rollup ?? ROLLUP_BY_KIND[family.kind]) : ROLLUP_BY_KIND.gauge;
}

/** Metric names the collector writes but that are not metrics of an object: never rolled up. */
const NOT_METRICS = /^(heapless_|events$|log\/events$)/;

/** Whether a measurement of the given schema holds metric families (and so is rolled up). */
export function isMetricMeasurement(measurement: string, schema: Schema): boolean {
  if (NOT_METRICS.test(measurement)) return false;
  if (schema === 'withfields') return true;
  return FAMILY_BY_NAME.has(measurement) || measurement.startsWith('custom/') || measurement.endsWith('/request');
}

/** The rolled-up fields of one source field: metric `cpu/usage_rate` read from (measurement, field). */
export function rollupField(metric: string, field: string): RollupField {
  const aggregates = aggregatesOf(metric);
  return { field, main: aggregates.includes('last') ? 'last' : 'mean', max: aggregates.includes('max') };
}

/** The metric a (measurement, field) pair holds in each schema (encode/line-protocol's target, reversed). */
export function metricOf(measurement: string, field: string, schema: Schema): string {
  return schema === 'heapster' || field === 'value' ? measurement : `${measurement}/${field}`;
}
