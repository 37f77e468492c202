/**
 * @module derive/object
 * The samples of one object (node, pod, container, system container) from its stats and the
 * previous run's counters.
 */
import type { ObjectType, Tags } from '#shared/model';
import type { EntityState, Sample, Series } from '#shared/derive/types';
import type { Family } from '#shared/families/family';
import { FAMILY_BY_NAME, type FamilyName } from '#shared/families/catalogue';
import { COUNTERS, DIRECT, sampleTimeMs, type StatsView } from '#shared/derive/sources';
import { ratePerSecond, reading, type RateContext } from '#shared/derive/rates';

export interface ObjectInput {
  type: ObjectType;
  tags: Tags;
  stats: StatsView;
  prev: EntityState | undefined;
  maxGapMs: number;
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
export function push(out: Sample[], type: ObjectType, name: FamilyName, value: number | undefined, tags?: Tags): void {
  const family = familyOf(name);
  if (value === undefined || !Number.isFinite(value) || !(type in family.types)) return;
  out.push(tags ? { family, value, tags } : { family, value });
}

export function deriveObject(input: ObjectInput): ObjectOutput {
  const { type, stats } = input;
  const samples: Sample[] = [];
  const ctx: RateContext = { prev: input.prev, startMs: stats.startTimeMs, maxGapMs: input.maxGapMs };
  const at = sampleTimeMs(stats);
  if (at !== undefined && stats.startTimeMs !== undefined) push(samples, type, 'uptime', Math.max(0, at - stats.startTimeMs));
  for (const row of DIRECT) push(samples, type, row.family, row.read(stats));
  push(samples, type, 'cpu/usage_rate', cpuMillicores(ctx, stats));
  return { series: { tags: input.tags, samples }, state: counterState(stats) };
}

/** The kubelet's own instantaneous rate when it has one; otherwise from the cumulative counter. */
function cpuMillicores(ctx: RateContext, s: StatsView): number | undefined {
  if (s.cpu?.usageNanoCores !== undefined) return s.cpu.usageNanoCores / 1e6;
  const perSecond = ratePerSecond(ctx, 'cpu', reading(s.cpu?.timeMs, s.cpu?.usageCoreNanoSeconds));
  // core·ns per second ÷ 1e6 = millicores.
  return perSecond === undefined ? undefined : perSecond / 1e6;
}

function counterState(s: StatsView): EntityState {
  const c: EntityState['c'] = {};
  for (const counter of COUNTERS) {
    const t = counter.time(s);
    const v = counter.value(s);
    if (t !== undefined && v !== undefined) c[counter.key] = [t, v];
  }
  return s.startTimeMs === undefined ? { c } : { s: s.startTimeMs, c };
}
