/**
 * @module influx/writer
 * Line protocol into InfluxDB through the package's WriteApi (retry with backoff and jitter,
 * Retry-After, retry buffer), with what a short-lived run needs added:
 * - backpressure: `write()` waits while `maxInFlight` requests are unanswered, so memory stays
 *   bounded however fast the scrapers produce;
 * - an exact account: every body is settled once, written or failed, and `close()` waits for
 *   that (retries included) until the deadline.
 * Lines are joined into bodies of `batchSize` lines here and handed to the WriteApi as one record
 * each: the package's per-line bookkeeping cost more CPU than encoding the lines.
 */
import type { WriteApi } from '@influxdata/influxdb-client';
import type { InfluxClient } from '#shared/influx/client';
import { toInfluxError } from '#shared/influx/client';

export interface WriterOptions {
  /** Lines per request; 5,000 is where influxd 1.6 ingests best on 2 cores (influxdb.md §4a). */
  batchSize: number;
  maxInFlight: number;
  /** Epoch ms after which failed bodies are no longer retried. */
  deadlineMs: number;
  /** Retention policy to write into; default: the database's default policy. */
  rp?: string;
}

export interface WriterStats {
  points: number;
  bytes: number;
  batches: number;
  failedPoints: number;
  errors: string[];
}

/** Attempts after the first; the deadline usually ends retries before this does. */
const MAX_RETRIES = 20;

export class Writer {
  private readonly api: WriteApi;
  private pending: string[] = [];
  /** Lines of each body not yet settled (bodies may hold newlines inside string fields). */
  private readonly unsettled = new Map<string, number>();
  private wakeClose: (() => void) | undefined;
  readonly stats: WriterStats = { points: 0, bytes: 0, batches: 0, failedPoints: 0, errors: [] };

  constructor(
    private readonly client: InfluxClient,
    private readonly opts: WriterOptions,
  ) {
    const bucket = opts.rp ? `${client.options.db}/${opts.rp}` : client.options.db;
    this.api = client.api.getWriteApi('', bucket, 'ms', {
      batchSize: 1,
      flushInterval: 0,
      gzipThreshold: undefined,
      maxRetries: MAX_RETRIES,
      maxRetryTime: Math.max(1, opts.deadlineMs - Date.now()),
      minRetryDelay: 250,
      maxRetryDelay: 5_000,
      retryJitter: 250,
      maxBufferLines: 100_000,
      writeSuccess: (bodies) => this.succeeded(bodies),
      writeFailed: (error, bodies, attempt, expires) => this.failed(error, bodies, attempt, expires),
    });
  }

  /** Queues lines; resolves once the writer can take more. */
  async write(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.pending.push(line);
    while (this.pending.length >= this.opts.batchSize) {
      this.send(this.pending.splice(0, this.opts.batchSize));
      await this.client.transport.below(this.opts.maxInFlight);
    }
  }

  /** Sends what is left, waits until every body is settled or the deadline passes; never throws. */
  async close(): Promise<WriterStats> {
    if (this.pending.length > 0) this.send(this.pending.splice(0));
    const left = this.opts.deadlineMs - Date.now();
    if (this.unsettled.size > 0 && left > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wakeClose = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    for (const [body, lines] of this.unsettled) this.fail(body, lines, 'write: not stored before the run deadline');
    await this.api.close().catch(() => undefined);
    return this.stats;
  }

  private send(lines: string[]): void {
    const body = lines.join('\n');
    this.unsettled.set(body, (this.unsettled.get(body) ?? 0) + lines.length);
    this.api.writeRecord(body);
  }

  private settle(body: string): number {
    const n = this.unsettled.get(body) ?? 0;
    this.unsettled.delete(body);
    if (this.unsettled.size === 0) this.wakeClose?.();
    return n;
  }

  private succeeded(bodies: string[]): void {
    for (const body of bodies) {
      this.stats.batches++;
      this.stats.points += this.settle(body);
      this.stats.bytes += Buffer.byteLength(body) + 1;
    }
  }

  private fail(body: string, lines: number, message: string): void {
    this.unsettled.delete(body);
    this.stats.failedPoints += lines;
    if (!this.stats.errors.includes(message)) this.stats.errors.push(message);
  }

  /**
   * Called on every failed attempt. Returning undefined keeps the package's retry policy
   * (network errors, 429 and 5xx retried with backoff until the deadline); a body is settled as
   * failed only when no retry will follow.
   */
  private failed(error: Error, bodies: string[], attempt: number, expires: number): Promise<void> | undefined {
    const status = (error as { statusCode?: number }).statusCode;
    const final = (status !== undefined && status < 429) || Date.now() >= expires || attempt > MAX_RETRIES;
    if (!final) return undefined;
    const message = toInfluxError(error, 'write').message;
    for (const body of bodies) this.fail(body, this.settle(body), message);
    return undefined;
  }
}
