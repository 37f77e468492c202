/**
 * @module sim/clock
 * The simulator's own clock. Tests move it explicitly, so every payload value is exact and
 * reproducible; real wall time is never used for payload contents.
 */

/** Simulated time in milliseconds since the Unix epoch. */
export interface SimClock {
  nowMs(): number;
  /** Move forward (or backward, when negative) by `seconds` (may be fractional). */
  advance(seconds: number): void;
  set(ms: number): void;
}

export function createClock(startMs: number): SimClock {
  let now = startMs;
  return {
    nowMs: () => now,
    advance(seconds) {
      now += Math.round(seconds * 1000);
    },
    set(ms) {
      now = ms;
    },
  };
}

/** Truncate to a whole second, like the kubelet's metav1.Time (second precision). */
export function wholeSecondMs(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** RFC 3339 with whole seconds, e.g. `2026-11-23T10:00:00Z`. */
export function rfc3339(ms: number): string {
  return new Date(wholeSecondMs(ms)).toISOString().replace('.000Z', 'Z');
}

/**
 * Value of a cumulative counter that grows at `perSecond` since `startMs`, read at `nowMs`.
 * Both instants are truncated to whole seconds first, exactly like the `time` fields the
 * simulator prints, so `value / (time − startTime)` gives back the rate. Never negative.
 */
export function counterAt(perSecond: number, startMs: number, nowMs: number): number {
  const elapsedMs = wholeSecondMs(nowMs) - wholeSecondMs(startMs);
  return Math.max(0, Math.floor((perSecond * elapsedMs) / 1000));
}

/** `cpu.usageCoreNanoSeconds` for a constant usage of `millicores` since `startMs`. */
export function cpuCoreNanoSecondsAt(millicores: number, startMs: number, nowMs: number): number {
  return counterAt(millicores * 1e6, startMs, nowMs);
}
