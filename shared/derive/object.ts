/**
 * @module derive/object
 * The samples of one object (node, pod, container, system container) from its stats and the
 * previous run's counters, following the tables in derive/sources.ts.
 */
import type { ObjectType, Tags } from '#shared/model';
import type { EntityState, Sample, Series } from '#shared/derive/types';
import type { Family } from '#shared/families/family';
import { FAMILY_BY_NAME, type FamilyName } from '#shared/families/catalogue';
import { COUNTERS, DIRECT, FILESYSTEM, RATES, sampleTimeMs, type StatsView } from '#shared/derive/sources';
import { ratePerSecond, reading, type RateContext } from '#shared/derive/rates';

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
  series: Series;
  state: EntityState;
}

export function familyOf(name: FamilyName): Family {
  const f = FAMILY_BY_NAME.get(name);
  if (!f) throw new Error(`unknown family ${name}`);
  return f;
}

/** Pushes a sample when the family applies to the type and the value is a finite number. */
export function push(
  out: Sample[],
  type: ObjectType,
  family: Family | FamilyName,
  value: number | undefined,
  tags?: Tags,
): void {
  const f = typeof family === 'string' ? familyOf(family) : family;
  if (value === undefined || !Number.isFinite(value) || !(type in f.types)) return;
  out.push(tags ? { family: f, value, tags } : { family: f, value });
}

export function deriveObject(input: ObjectInput): ObjectOutput {
  const { type, stats } = input;
  const samples: Sample[] = [];
  const ctx: RateContext = { prev: input.prev, startMs: stats.startTimeMs, maxGapMs: input.maxGapMs };
  const at = sampleTimeMs(stats) ?? input.fallbackTimeMs;
  if (at !== undefined && stats.startTimeMs !== undefined)
    push(samples, type, 'uptime', Math.max(0, at - stats.startTimeMs));
  for (const row of DIRECT) push(samples, type, row.family, row.read(stats));
  push(samples, type, 'cpu/usage_rate', cpuMillicores(ctx, stats));
  const counters = readCounters(stats);
  for (const row of RATES) push(samples, type, row.family, ratePerSecond(ctx, row.counter, counters.get(row.counter)));
  for (const [resourceId, fs] of stats.filesystems) {
    for (const row of FILESYSTEM) push(samples, type, row.family, row.read(fs), { resource_id: resourceId });
  }
  return { series: { tags: input.tags, samples }, state: counterState(stats.startTimeMs, counters) };
}

/** The kubelet's own instantaneous rate when it has one; otherwise from the cumulative counter. */
function cpuMillicores(ctx: RateContext, s: StatsView): number | undefined {
  if (s.cpu?.usageNanoCores !== undefined) return s.cpu.usageNanoCores / 1e6;
  const perSecond = ratePerSecond(ctx, 'cpu', reading(s.cpu?.timeMs, s.cpu?.usageCoreNanoSeconds));
  // core·ns per second ÷ 1e6 = millicores.
  return perSecond === undefined ? undefined : perSecond / 1e6;
}

function readCounters(s: StatsView): Map<string, { timeMs: number; value: number }> {
  const out = new Map<string, { timeMs: number; value: number }>();
  for (const counter of COUNTERS) {
    const r = reading(counter.time(s), counter.value(s));
    if (r) out.set(counter.key, r);
  }
  return out;
}

function counterState(
  startMs: number | undefined,
  counters: Map<string, { timeMs: number; value: number }>,
): EntityState {
  const c: EntityState['c'] = {};
  for (const [key, r] of counters) c[key] = [r.timeMs, r.value];
  return startMs === undefined ? { c } : { s: startMs, c };
}
