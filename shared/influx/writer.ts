/**
 * @module influx/writer
 * Line protocol into InfluxDB's `/write`, with what a short-lived run needs:
 * - backpressure: `write()` waits while `maxInFlight` bodies are queued or unanswered, so memory
 *   stays bounded however fast the scrapers produce;
 * - retries with backoff and jitter (network errors, 429, 5xx; Retry-After honoured) until the
 *   deadline, and bisecting of a body InfluxDB rejects (400/413) to store its good lines;
 * - an exact account at the deadline: a body InfluxDB answered 2xx is stored; every other body is
 *   given up once (spooled, or counted as lost). At the deadline the writer stops sending; the
 *   requests in flight get IN_FLIGHT_GRACE_MS more for their answer (so a body InfluxDB is
 *   storing right then is counted as stored, not spooled), then are aborted, so `close()`
 *   returns by the deadline plus that grace. An aborted request is the one body whose fate is
 *   unknown (InfluxDB may have stored it before the abort): it is spooled, and replaying it
 *   overwrites the same points with the same values.
 * Lines are encoded as they are pushed, as UTF-8 into the body of `batchSize` lines being
 * filled, so a line string dies young and a body is built once and never rescanned; on
 * 200 × 30 nodes this took the writer from about 30% of a run's CPU (joining, measuring and
 * re-encoding strings, and the garbage collection of lines kept alive until their body was
 * full) to almost nothing. Requests go straight to node:http (InfluxClient.write): the client
 * package's WriteApi could not be cancelled, reported bodies it later stored as failed, and
 * cost more CPU per body than encoding it.
 */
import type { InfluxClient } from '#shared/influx/client';
import type { Spool } from '#shared/influx/spool';
import { toInfluxError } from '#shared/influx/client';
import { bisect } from '#shared/influx/bisect';
import { splitLines } from '#shared/influx/lines';
import { LineBuffer } from '#shared/encode/line-buffer';

export interface WriterOptions {
  /** Lines per request; 5,000 is where influxd 1.6 ingests best on 2 cores (influxdb.md §4a). */
  batchSize: number;
  maxInFlight: number;
  /** Epoch ms at which the writer stops: nothing is sent after it, and what is in flight is aborted. */
  deadlineMs: number;
  /** Retention policy to write into; default: the database's default policy. */
  rp?: string;
  /** Where bodies go that InfluxDB did not take before the deadline; without one they are lost (and counted). */
  spool?: Spool;
}

export interface WriterStats {
  points: number;
  bytes: number;
  batches: number;
  /** Points not stored and not spooled. */
  failedPoints: number;
  /** Points kept in the spool for the next run. */
  spooledPoints: number;
  /** Lines InfluxDB rejected as invalid (isolated by bisecting); the first few are in `badLines`. */
  badPoints: number;
  badLines: string[];
  errors: string[];
}

interface Body {
  /** Line protocol, UTF-8, lines separated by `\n`. */
  data: Buffer;
  lines: number;
  attempt: number;
}

/** A body's first buffer (5,000 lines of about 200 bytes); it doubles when long lines outgrow it. */
const BODY_START_BYTES = 1 << 20;

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
const JITTER_MS = 250;
/** Bodies waiting out a backoff; beyond this the oldest is given up, so an outage cannot grow memory. */
const MAX_RETRYING = 8;
/** After the deadline, how long requests already sent may still be answered. */
export const IN_FLIGHT_GRACE_MS = 1_000;

export class Writer {
  /** The body being filled. Encoders write whole lines into it, then call `sealIfFull()`. */
  readonly body = new LineBuffer(BODY_START_BYTES);
  private readonly queue: Body[] = [];
  private readonly inFlight = new Set<Body>();
  private readonly retrying = new Map<Body, NodeJS.Timeout>();
  private readonly stop = new AbortController();
  /** Aborts the requests in flight, IN_FLIGHT_GRACE_MS after the deadline. */
  private readonly abortInFlight = new AbortController();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineMs: number;
  private waiters: Array<() => void> = [];
  readonly stats: WriterStats = {
    points: 0,
    bytes: 0,
    batches: 0,
    failedPoints: 0,
    spooledPoints: 0,
    badPoints: 0,
    badLines: [],
    errors: [],
  };

  constructor(
    private readonly client: InfluxClient,
    private readonly opts: WriterOptions,
  ) {
    this.deadlineMs = opts.deadlineMs;
    this.arm();
  }

  /** Moves the deadline earlier (SIGTERM's grace); never later. */
  shorten(deadlineMs: number): void {
    if (deadlineMs >= this.deadlineMs) return;
    this.deadlineMs = deadlineMs;
    this.arm();
  }

  /** True once the deadline has passed: later lines go straight to the spool. */
  get stopped(): boolean {
    return this.stop.signal.aborted;
  }

  /** Appends one line to the body being filled, sending the body once it holds `batchSize` lines. */
  push(line: string): void {
    this.body.text(line);
    this.body.end();
    this.sealIfFull();
  }

  /** Sends the body being filled once it holds `batchSize` lines (or a few more: whole series). */
  sealIfFull(): void {
    if (this.body.lines >= this.opts.batchSize) this.seal();
  }

  /** Resolves once the writer can take more: fewer than `maxInFlight` bodies queued or unanswered. */
  async room(): Promise<void> {
    while (!this.stopped && this.queue.length + this.inFlight.size >= this.opts.maxInFlight) await this.changed();
  }

  /** Queues lines; resolves once the writer can take more. */
  async write(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.push(line);
    await this.room();
  }

