/**
 * @module start/lifecycle
 * What `npm start` made, and how to undo it, whenever the interrupt comes. Every temp folder and
 * file goes under one root (TMPDIR points into it, so influxd's and the simulator's own
 * `mkdtemp` land there too); every process and server registers its stop. On SIGINT or SIGTERM,
 * start-up steps still running are awaited (bounded), then everything stops in reverse order and
 * the root is removed. Children share the process group, so a terminal's Ctrl-C reaches influxd
 * as well; its stop still waits for it to exit before its folder goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '#shared/log';

/** A start-up step in flight is given this long to finish before shutdown goes on without it. */
const PENDING_WAIT_MS = 20_000;
/** One stop (influxd: SIGTERM, then SIGKILL after 5 s) may take this long. */
const STOP_WAIT_MS = 8_000;

export class Lifecycle {
  /** The one folder holding every temp file `npm start` makes. */
  readonly root: string;
  private readonly stops: Array<{ what: string; stop: () => Promise<void> | void }> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private stopping: Promise<never> | undefined;

  constructor(private readonly log: Logger) {
    this.root = mkdtempSync(join(tmpdir(), 'heapless-start-'));
    process.env['TMPDIR'] = this.root;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.on(signal, () => void this.shutdown(0, signal));
  }

  get stoppingNow(): boolean {
    return this.stopping !== undefined;
  }

  /** Runs a start-up step; its result's stop is registered as soon as it exists. */
  async step<T>(what: string, start: Promise<T>, stopOf: (value: T) => () => Promise<void> | void): Promise<T> {
    this.pending.add(start);
    try {
      const value = await start;
      this.stops.push({ what, stop: stopOf(value) });
      return value;
    } finally {
      this.pending.delete(start);
    }
  }

  /** Registers a stop for something already running. */
  onStop(what: string, stop: () => Promise<void> | void): void {
    this.stops.push({ what, stop });
  }

  /** Idempotent: the second Ctrl-C (npm and tsx forward the first one too) waits for the first. */
  shutdown(code: number, reason: string): Promise<never> {
    this.stopping ??= this.run(code, reason);
    return this.stopping;
  }

  private async run(code: number, reason: string): Promise<never> {
    this.log.info('stopping', { reason, tempDir: this.root });
    await Promise.race([Promise.allSettled([...this.pending]), delay(PENDING_WAIT_MS)]);
    for (const { what, stop } of this.stops.reverse()) {
      try {
        await Promise.race([Promise.resolve(stop()), delay(STOP_WAIT_MS)]);
      } catch (error) {
        this.log.warn('stop_failed', { what, error });
      }
    }
    try {
      // Retried: a child stopped a moment ago may still be closing files in it.
      rmSync(this.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      this.log.info('stopped', { reason, removed: this.root });
    } catch (error) {
      this.log.error('temp_left', { error, tempDir: this.root, hint: `remove it by hand: rm -rf ${this.root}` });
    }
    process.exit(code);
  }
}

/**
 * Drops warnings and errors once `stopping()` holds: what a component says while it is being
 * stopped under it (a run cut short, an API server gone) is not a problem to report. Debug and
 * info lines (a run's summary) stay.
 */
export function quietWhen(stopping: () => boolean, log: Logger): Logger {
  return {
    debug: (e, f) => log.debug(e, f),
    info: (e, f) => log.info(e, f),
    warn: (e, f) => void (stopping() || log.warn(e, f)),
    error: (e, f) => void (stopping() || log.error(e, f)),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
