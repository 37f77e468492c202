/**
 * @module sim/usage-truth
 * Exact CPU and memory values of any generated object (node, system container, pod, container) at
 * any simulated instant, constant or varying. The summary renderer prints these, and tests compute
 * their expectations from them.
 */
import type { MemoryTruth, UsageTruth } from '#test/sim/truth';
import { cpuCoreNanoSecondsAt, wholeSecondMs } from '#test/sim/clock';

/** The kubelet's `usageNanoCores` is the mean over about the last 10 s (cadvisor's housekeeping). */
export const SAMPLE_WINDOW_MS = 10_000;

/** `cpu.usageCoreNanoSeconds` of an object started at `startMs`, read at `nowMs` (whole seconds). */
export function cpuCounterAt(u: UsageTruth, startMs: number, nowMs: number): number {
  if (!u.varying) return cpuCoreNanoSecondsAt(u.cpuMillicores, startMs, nowMs);
  const from = wholeSecondMs(startMs);
  const to = wholeSecondMs(nowMs);
  if (to <= from) return 0;
  // millicore·s × 1e6 = nanocore·s; floored like a kernel counter read.
  return Math.max(0, Math.floor(u.varying.cpuUsed(from, to) * 1e6));
}

/** `cpu.usageNanoCores`: the mean over the last SAMPLE_WINDOW_MS (less just after a start). */
export function usageNanoCoresAt(u: UsageTruth, startMs: number, nowMs: number): number {
  if (!u.varying) return u.cpuMillicores * 1e6;
  const to = wholeSecondMs(nowMs);
  const from = Math.max(wholeSecondMs(startMs), to - SAMPLE_WINDOW_MS);
  if (to <= from) return 0;
  const used = cpuCounterAt(u, startMs, to) - cpuCounterAt(u, startMs, from);
  return Math.floor((used * 1000) / (to - from));
}

/** True mean CPU usage in millicores over (fromMs, toMs], from the counter an object started at `startMs`. */
export function meanMillicores(u: UsageTruth, startMs: number, fromMs: number, toMs: number): number {
  const used = cpuCounterAt(u, startMs, toMs) - cpuCounterAt(u, startMs, fromMs);
  return used / 1e6 / ((wholeSecondMs(toMs) - wholeSecondMs(fromMs)) / 1000);
}

/** Memory gauges at `nowMs`. */
export function memoryAt(u: UsageTruth, nowMs: number): MemoryTruth {
  return u.varying ? u.varying.memoryAt(wholeSecondMs(nowMs)) : u.memory;
}
