/**
 * @module derive/sources
 * Where each family's value comes from, as tables. A row applies to the object types listed in
 * the family's `types` (families/catalogue.ts).
 */
import type { Measured, NetworkSample } from '#shared/model';
import type { FamilyName } from '#shared/families/catalogue';

/** The stats of one object as derive sees them. */
export interface StatsView extends Measured {
  network?: NetworkSample;
}

/** Values copied from the summary. */
export const DIRECT: ReadonlyArray<{ family: FamilyName; read: (s: StatsView) => number | undefined }> = [
  { family: 'cpu/usage', read: (s) => s.cpu?.usageCoreNanoSeconds },
  { family: 'memory/usage', read: (s) => s.memory?.usageBytes },
  { family: 'memory/working_set', read: (s) => s.memory?.workingSetBytes },
  { family: 'memory/rss', read: (s) => s.memory?.rssBytes },
];

/**
 * Cumulative counters kept between runs, by short state key. Only what a rate needs is kept,
 * so the state read back at the start of a run stays small.
 */
export const COUNTERS: ReadonlyArray<{ key: string; time: (s: StatsView) => number | undefined; value: (s: StatsView) => number | undefined }> = [
  { key: 'cpu', time: (s) => s.cpu?.timeMs, value: (s) => s.cpu?.usageCoreNanoSeconds },
];

/** The time the object's sample was taken: CPU block first, as Heapster's ScrapeTime. */
export function sampleTimeMs(s: StatsView): number | undefined {
  return s.cpu?.timeMs ?? s.memory?.timeMs ?? s.network?.timeMs;
}
