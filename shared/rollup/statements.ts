/**
 * @module rollup/statements
 * The InfluxQL that rolls one measurement up over a range of windows. Pure.
 *
 * From the raw points: `mean`/`last` as the field itself, `max` as `<field>_max`, the number of
 * raw points as `<field>_count`, grouped by every tag. Series tagged `shard` are the partial sums
 * of a sharded collector (ns, cluster): they are first summed over shards at each timestamp and
 * written without the tag, so a rolled-up max is the max of the total, not a sum of maxima.
 * From a finer level: the mean is Σ(mean·count) ÷ Σcount, exact even when windows hold different
 * numbers of points; max of maxima; last of lasts.
 */
import { ident, literal, timeLiteral } from '#shared/influx/influxql';
import type { Level } from '#shared/rollup/levels';
import type { RollupField as FieldRule } from '#shared/families/rollup';
import type { ObjectType } from '#shared/model';

/** Heapster's object types, every one rolled up by default (ROLLUP_TYPES). */
export const OBJECT_TYPES = [
  'node',
  'pod',
  'pod_container',
  'sys_container',
  'ns',
  'workload',
  'cluster',
] as const satisfies readonly ObjectType[];

export interface MeasurementPlan {
  measurement: string;
  fields: readonly FieldRule[];
  /** Tag keys of the measurement, for regrouping the shard partial sums. */
  tagKeys: readonly string[];
}

export interface RangeSpec {
  fromMs: number;
  toMs: number;
  level: Level;
  /** Retention policy read from: the raw one for the first level, else the finer level's. */
  sourceRp: string;
  /** Whether the source is raw points (true) or a finer rollup. */
  fromRaw: boolean;
  /** `INTO` the level's policy (server-side), or a plain SELECT whose rows the caller writes back. */
  into: boolean;
  /** Object types rolled up; absent or all of them: no filter. */
  types?: readonly ObjectType[];
}

const SHARD = 'shard';

const q = (s: string): string => ident(s);
const max = (f: string): string => `${f}_max`;
const count = (f: string): string => `${f}_count`;

function where(r: RangeSpec, extra = ''): string {
  return `WHERE time >= ${timeLiteral(r.fromMs)} AND time < ${timeLiteral(r.toMs)}${typeFilter(r)}${extra}`;
}

/** InfluxDB's cost is per series read: a filter on the indexed `type` tag skips the others'. */
function typeFilter(r: RangeSpec): string {
  const types = r.types ?? OBJECT_TYPES;
  if (OBJECT_TYPES.every((t) => types.includes(t))) return '';
  return ` AND (${types.map((t) => `${q('type')} = ${literal(t)}`).join(' OR ')})`;
}

function target(plan: MeasurementPlan, r: RangeSpec): string {
  return r.into ? ` INTO ${q(r.level.rp)}.${q(plan.measurement)}` : '';
}

function tail(r: RangeSpec): string {
  return `GROUP BY time(${r.level.windowMs}ms), * fill(none)`;
}

/** Aggregates over raw points (or over the shard-summed rows, same column names). */
function rawAggregates(fields: readonly FieldRule[]): string {
  return fields
    .flatMap((f) => [
      `${f.main}(${q(f.field)}) AS ${q(f.field)}`,
      ...(f.max ? [`max(${q(f.field)}) AS ${q(max(f.field))}`] : []),
      `count(${q(f.field)}) AS ${q(count(f.field))}`,
    ])
    .join(', ');
}

/** The statements for one measurement and range: one, or two where shard partial sums exist. */
export function rollupStatements(plan: MeasurementPlan, r: RangeSpec): string[] {
  const from = `${q(r.sourceRp)}.${q(plan.measurement)}`;
  if (!r.fromRaw) return [fromFinerLevel(plan, r, from)];
  const sharded = plan.tagKeys.includes(SHARD);
  const plain = `SELECT ${rawAggregates(plan.fields)}${target(plan, r)} FROM ${from} ${where(r, sharded ? ` AND ${q(SHARD)} = ''` : '')} ${tail(r)}`;
  if (!sharded) return [plain];
  const keep = plan.tagKeys.filter((k) => k !== SHARD).map(q);
  const sums = plan.fields.map((f) => `sum(${q(f.field)}) AS ${q(f.field)}`).join(', ');
  const inner = `SELECT ${sums} FROM ${from} ${where(r, ` AND ${q(SHARD)} != ''`)} GROUP BY time(1s)${keep.length ? `, ${keep.join(', ')}` : ''} fill(none)`;
  return [plain, `SELECT ${rawAggregates(plan.fields)}${target(plan, r)} FROM (${inner}) ${tail(r)}`];
}

function fromFinerLevel(plan: MeasurementPlan, r: RangeSpec, from: string): string {
  const inner: string[] = [];
  const outer: string[] = [];
  for (const f of plan.fields) {
    const [v, c, m] = [q(f.field), q(count(f.field)), q(max(f.field))];
    if (f.main === 'mean') {
      const weighted = q(`${f.field}_weighted`);
      inner.push(`${v} * ${c} AS ${weighted}`);
      outer.push(`sum(${weighted}) / sum(${c}) AS ${v}`);
    } else {
      inner.push(v);
      outer.push(`last(${v}) AS ${v}`);
    }
    inner.push(c);
    outer.push(`sum(${c}) AS ${c}`);
    if (f.max) {
      inner.push(m);
      outer.push(`max(${m}) AS ${m}`);
    }
  }
  const sub = `SELECT ${inner.join(', ')} FROM ${from} ${where(r)} GROUP BY *`;
  return `SELECT ${outer.join(', ')}${target(plan, r)} FROM (${sub}) ${tail(r)}`;
}
