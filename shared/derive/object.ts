/**
 * @module derive/object
 * The samples of one object (node, pod, container, system container) from its stats and the
 * previous run's counters, following the tables in derive/sources.ts.
 */
import type { FsSample, ObjectType, Tags } from '#shared/model';
import type { DerivedSeries, EntityState } from '#shared/derive/types';
import { addSample, type CapacityHint, Samples, type SampleSink } from '#shared/derive/samples';
import type { Family } from '#shared/families/family';
import { FAMILY_BY_NAME, type FamilyName } from '#shared/families/catalogue';
import { COUNTERS, DIRECT, FILESYSTEM, RATES, sampleTimeMs, type StatsView } from '#shared/derive/sources';
import { ratePerSecond, type RateContext } from '#shared/derive/rates';
import { SAMPLED_TAGS } from '#shared/derive/series';

export interface ObjectInput {
  type: ObjectType;
  tags: Tags;
  stats: StatsView;
  prev: EntityState | undefined;
  maxGapMs: number;
  /** The node's sample time, for objects that report no block time of their own (old pods). */
  fallbackTimeMs: number | undefined;
}

export interface ObjectOutput {
  series: DerivedSeries;
  state: EntityState;
}

export function familyOf(name: FamilyName): Family {
  const f = FAMILY_BY_NAME.get(name);
  if (!f) throw new Error(`unknown family ${name}`);
  return f;
}

/** Pushes a sample when the family applies to the type and the value is a finite number. */
export function push(
  out: SampleSink,
  type: ObjectType,
  family: Family | FamilyName,
  value: number | undefined,
  tags?: Tags,
): void {
  const f = typeof family === 'string' ? familyOf(family) : family;
  if (value === undefined || !Number.isFinite(value) || !(type in f.types)) return;
  addSample(out, f, value, tags);
}

/**
 * The rows of the tables in derive/sources.ts that apply to one object type, with their families
 * resolved: built once per type, so deriving an object does no family lookup and no type test.
 */
interface Plan {
  /** Room a series of this type starts with (derive/samples). */
  capacity: CapacityHint;
  uptime: Family | undefined;
  direct: ReadonlyArray<{ family: Family; read: (s: StatsView) => number | undefined }>;
  cpuRate: Family | undefined;
  rates: ReadonlyArray<{ family: Family; counter: string }>;
  filesystem: ReadonlyArray<{ family: Family; read: (f: FsSample) => number | undefined }>;
}

const plans = new Map<ObjectType, Plan>();

function planOf(type: ObjectType): Plan {
  let plan = plans.get(type);
  if (plan) return plan;
  const applies = <R extends { family: FamilyName }>(rows: readonly R[]) =>
    rows.filter((r) => type in familyOf(r.family).types).map((r) => ({ ...r, family: familyOf(r.family) }));
  const one = (name: FamilyName) => (type in familyOf(name).types ? familyOf(name) : undefined);
  plan = {
    capacity: { capacity: 8 },
    uptime: one('uptime'),
    direct: applies(DIRECT),
    cpuRate: one('cpu/usage_rate'),
    rates: applies(RATES),
    filesystem: applies(FILESYSTEM),
  };
  plans.set(type, plan);
  return plan;
}

/** Pushes a sample of a family the plan already checked applies, when the value is a finite number. */
function add(out: Samples, family: Family | undefined, value: number | undefined, tags?: Tags): void {
  if (family === undefined || value === undefined || !Number.isFinite(value)) return;
  out.add(family, value, tags);
}

export function deriveObject(input: ObjectInput): ObjectOutput {
  const { type, stats } = input;
  const plan = planOf(type);
  const samples = new Samples(plan.capacity);
  const at = sampleTimeMs(stats) ?? input.fallbackTimeMs;
  if (at !== undefined && stats.startTimeMs !== undefined)
    add(samples, plan.uptime, Math.max(0, at - stats.startTimeMs));
  for (const row of plan.direct) add(samples, row.family, row.read(stats));
  const state = counterState(stats);
  const ctx: RateContext = { prev: input.prev, startMs: stats.startTimeMs, maxGapMs: input.maxGapMs };
  addCpuRate(samples, plan.cpuRate, ctx, stats, state.c['cpu']);
  for (const row of plan.rates) add(samples, row.family, ratePerSecond(ctx, row.counter, state.c[row.counter]));
  for (const [resourceId, fs] of stats.filesystems) {
    // One tags object per filesystem, so encode builds its tag set once for all five families.
    const tags = { resource_id: resourceId };
    for (const row of plan.filesystem) add(samples, row.family, row.read(fs), tags);
  }
  return { series: { tags: input.tags, samples }, state };
}

/**
 * CPU usage in millicores: the mean since the previous run, Δ`usageCoreNanoSeconds` ÷ Δt, so
 * bursts between two runs count in full. Only without a usable previous reading (the first run,
 * a restart, a gap over RATE_MAX_GAP) is it the kubelet's `usageNanoCores`, the mean of about the
 * last 10 s, tagged `sampled=true` so readers can leave it out.
 */
function addCpuRate(
  out: Samples,
  family: Family | undefined,
  ctx: RateContext,
  s: StatsView,
  cpu: [number, number] | undefined,
): void {
  const perSecond = ratePerSecond(ctx, 'cpu', cpu);
  // core·ns per second ÷ 1e6 = millicores.
  if (perSecond !== undefined) add(out, family, perSecond / 1e6);
  else if (s.cpu?.usageNanoCores !== undefined) add(out, family, s.cpu.usageNanoCores / 1e6, SAMPLED_TAGS);
}

/** This run's counter readings, [sample time ms, value], kept for the next run's rates. */
function counterState(s: StatsView): EntityState {
  const c: EntityState['c'] = {};
  for (const counter of COUNTERS) {
    const timeMs = counter.time(s);
    const value = counter.value(s);
    if (timeMs !== undefined && value !== undefined) c[counter.key] = [timeMs, value];
  }
  return s.startTimeMs === undefined ? { c } : { s: s.startTimeMs, c };
}
