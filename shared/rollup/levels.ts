/**
 * @module rollup/levels
 * The rollup levels (`5m:30d,1h:400d`): each a window and a retention policy of its own, each
 * computed from the one before (the first from the raw points), and the windows a run is due to
 * roll up. Pure.
 */
import { parseDurationMs } from '#shared/config/parsers';

export interface Level {
  /** As written in the setting: `5m`, `1h`; also the `level` tag of the progress points. */
  name: string;
  windowMs: number;
  /** InfluxQL duration of its retention policy (`30d`), or `INF`. */
  retention: string;
  /** Its retention policy: `heapless_5m`. */
  rp: string;
}

const MIN_WINDOW_MS = 60_000;

/** Parses `window:retention,…`; each window a whole multiple of the one before, each retention at least 1h. */
export function parseLevels(raw: string): Level[] {
  const levels: Level[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^(\d+[smhd]):(\d+[hdw]|0|INF)$/i.exec(part);
    if (!m) throw new Error(`"${part}": expected window:retention such as 5m:30d (retention 0 = forever)`);
    const name = m[1]!.toLowerCase();
    const windowMs = parseDurationMs(name);
    if (windowMs < MIN_WINDOW_MS || 86_400_000 % windowMs !== 0)
      throw new Error(`"${part}": the window must be at least 1m and divide a day (5m, 15m, 1h, 6h, 1d)`);
    const prev = levels.at(-1);
    if (prev && (windowMs <= prev.windowMs || windowMs % prev.windowMs !== 0))
      throw new Error(`"${part}": each window must be a whole multiple of the one before (${prev.name})`);
    const retention = m[2] === '0' || m[2]!.toUpperCase() === 'INF' ? 'INF' : m[2]!.toLowerCase();
    levels.push({ name, windowMs, retention, rp: `heapless_${name}` });
  }
  if (levels.length === 0) throw new Error('at least one level is needed, such as 5m:30d');
  return levels;
}

export interface Due {
  /** First window's start, epoch ms, aligned to the window. */
  fromMs: number;
  /** End of the last window (exclusive); equal to fromMs when nothing is due. */
  toMs: number;
}

export interface DueOptions {
  nowMs: number;
  /** Time given to the last raw points of a window to arrive (a collect run's length). */
  delayMs: number;
  maxWindows: number;
  /** Where a level with no progress starts: this long before now. */
  backfillMs: number;
  /** The level this one is computed from is done up to here (undefined: the raw points). */
  sourceDoneMs?: number;
  /**
   * Points stamped up to this long before the run that writes them (OOM kills): the windows done
   * within that reach, plus one window for the rollup's own interval, are redone (rollup/late).
   */
  redoMs?: number;
}

/**
 * The windows due: from the level's progress (or the backfill) up to the last window that ended
 * `delayMs` ago and whose source is complete, at most `maxWindows` new ones, oldest first, so a
 * run after missed runs catches up in bounded steps; with `redoMs`, also the done windows within
 * that reach (valid while the rollup runs at least once a window of this level).
 */
export function dueWindows(level: Level, doneMs: number | undefined, o: DueOptions): Due {
  const w = level.windowMs;
  const floor = (ms: number): number => Math.floor(ms / w) * w;
  let end = floor(o.nowMs - o.delayMs);
  if (o.sourceDoneMs !== undefined) end = Math.min(end, floor(o.sourceDoneMs));
  const start = doneMs !== undefined ? floor(doneMs) : floor(o.nowMs - o.backfillMs);
  const to = Math.min(end, start + o.maxWindows * w);
  const from = doneMs !== undefined && o.redoMs ? Math.min(start, floor(o.nowMs - o.redoMs) - w) : start;
  return { fromMs: from, toMs: Math.max(start, to) };
}
