/**
 * @module families/family
 * A metric family is one row of a table: Heapster's name, kind, InfluxDB field type, unit, the
 * object types it is written for, and how each type gets its value. The README's metric reference
 * is generated from these rows, and a test keeps the two equal.
 */
import type { ObjectType } from '#shared/model';

export interface Family {
  /** Heapster's metric name: the measurement (default schema) or `measurement/field` (withfields). */
  name: string;
  kind: 'gauge' | 'cumulative';
  /** Written as an InfluxDB integer (`42i`, Heapster's int64 metrics) or a float. */
  int: boolean;
  unit: string;
  /** Extra tag keys beyond the object's own (e.g. `resource_id` for filesystems). */
  labels?: readonly string[];
  /** How the value is obtained, per object type; the keys are the types the family is written for. */
  types: Partial<Record<ObjectType, string>>;
  /** What a rollup keeps of it (families/rollup); unset: the rule for its kind. */
  rollup?: readonly RollupAggregate[];
}

/** `mean` and `max` of a gauge or a rate over a window; `last` of a cumulative counter. */
export type RollupAggregate = 'mean' | 'max' | 'last';

/** Declares a family; keeps the literal name type so tables can be indexed by name. */
export function family<const N extends string>(f: Family & { name: N }): Family & { name: N } {
  return f;
}
