/**
 * @module influx/client
 * InfluxDB over its v1 HTTP API: InfluxQL on `/query`, line protocol on `/write` (through the
 * client package's WriteApi and V1Transport). Auth: Basic for 1.x users, `Token` for 2.x/3.x.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpError, InfluxDB, type SendOptions, setLogger, type Transport } from '@influxdata/influxdb-client';
import type { InfluxAuth } from '#shared/config/common';
import { InfluxError } from '#shared/errors';
import { V1Transport } from '#shared/influx/v1-transport';
import { ident } from '#shared/influx/influxql';

export interface InfluxClientOptions {
  url: string;
  db: string;
  auth: InfluxAuth;
  timeoutMs: number;
  /** Parallel connections; writes are capped at this many batches in flight. */
  maxSockets?: number;
}

export interface QuerySeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface QueryResult {
  series?: QuerySeries[];
  error?: string;
}

/** InfluxDB's answer to one `/write`. */
export interface WriteAnswer {
  status: number;
  /** From Retry-After (429/503), ms. */
  retryAfterMs?: number;
  /** The error text of a non-2xx answer (first 500 characters). */
  message?: string;
}

export class InfluxClient {
  readonly transport: V1Transport;
  readonly api: InfluxDB;
  /** The package's own transport, for queries: not counted as write batches in flight. */
  private readonly queries: Transport;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  constructor(readonly options: InfluxClientOptions) {
    const { auth } = options;
    const headers: Record<string, string> = {};
    if (auth.username)
      headers['authorization'] = 'Basic ' + Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64');
    // INFLUX_CA_FILE: a private CA, trusted instead of the system's (as KUBELET_CA_FILE is).
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 2, ...(auth.ca ? { ca: auth.ca } : {}) };
    const agent = options.url.startsWith('https:') ? new HttpsAgent(agentOptions) : new Agent(agentOptions);
    if (auth.token && !auth.username) headers['authorization'] = `Token ${auth.token}`;
    this.agent = agent;
    this.headers = headers;
    const inner = new InfluxDB({
      url: options.url,
      timeout: options.timeoutMs,
      headers: auth.username ? headers : {},
      transportOptions: { agent },
      ...(auth.token && !auth.username ? { token: auth.token } : {}),
    });
    this.queries = inner.transport;
    this.transport = new V1Transport(inner.transport);
    this.api = new InfluxDB({ url: options.url, transport: this.transport });
  }

  /** Runs InfluxQL statements; throws InfluxError naming the failed statement. `epoch=ms` times. */
  async query(q: string, opts: { db?: string | null } = {}): Promise<QueryResult[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    const db = opts.db === undefined ? this.options.db : opts.db;
    if (db) params.set('db', db);
    let body: unknown;
    try {
      body = await this.json('/query', params.toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    } catch (err) {
      throw toInfluxError(err, `query to ${this.options.url} failed`);
    }
    const results = ((body as { results?: QueryResult[] })?.results ?? []) as QueryResult[];
    const failed = results.find((r) => r.error);
    if (failed) throw new InfluxError(`InfluxQL error: ${failed.error}`);
    return results;
  }

  /**
   * The JSON answer of one request, its chunks joined once: the package's `request` joins each
   * chunk to all before it (Buffer.concat per chunk), quadratic in the answer's size: a rollup's
   * read of 140,000 right-sizing rows (~90 MB) spent minutes of CPU there.
   */
  private json(path: string, body: string, options: SendOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      this.queries.send(path, body, options, {
        next: (chunk) => {
          chunks.push(chunk);
        },
        error: reject,
        complete: () => {
          try {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve(text.length ? JSON.parse(text) : undefined);
          } catch (err) {
            reject(err);
          }
        },
      });
    });
  }

  /**
   * POSTs one line-protocol body (ms timestamps) to `/write`; resolves with the HTTP status.
   * Throws only when InfluxDB cannot be reached. Used where the WriteApi's batching is in the way:
   * bisecting a rejected body and replaying the spool. `rp`: a retention policy other than the
   * database's default (the rollup levels).
   */
  async postBody(body: string, rp?: string): Promise<number> {
    const params = new URLSearchParams({ db: this.options.db, precision: 'ms', ...(rp ? { rp } : {}) });
    const path = `/write?${params.toString()}`;
    try {
      await this.transport.request(path, body, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
      return 204;
    } catch (err) {
      if (err instanceof HttpError) return err.statusCode;
      throw toInfluxError(err, `write to ${this.options.url}`);
    }
  }

  /**
   * POSTs one line-protocol body (ms timestamps) to `/write` over node:http, with nothing between
   * the body and the socket: the Writer does its own batching, retries and accounting, and needs
   * to cancel a request (`signal`) at the run's deadline. Resolves with InfluxDB's answer; rejects
   * only when there is none (network error, timeout, abort). `encoding: 'gzip'`: the body is
   * gzipped (a spooled body, sent as it is kept).
   */
  write(body: string | Buffer, signal: AbortSignal, rp?: string, encoding?: 'gzip'): Promise<WriteAnswer> {
    const q = new URLSearchParams({ db: this.options.db, precision: 'ms' });
    if (rp) q.set('rp', rp);
    const url = new URL(`/write?${q.toString()}`, this.options.url);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
          headers: {
            ...this.headers,
            'content-type': 'text/plain; charset=utf-8',
            'content-length': Buffer.byteLength(body),
            ...(encoding ? { 'content-encoding': encoding } : {}),
          },
        },
        (res) => answer(res).then(resolve, reject),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** True when `/ping` answers 204. */
  async ping(): Promise<boolean> {
    try {
      await this.transport.request('/ping', '', { method: 'GET' });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Creates the database if missing, with a default retention policy `heapless` of `duration`
   * (so unqualified queries, like Heapster's dashboards, see the data). An existing policy of
   * that name is altered to the configured duration and made the default.
   */
  async ensureDatabase(duration: string): Promise<void> {
    const db = ident(this.options.db);
    const rp = ident('heapless');
    await this.query(`CREATE DATABASE ${db}`, { db: null });
    const [res] = await this.query(`SHOW RETENTION POLICIES ON ${db}`, { db: null });
    const rows = res?.series?.[0]?.values ?? [];
    const ours = rows.find((r) => r[0] === 'heapless');
    const want = duration === 'INF' ? 'INF' : duration;
    if (!ours)
      await this.query(`CREATE RETENTION POLICY ${rp} ON ${db} DURATION ${want} REPLICATION 1 DEFAULT`, { db: null });
    else if (!ours[4] || !sameDuration(String(ours[1]), want))
      await this.query(`ALTER RETENTION POLICY ${rp} ON ${db} DURATION ${want} DEFAULT`, { db: null });
  }
}

async function answer(res: IncomingMessage): Promise<WriteAnswer> {
  const status = res.statusCode ?? 0;
  if (status >= 200 && status < 300) {
    res.resume();
    await new Promise((r) => res.once('end', r));
    return { status };
  }
  let text = '';
  for await (const chunk of res) if (text.length < 500) text += String(chunk);
  const retryAfter = Number(res.headers['retry-after']);
  return {
    status,
    message: `HTTP ${status} ${text.trim().slice(0, 500)}`.trim(),
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

/** InfluxDB shows `168h0m0s` for `7d` and `0s` for INF. */
function sameDuration(shown: string, want: string): boolean {
  if (want === 'INF') return shown === '0s';
  const m = /^(\d+)([hdw])$/.exec(want);
  if (!m) return false;
  const hours = Number(m[1]) * ({ h: 1, d: 24, w: 168 }[m[2] as 'h' | 'd' | 'w'] ?? 1);
  return shown === `${hours}h0m0s`;
}

export function toInfluxError(err: unknown, what: string): InfluxError {
  if (err instanceof HttpError)
    return new InfluxError(`${what}: HTTP ${err.statusCode} ${err.body ?? err.message}`.trim(), err.statusCode);
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? (e?.name === 'RequestTimedOutError' ? 'ETIMEDOUT' : undefined);
  return new InfluxError(`${what}: ${e?.message ?? String(err)}${e?.code ? ` (${e.code})` : ''}`, undefined, code);
}

/**
 * The package logs every failed attempt to the console with stack traces. Its messages go to
 * our JSON log at debug level: the Writer settles every body itself and the run's line reports
 * what was written, spooled or lost.
 */
export function routePackageLogs(log: { debug(e: string, f?: Record<string, unknown>): void }): void {
  setLogger({
    error: (message, error) => log.debug('influx_client', { message, error }),
    warn: (message, error) => log.debug('influx_client', { message, error }),
  });
}
