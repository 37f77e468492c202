/**
 * @module derive/sources
 * Where each family's value comes from, as tables. A row applies to the object types listed in
 * the family's `types` (families/catalogue.ts).
 */
import type { FsSample, Measured, NetworkSample } from '#shared/model';
import type { FamilyName } from '#shared/families/catalogue';

/** One object's stats as derive sees them, whatever its type. */
export interface StatsView extends Measured {
  network?: NetworkSample;
  /** Filesystems by `resource_id`: `/`, `logs`, `Volume:<name>`. */
  filesystems: ReadonlyArray<readonly [string, FsSample]>;
  ephemeralUsedBytes?: number;
  /** Pod: process_stats.process_count; node: rlimit.curproc. */
  processCount?: number;
  /** Node: rlimit.maxpid. */
  processMax?: number;
}

type Read = (s: StatsView) => number | undefined;

/** Values copied from the summary. */
export const DIRECT: ReadonlyArray<{ family: FamilyName; read: Read }> = [
  { family: 'cpu/usage', read: (s) => s.cpu?.usageCoreNanoSeconds },
  { family: 'memory/usage', read: (s) => s.memory?.usageBytes },
  { family: 'memory/working_set', read: (s) => s.memory?.workingSetBytes },
  { family: 'memory/rss', read: (s) => s.memory?.rssBytes },
  { family: 'memory/page_faults', read: (s) => s.memory?.pageFaults },
  { family: 'memory/major_page_faults', read: (s) => s.memory?.majorPageFaults },
  { family: 'network/rx', read: (s) => s.network?.rxBytes },
  { family: 'network/rx_errors', read: (s) => s.network?.rxErrors },
  { family: 'network/tx', read: (s) => s.network?.txBytes },
  { family: 'network/tx_errors', read: (s) => s.network?.txErrors },
  { family: 'ephemeral_storage/usage', read: (s) => s.ephemeralUsedBytes },
  { family: 'swap/usage', read: (s) => s.swap?.usageBytes },
  { family: 'swap/available', read: (s) => s.swap?.availableBytes },
  { family: 'process/count', read: (s) => s.processCount },
  { family: 'process/max', read: (s) => s.processMax },
  // PSI averages (percent), straight from the summary; spelled out so each read is a plain
  // property chain (a keyed read per row made these the costliest rows of derive).
  { family: 'cpu/psi_some_avg10', read: (s) => s.cpu?.psi?.some?.avg10 },
  { family: 'cpu/psi_some_avg60', read: (s) => s.cpu?.psi?.some?.avg60 },
  { family: 'cpu/psi_some_avg300', read: (s) => s.cpu?.psi?.some?.avg300 },
  { family: 'cpu/psi_full_avg10', read: (s) => s.cpu?.psi?.full?.avg10 },
  { family: 'cpu/psi_full_avg60', read: (s) => s.cpu?.psi?.full?.avg60 },
  { family: 'cpu/psi_full_avg300', read: (s) => s.cpu?.psi?.full?.avg300 },
  { family: 'memory/psi_some_avg10', read: (s) => s.memory?.psi?.some?.avg10 },
  { family: 'memory/psi_some_avg60', read: (s) => s.memory?.psi?.some?.avg60 },
  { family: 'memory/psi_some_avg300', read: (s) => s.memory?.psi?.some?.avg300 },
  { family: 'memory/psi_full_avg10', read: (s) => s.memory?.psi?.full?.avg10 },
  { family: 'memory/psi_full_avg60', read: (s) => s.memory?.psi?.full?.avg60 },
  { family: 'memory/psi_full_avg300', read: (s) => s.memory?.psi?.full?.avg300 },
  { family: 'io/psi_some_avg10', read: (s) => s.io?.psi?.some?.avg10 },
  { family: 'io/psi_some_avg60', read: (s) => s.io?.psi?.some?.avg60 },
  { family: 'io/psi_some_avg300', read: (s) => s.io?.psi?.some?.avg300 },
  { family: 'io/psi_full_avg10', read: (s) => s.io?.psi?.full?.avg10 },
  { family: 'io/psi_full_avg60', read: (s) => s.io?.psi?.full?.avg60 },
  { family: 'io/psi_full_avg300', read: (s) => s.io?.psi?.full?.avg300 },
];

/** Filesystem families, one sample per filesystem with its `resource_id`. */
export const FILESYSTEM: ReadonlyArray<{ family: FamilyName; read: (f: FsSample) => number | undefined }> = [
  { family: 'filesystem/usage', read: (f) => f.usedBytes },
  { family: 'filesystem/limit', read: (f) => f.capacityBytes },
  { family: 'filesystem/available', read: (f) => f.availableBytes },
  { family: 'filesystem/inodes', read: (f) => f.inodes },
  { family: 'filesystem/inodes_free', read: (f) => f.inodesFree },
];

/**
 * Cumulative counters kept between runs, by short state key. Only what a rate needs is kept,
 * so the state read back at the start of a run stays small.
 */
export const COUNTERS: ReadonlyArray<{ key: string; time: Read; value: Read }> = [
  { key: 'cpu', time: (s) => s.cpu?.timeMs, value: (s) => s.cpu?.usageCoreNanoSeconds },
  { key: 'pf', time: (s) => s.memory?.timeMs, value: (s) => s.memory?.pageFaults },
  { key: 'mpf', time: (s) => s.memory?.timeMs, value: (s) => s.memory?.majorPageFaults },
  { key: 'rx', time: (s) => s.network?.timeMs, value: (s) => s.network?.rxBytes },
  { key: 'rxe', time: (s) => s.network?.timeMs, value: (s) => s.network?.rxErrors },
  { key: 'tx', time: (s) => s.network?.timeMs, value: (s) => s.network?.txBytes },
  { key: 'txe', time: (s) => s.network?.timeMs, value: (s) => s.network?.txErrors },
  // PSI `some` totals (µs stalled); `full` is written as averages only, to keep this state small.
  { key: 'cps', time: (s) => s.cpu?.timeMs, value: (s) => s.cpu?.psi?.some?.totalMicros },
  { key: 'mps', time: (s) => s.memory?.timeMs, value: (s) => s.memory?.psi?.some?.totalMicros },
  { key: 'ips', time: (s) => s.io?.timeMs, value: (s) => s.io?.psi?.some?.totalMicros },
];

/** Per-second rates of the counters above. */
export const RATES: ReadonlyArray<{ family: FamilyName; counter: string }> = [
  { family: 'memory/page_faults_rate', counter: 'pf' },
  { family: 'memory/major_page_faults_rate', counter: 'mpf' },
  { family: 'network/rx_rate', counter: 'rx' },
  { family: 'network/rx_errors_rate', counter: 'rxe' },
  { family: 'network/tx_rate', counter: 'tx' },
  { family: 'network/tx_errors_rate', counter: 'txe' },
  { family: 'cpu/psi_some_rate', counter: 'cps' },
  { family: 'memory/psi_some_rate', counter: 'mps' },
  { family: 'io/psi_some_rate', counter: 'ips' },
];

/** The time the object's sample was taken: CPU block first, as Heapster's ScrapeTime. */
export function sampleTimeMs(s: StatsView): number | undefined {
  return s.cpu?.timeMs ?? s.memory?.timeMs ?? s.network?.timeMs;
}