  /** Sends what is left and waits until every body is settled; returns by the deadline; never throws. */
  async close(): Promise<WriterStats> {
    if (this.body.lines > 0) this.seal();
    while (this.queue.length + this.inFlight.size + this.retrying.size > 0) await this.changed();
    clearTimeout(this.deadlineTimer);
    return this.stats;
  }

  /** The filled lines become a body, and the buffer starts again. */
  private seal(): void {
    const body: Body = { ...this.body.take(), attempt: 0 };
    if (this.stopped) return this.giveUp(body, 'write: not stored before the run deadline');
    this.queue.push(body);
    this.pump();
  }

  private arm(): void {
    clearTimeout(this.deadlineTimer);
    if (this.deadlineMs <= Date.now()) return this.expire();
    this.deadlineTimer = setTimeout(() => this.expire(), Math.max(0, this.deadlineMs - Date.now()));
    this.deadlineTimer.unref();
  }

  /** The deadline: give up everything not yet sent; requests in flight get a short grace. */
  private expire(): void {
    if (this.stopped) return;
    this.stop.abort();
    setTimeout(() => this.abortInFlight.abort(), IN_FLIGHT_GRACE_MS).unref();
    const message = 'write: not stored before the run deadline';
    for (const body of this.queue.splice(0)) this.giveUp(body, message);
    for (const [body, timer] of this.retrying) {
      clearTimeout(timer);
      this.giveUp(body, message);
    }
    this.retrying.clear();
    this.notify();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < this.opts.maxInFlight && this.queue.length > 0) {
      const body = this.queue.shift() as Body;
      this.inFlight.add(body);
      void this.send(body).finally(() => {
        this.inFlight.delete(body);
        this.pump();
        this.notify();
      });
    }
  }

  private async send(body: Body): Promise<void> {
    let answer: Awaited<ReturnType<InfluxClient['write']>>;
    try {
      answer = await this.client.write(body.data, this.abortInFlight.signal, this.opts.rp);
    } catch (err) {
      if (this.abortInFlight.signal.aborted)
        return this.giveUp(body, 'write: cut at the run deadline, InfluxDB had not answered');
      return this.retry(body, toInfluxError(err, 'write').message);
    }
    if (answer.status >= 200 && answer.status < 300) return this.stored(body);
    const message = `write: ${answer.message ?? `HTTP ${answer.status}`}`;
    if (answer.status === 400 || answer.status === 413) return this.salvage(body, message);
    if (answer.status === 429 || answer.status >= 500) return this.retry(body, message, answer.retryAfterMs);
    return this.giveUp(body, message);
  }

  private stored(body: Body): void {
    this.stats.batches++;
    this.stats.points += body.lines;
    this.stats.bytes += body.data.length + 1;
  }

  /** Backoff with jitter, unless the retry would land after the deadline. */
  private retry(body: Body, message: string, afterMs?: number): void {
    body.attempt++;
    const backoff = Math.min(MAX_RETRY_MS, MIN_RETRY_MS * 2 ** (body.attempt - 1)) + Math.random() * JITTER_MS;
    const delay = Math.max(afterMs ?? 0, backoff);
    if (this.stopped || Date.now() + delay >= this.deadlineMs) return this.giveUp(body, message);
    if (this.retrying.size >= MAX_RETRYING) {
      const [oldest, timer] = this.retrying.entries().next().value as [Body, NodeJS.Timeout];
      clearTimeout(timer);
      this.retrying.delete(oldest);
      this.giveUp(oldest, message);
    }
    const timer = setTimeout(() => {
      this.retrying.delete(body);
      this.queue.unshift(body);
      this.pump();
      this.notify();
    }, delay);
    this.retrying.set(body, timer);
  }

  /** Not stored: into the spool when there is one, else counted as lost. */
  private giveUp(body: Body, message: string): void {
    if (this.opts.spool && this.spoolBody(body, message)) this.stats.spooledPoints += body.lines;
    else this.stats.failedPoints += body.lines;
    if (!this.stats.errors.includes(message)) this.stats.errors.push(message);
  }

  private spoolBody(body: Body, message: string): boolean {
    try {
      this.opts.spool?.add(body.data, body.lines);
      return true;
    } catch (err) {
      const e = `spool: cannot keep points that were not written (${message}): ${(err as Error).message}`;
      if (!this.stats.errors.includes(e)) this.stats.errors.push(e);
      return false;
    }
  }

  /**
   * Stores the good lines of a rejected body and reports the bad ones. Cut by the deadline, the
   * whole body is spooled (the parts already stored are overwritten with the same values on replay).
   */
  private async salvage(body: Body, message: string): Promise<void> {
    const post = async (part: string): Promise<number> =>
      (await this.client.write(part, this.abortInFlight.signal, this.opts.rp)).status;
    const r = await bisect(splitLines(body.data.toString()), post).catch(() => undefined);
    if (!r) return this.giveUp(body, message);
    this.stats.batches++;
    this.stats.points += r.stored;
    this.stats.badPoints += r.bad.length;
    for (const line of r.bad) if (this.stats.badLines.length < 5) this.stats.badLines.push(line.slice(0, 300));
    if (r.bad.length > 0 && !this.stats.errors.includes(message)) this.stats.errors.push(message);
    // Lines the bisection could not settle (5xx, 429, network, budget) are not bad: spool them.
    const unsettled = 'write: InfluxDB did not settle part of a rejected body (5xx, 429, network or request budget)';
    if (r.unresolved.length > 0)
      this.giveUp(
        { data: Buffer.from(r.unresolved.join('\n')), lines: r.unresolved.length, attempt: body.attempt },
        unsettled,
      );
  }
}
