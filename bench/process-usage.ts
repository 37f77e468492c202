/**
 * @module bench/process-usage
 * Another process's CPU time and peak resident memory, from /proc (Linux): used to give influxd,
 * the storage side, its own figure per collect run, next to the collector's.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`), 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface Usage {
  /** User + system CPU time since the process started (s). */
  cpuSeconds: number;
  /** Peak resident memory since the process started or since `resetPeak` (MB). */
  peakRssMb: number;
}

export function usageOf(pid: number): Usage {
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuSeconds: ticks / TICKS_PER_SECOND, peakRssMb: Math.round(Number(hwm?.[1] ?? 0) / 1024) };
}

/** Starts a new peak-RSS window (`clear_refs` 5 resets VmHWM to the current RSS; our own child only). */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** influxd's CPU and peak RSS over `work`. */
export async function measuredUsage<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; usage: Usage }> {
  resetPeak(pid);
  const before = usageOf(pid);
  const result = await work();
  const after = usageOf(pid);
  return {
    result,
    usage: { cpuSeconds: Math.round((after.cpuSeconds - before.cpuSeconds) * 100) / 100, peakRssMb: after.peakRssMb },
  };
}
