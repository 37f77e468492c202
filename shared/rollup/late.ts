/**
 * @module rollup/late
 * Raw points that arrive after the rollup did their window, and how the rollup still covers them
 * with bounded work:
 * - The collector's spool, replayed after an outage: each spooled run's points, its own
 *   `heapless_run` point included, land at the run's time, in windows possibly done long ago. A
 *   ledger (`heapless_rollup_runs`, field `runs` at each first-level window's start, in that
 *   level's policy) keeps how many collect runs each window held when the rollup last looked. A
 *   window that holds more now got late points: every level's progress of every measurement past
 *   it is set back to it, and the usual steps (at most ROLLUP_MAX_WINDOWS, oldest first) redo it.
 *   Two small reads a run, over one series per shard; ROLLUP_LATE_LOOKBACK bounds how far back.
 * - Points stamped back by design (an OOM kill at its time, up to OOM_KILL_WINDOW_MS ago): the
 *   measurements holding such a family redo that reach at every run (they are sparse).
 */
import type { InfluxClient } from '#shared/influx/client';
import { ident, literal, timeLiteral } from '#shared/influx/influxql';
import { OOM_KILL_WINDOW_MS } from '#shared/derive/spec';
import type { Level } from '#shared/rollup/levels';
import { doneFor, type Progress, setDone, writeProgress } from '#shared/rollup/progress';

export const LEDGER_MEASUREMENT = 'heapless_rollup_runs';
const RUN_MEASUREMENT = 'heapless_run';

/** Families whose points are stamped before the run that writes them, and how far back (ms). */
const STAMPED_BACK: ReadonlyMap<string, number> = new Map([['restart/oom_kill', OOM_KILL_WINDOW_MS]]);

/** How far back a measurement holding these metrics must be redone at every run (0: not at all). */
export function redoReachMs(metrics: readonly string[]): number {
  return Math.max(0, ...metrics.map((m) => STAMPED_BACK.get(m) ?? 0));
}

/** Collect runs per first-level window: now in the raw points, and as the ledger last saw them. */
export interface RunCounts {
  now: Map<number, number>;
  seen: Map<number, number>;
}

/** Both counts over [fromMs, toMs), in one request. */
export async function readRunCounts(
  client: InfluxClient,
  rawRp: string,
  level: Level,
  fromMs: number,
  toMs: number,
): Promise<RunCounts> {
  const range = `time >= ${timeLiteral(fromMs)} AND time < ${timeLiteral(toMs)}`;
  const [runs, ledger] = await client.query(
    // count(*): one column per field; a run's point has them all, so the largest is the run count.
    `SELECT count(*) FROM ${ident(rawRp)}.${ident(RUN_MEASUREMENT)} WHERE ${ident('fn')} = ${literal('collect')} ` +
      `AND ${range} GROUP BY time(${level.windowMs}ms) fill(none); ` +
      `SELECT ${ident('runs')} FROM ${ident(level.rp)}.${ident(LEDGER_MEASUREMENT)} WHERE ${range}`,
  );
  const byTime = (values: unknown[][] | undefined): Map<number, number> => {
    const out = new Map<number, number>();
    for (const row of values ?? []) {
      const counts = row.slice(1).filter((v): v is number => typeof v === 'number');
      if (counts.length > 0) out.set(row[0] as number, Math.max(...counts));
    }
    return out;
  };
  return { now: byTime(runs?.series?.[0]?.values), seen: byTime(ledger?.series?.[0]?.values) };
}

/**
 * The first window that holds more runs than the ledger saw: late points (undefined: none). With
 * no ledger at all in the range (its first run, or none for the whole lookback) nothing is late:
 * what is there is recorded.
 */
export function firstLateWindow(c: RunCounts): number | undefined {
  if (c.seen.size === 0) return undefined;
  const late = [...c.now].filter(([t, n]) => n > (c.seen.get(t) ?? 0)).map(([t]) => t);
  return late.length ? Math.min(...late) : undefined;
}

/** Records the counts that changed (fewer too: retention dropped them), so each late window is redone once. */
export async function writeLedger(client: InfluxClient, level: Level, c: RunCounts): Promise<void> {
  const lines = [...c.now]
    .filter(([t, n]) => c.seen.get(t) !== n)
    .map(([t, n]) => `${LEDGER_MEASUREMENT} runs=${n}i ${t}`);
  if (lines.length === 0) return;
  const status = await client.postBody(lines.join('\n'), level.rp);
  if (status !== 204)
    throw new Error(`InfluxDB answered ${status} to the rollup's ledger of collect runs (${level.rp})`);
}

/**
 * Sets every level's progress of every measurement done past `fromMs` back to the start of that
 * level's window holding it (stamped `stampMs`, so it is the latest); returns how many were set back.
 */
export async function rewind(
  client: InfluxClient,
  levels: readonly Level[],
  measurements: readonly string[],
  progress: Progress,
  fromMs: number,
  stampMs: number,
): Promise<number> {
  let rewound = 0;
  for (const level of levels) {
    const to = Math.floor(fromMs / level.windowMs) * level.windowMs;
    for (const m of measurements) {
      const done = doneFor(progress, level.name, m);
      if (done === undefined || done <= to) continue;
      await writeProgress(client, level, to, m, stampMs);
      setDone(progress, level.name, m, to);
      rewound++;
    }
  }
  return rewound;
}

export interface LateOptions {
  rawRp: string;
  levels: readonly Level[];
  measurements: readonly string[];
  progress: Progress;
  nowMs: number;
  delayMs: number;
  lookbackMs: number;
}

/** Finds late points of replayed runs and sets progress back to them; the ledger is written after. */
export async function catchLate(
  client: InfluxClient,
  o: LateOptions,
): Promise<{ lateFromMs?: number; rewound: number }> {
  const first = o.levels[0];
  if (!first || o.lookbackMs <= 0) return { rewound: 0 };
  const floor = (ms: number): number => Math.floor(ms / first.windowMs) * first.windowMs;
  // Only windows whose on-time runs have all been written (ROLLUP_DELAY after they ended).
  const counts = await readRunCounts(client, o.rawRp, first, floor(o.nowMs - o.lookbackMs), floor(o.nowMs - o.delayMs));
  const lateFromMs = firstLateWindow(counts);
  const rewound =
    lateFromMs === undefined ? 0 : await rewind(client, o.levels, o.measurements, o.progress, lateFromMs, o.nowMs);
  await writeLedger(client, first, counts);
  return lateFromMs === undefined ? { rewound } : { lateFromMs, rewound };
}
