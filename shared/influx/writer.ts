/**
 * @module influx/writer
 * Line protocol into InfluxDB through the package's WriteApi (batching, retry with backoff, retry
 * buffer) with backpressure added: `write()` waits while `maxInFlight` batches are unanswered,
 * so memory stays bounded however fast the scrapers produce.
 */
import type { WriteApi } from '@influxdata/influxdb-client';
import type { InfluxClient } from '#shared/influx/client';
import { toInfluxError } from '#shared/influx/client';

export interface WriterOptions {
  /** Lines per request; 5,000 is where influxd 1.6 ingests best on 2 cores (influxdb.md §4a). */
  batchSize: number;
  maxInFlight: number;
  /** Epoch ms after which failed batches are no longer retried. */
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

export class Writer {
  private readonly api: WriteApi;
  readonly stats: WriterStats = { points: 0, bytes: 0, batches: 0, failedPoints: 0, errors: [] };

  constructor(
    private readonly client: InfluxClient,
    private readonly opts: WriterOptions,
  ) {
    const bucket = opts.rp ? `${client.options.db}/${opts.rp}` : client.options.db;
    const maxRetryTime = Math.max(1, opts.deadlineMs - Date.now());
    this.api = client.api.getWriteApi('', bucket, 'ms', {
      batchSize: opts.batchSize,
      flushInterval: 0,
      gzipThreshold: undefined,
      maxRetries: 10,
      maxRetryTime,
      minRetryDelay: 250,
      maxRetryDelay: 5_000,
      retryJitter: 250,
      maxBufferLines: 10_000_000,
      writeSuccess: (lines) => this.succeeded(lines),
      writeFailed: (error, lines, attempt, expires) => this.failed(error, lines, attempt, expires),
    });
  }

  /** Queues lines; resolves once the writer can take more. */
  async write(lines: readonly string[]): Promise<void> {
    this.api.writeRecords(lines as string[]);
    await this.client.transport.below(this.opts.maxInFlight);
  }

  /** Flushes everything; resolves with the figures, never throws (failures are in the stats). */
  async close(): Promise<WriterStats> {
    try {
      await this.api.close();
    } catch (err) {
      const message = toInfluxError(err, 'write').message;
      if (!this.stats.errors.includes(message)) this.stats.errors.push(message);
    }
    return this.stats;
  }

  private succeeded(lines: string[]): void {
    this.stats.batches++;
    this.stats.points += lines.length;
    for (const l of lines) this.stats.bytes += l.length + 1;
  }

  /** Returning undefined keeps the package's retry policy (network errors and 429/5xx retried until the deadline). */
  private failed(error: Error, lines: string[], _attempt: number, expires: number): Promise<void> | void {
    const status = (error as { statusCode?: number }).statusCode;
    const final = (status !== undefined && status < 429) || Date.now() >= expires;
    if (!final) return undefined;
    this.stats.failedPoints += lines.length;
    const message = toInfluxError(error, 'write').message;
    if (!this.stats.errors.includes(message)) this.stats.errors.push(message);
    return undefined;
  }
}
