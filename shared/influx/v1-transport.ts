/**
 * @module influx/v1-transport
 * Makes the client package's WriteApi speak InfluxDB's v1 HTTP API, which 1.x, 2.x (compat) and
 * 3.x all serve. WriteApi hard-codes `/api/v2/write?org=…&bucket=…&precision=…`; this Transport
 * rewrites that one path to `/write?db=…&rp=…&precision=…` and passes everything else through.
 * It also counts batches in flight, which the Writer uses for backpressure (the package has none).
 */
import type { CommunicationObserver, SendOptions, Transport } from '@influxdata/influxdb-client';

/** 1.x silently treats `precision=us` as ns; its microsecond spelling is `u`. */
const PRECISION_V1: Record<string, string> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

export function toV1WritePath(path: string): string {
  if (!path.startsWith('/api/v2/write?')) return path;
  const q = new URLSearchParams(path.slice('/api/v2/write?'.length));
  const [db, rp] = splitBucket(q.get('bucket') ?? '');
  const out = new URLSearchParams({ db });
  if (rp) out.set('rp', rp);
  const precision = q.get('precision');
  if (precision) out.set('precision', PRECISION_V1[precision] ?? precision);
  return `/write?${out.toString()}`;
}

/** A v2 bucket `db/rp` is the v1 database and retention policy. */
function splitBucket(bucket: string): [string, string | undefined] {
  const at = bucket.indexOf('/');
  return at < 0 ? [bucket, undefined] : [bucket.slice(0, at), bucket.slice(at + 1)];
}

export class V1Transport implements Transport {
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly inner: Transport) {}

  get chunkCombiner(): Transport['chunkCombiner'] {
    return this.inner.chunkCombiner;
  }

  /** Batches sent and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves when fewer than `max` batches are in flight. */
  async below(max: number): Promise<void> {
    while (this.inFlight >= max) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  send(path: string, body: string, options: SendOptions, callbacks?: Partial<CommunicationObserver<Uint8Array>>): void {
    this.inFlight++;
    const done = (): void => {
      this.inFlight--;
      this.waiters.splice(0).forEach((wake) => wake());
    };
    this.inner.send(toV1WritePath(path), body, options, {
      ...callbacks,
      error: (err) => {
        done();
        callbacks?.error?.(err);
      },
      complete: () => {
        done();
        callbacks?.complete?.();
      },
    });
  }

  request(
    path: string,
    body: unknown,
    options: SendOptions,
    responseStarted?: Parameters<Transport['request']>[3],
  ): Promise<unknown> {
    return this.inner.request(toV1WritePath(path), body, options, responseStarted);
  }

  iterate(path: string, body: unknown, options: SendOptions): AsyncIterableIterator<Uint8Array> {
    return this.inner.iterate(toV1WritePath(path), body, options);
  }
}
