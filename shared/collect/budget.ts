/**
 * @module collect/budget
 * The run's time budget. RUN_DEADLINE bounds the whole run: listing, scraping and writing.
 * Scraping ends first, `reserveMs` before the deadline, so the last nodes' lines can still be
 * written; the writer stops at the deadline itself. SIGTERM ends scraping at once and gives the
 * writer TERM_GRACE.
 */
import { setMaxListeners } from 'node:events';
import { KubeletError } from '#shared/errors';

export class RunBudget {
  private readonly scraping = new AbortController();
  private timer: NodeJS.Timeout;
  /** Epoch ms at which scraping stops (in-flight scrapes are cut). */
  readonly cutoffMs: number;
  terminated = false;

  constructor(
    /** Epoch ms at which the run stops writing. */
    readonly deadlineMs: number,
    runDeadlineMs: number,
  ) {
    this.cutoffMs = deadlineMs - reserveMs(runDeadlineMs);
    this.timer = setTimeout(
      () =>
        this.scraping.abort(
          new KubeletError(
            '',
            'deadline',
            'not scraped before the run deadline',
            'RUN_DEADLINE left no time for this node: raise KUBELET_CONCURRENCY, lower KUBELET_TIMEOUT, or shard',
          ),
        ),
      Math.max(0, this.cutoffMs - Date.now()),
    );
    this.timer.unref();
    // Each in-flight scrape listens here and stops listening when it settles: at most
    // KUBELET_CONCURRENCY listeners, not a leak. Past Node's default of 10 it would print a
    // plain-text warning among the run's JSON lines.
    setMaxListeners(0, this.scraping.signal);
  }

  /** Aborted at the scrape cutoff or on SIGTERM; its reason is a KubeletError to count nodes by. */
  get signal(): AbortSignal {
    return this.scraping.signal;
  }

  /** False once no new node should be started: the cutoff is reached, or less than `minMs` is left before it. */
  mayStart(minMs: number): boolean {
    return !this.scraping.signal.aborted && this.cutoffMs - Date.now() > minMs;
  }

  terminate(): void {
    this.terminated = true;
    clearTimeout(this.timer);
    this.scraping.abort(
      new KubeletError('', 'terminated', 'not scraped: the run was terminated (SIGTERM)', 'the next run collects it'),
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/**
 * Time kept for writing after scraping ends: a fifth of the deadline, 500 ms to 5 s (at 5,000
 * lines a body and ~100k lines/s into influxd 1.6, 5 s writes the tail of the largest shard).
 */
export function reserveMs(runDeadlineMs: number): number {
  return Math.min(5_000, Math.max(500, Math.round(runDeadlineMs / 5)));
}
