/**
 * @module influx/writer
 * Line protocol into InfluxDB's `/write`, with what a short-lived run needs:
 * - bounded memory however fast the scrapers produce: at most `maxInFlight` bodies are queued or
 *   unanswered. With `overflow` (a spool is set), a body sealed while they are all taken goes to
 *   the spool at once and `room()` never waits, so scraping never waits for InfluxDB; the idle
 *   request slots replay the spool (`replayer`), the run's own overflow included, until the
 *   deadline. Without it (no spool), `room()` waits for a slot: scraping slows to InfluxDB's pace;
 * - a lane for lines the next run must read back (the counters, `pushFirst`): sent before any
 *   other body and never diverted to the spool, so a slow InfluxDB costs no rates;
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
import type { Replayer } from '#shared/influx/replay';
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
  /** Bodies sealed while every slot is taken go to `spool` instead of holding the producer back. */
  overflow?: boolean;
  /** Replays spooled bodies in idle slots (and takes the overflowed ones); needs `overflow`. */
  replayer?: Replayer;
}

export interface WriterStats {
  points: number;
  bytes: number;
  batches: number;
  /** Points not stored and not spooled. */
  failedPoints: number;
  /** Points kept in the spool for the next run: not stored before the deadline. */
  spooledPoints: number;
  /** Points sent to the spool because every request slot was taken (InfluxDB slower than scraping). */
  overflowPoints: number;
  /** Time `room()` held producers back waiting for InfluxDB, summed over them (ms; 0 with `overflow`). */
  waitedMs: number;
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
  /** The lane's buffer the body was taken from, which takes its memory back once it is done. */
  lane?: LineBuffer;
}

/** A body's first buffer (5,000 lines of about 200 bytes); it doubles when long lines outgrow it. */
const BODY_START_BYTES = 1 << 20;
/** The first lane's bodies are sealed at this size: a node's counters are about 5 KB a line. */
const FIRST_BODY_BYTES = 512 * 1024;

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
  private readonly first = new LineBuffer(64 * 1024);
  private readonly firstQueue: Body[] = [];
  private readonly queue: Body[] = [];
  /** Spooled bodies being replayed right now (each takes a request slot). */
  private replaying = 0;
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
    overflowPoints: 0,
    waitedMs: 0,
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

  /**
   * Appends one line to the first lane: sent before every other body, never overflowed to the
   * spool (the counters the next run reads back; a few KB a node, so the lane's memory stays small).
   */
  pushFirst(line: string): void {
    this.first.text(line);
    this.first.end();
    if (this.first.lines >= this.opts.batchSize || this.first.byteLength >= FIRST_BODY_BYTES) this.sealFirst();
  }

  /** Sends the body being filled once it holds `batchSize` lines (or a few more: whole series). */
  sealIfFull(): void {
    if (this.body.lines >= this.opts.batchSize) this.seal();
  }

  /** Resolves once the writer can take more: fewer than `maxInFlight` bodies queued or unanswered. */
  async room(): Promise<void> {
    if (this.overflows) return;
    const t0 = performance.now();
    let waited = false;
    while (!this.stopped && this.queue.length + this.inFlight.size >= this.opts.maxInFlight) {
      waited = true;
      await this.changed();
    }
    if (waited) this.stats.waitedMs += Math.round(performance.now() - t0);
  }

  private get overflows(): boolean {
    return this.opts.overflow === true && this.opts.spool !== undefined;
  }

  /** Request slots taken: bodies queued or unanswered, and replays. */
  private get taken(): number {
    return this.queue.length + this.inFlight.size + this.replaying;
  }

  /** Queues lines; resolves once the writer can take more. */
  async write(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.push(line);
    await this.room();
  }

  /** Sends what is left and waits until every body is settled; returns by the deadline; never throws. */
  /**
   * Sends what is left, replays the spool in the slots that free up, and waits until every body
   * is settled; returns by the deadline (plus the grace of requests in flight); never throws.
   */
  async close(): Promise<WriterStats> {
    if (this.first.lines > 0) this.sealFirst();
    if (this.body.lines > 0) this.seal();
    this.pump();
    while (this.busy) await this.changed();
    clearTimeout(this.deadlineTimer);
    return this.stats;
  }

  private get busy(): boolean {
    const replayLeft = !this.stopped && this.opts.replayer?.pending === true;
    return this.firstQueue.length + this.taken + this.retrying.size > 0 || replayLeft;
  }

  /** The filled lines become a body, and the buffer starts again. */
  private seal(): void {
    const body: Body = { ...this.body.take(), attempt: 0, lane: this.body };
    if (this.stopped) return this.giveUp(body, 'write: not stored before the run deadline');
    // Replays do not count here: a fresh body waits for the next free slot rather than making a
    // round trip through the disk (at most `maxInFlight` of them wait or are unanswered at once).
    if (this.overflows && this.queue.length + this.inFlight.size >= this.opts.maxInFlight) return this.overflow(body);
    this.queue.push(body);
    this.pump();
  }

  private sealFirst(): void {
    const body: Body = { ...this.first.take(), attempt: 0, lane: this.first };
    if (this.stopped) return this.giveUp(body, 'write: not stored before the run deadline');
    this.firstQueue.push(body);
    this.pump();
  }

  /** Every slot is taken: the body waits in the spool, and the idle slots replay it later. */
  private overflow(body: Body): void {
    try {
      const entry = this.opts.spool?.add(body.data, body.lines);
      this.stats.overflowPoints += body.lines;
      // The spool gzipped a copy: the body's memory takes the next lines.
      body.lane?.recycle(body.data);
      if (entry) this.opts.replayer?.add(entry);
    } catch (err) {
      // The spool cannot take it (disk): keep the body in memory rather than lose it.
      const e = `spool: cannot keep points InfluxDB was too slow for: ${(err as Error).message}`;
      if (!this.stats.errors.includes(e)) this.stats.errors.push(e);
      this.queue.push(body);
    }
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
    for (const body of this.firstQueue.splice(0)) this.giveUp(body, message);
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

  /** Fills free slots: the first lane, then fresh bodies, then the spool's. */
  private pump(): void {
    while (!this.stopped && this.inFlight.size + this.replaying < this.opts.maxInFlight) {
      const body = this.firstQueue.shift() ?? this.queue.shift();
      if (body) this.start(body);
      else if (this.opts.replayer?.pending) this.replay(this.opts.replayer);
      else return;
    }
  }

  private start(body: Body): void {
    this.inFlight.add(body);
    void this.send(body).finally(() => {
      this.inFlight.delete(body);
      this.pump();
      this.notify();
    });
  }

  private replay(replayer: Replayer): void {
    this.replaying++;
    void replayer.one(this.abortInFlight.signal).finally(() => {
      this.replaying--;
      this.pump();
      this.notify();
    });
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
    // Answered 2xx: InfluxDB read the whole body, so its memory takes the next lines. (Only
    // here and after the spool's copy: a request cut or answered early may still be sending.)
    body.lane?.recycle(body.data);
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
