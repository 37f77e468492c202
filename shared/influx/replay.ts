/**
 * @module influx/replay
 * Replays the spool into InfluxDB, oldest body first, deleting each once stored. Stops at the
 * first body InfluxDB cannot take for a reason other than bad lines, leaving it and the newer
 * ones for later. Bad lines are isolated by bisecting and reported; lines a bisection could not
 * settle (InfluxDB overloaded meanwhile) stay in the spool.
 *
 * A run replays in two places: first, for a bounded time before it reads the previous counters
 * (`replaySpool`), so that counters an outage left in the spool give rates; then in the writer's
 * idle request slots while and after it scrapes (influx/writer.ts), which also replays the bodies
 * the run itself had to divert to the spool. Scraping never waits for either.
 *
 * Another run may share the spool and replay the same bodies: a body it removed meanwhile is
 * skipped (writing it twice would only overwrite). A spool the file system will not let us read
 * ends the replay with `error` set, never the run: it is not InfluxDB being unavailable.
 */
import { gunzipSync } from 'node:zlib';
import type { InfluxClient } from '#shared/influx/client';
import type { Spool, SpoolEntry } from '#shared/influx/spool';
import { bisect } from '#shared/influx/bisect';
import { splitLines } from '#shared/influx/lines';

export interface ReplayFigures {
  /** Points of earlier runs stored. */
  replayedPoints: number;
  /** Points this run sent to the spool itself (`add`) and then stored. */
  ownPoints: number;
  ownBytes: number;
  badPoints: number;
  /** Bodies still spooled after this replay. */
  remaining: number;
  /** Points in those bodies. */
  remainingPoints: number;
  /** Bodies another run replayed and removed while this one went through the list. */
  vanished: number;
  /** Why the spool could not be read, when it could not. */
  error?: string;
}

/** The spool's bodies, oldest first, replayed one at a time; bodies spooled later join the end. */
export class Replayer {
  private readonly entries: SpoolEntry[] = [];
  /** Set once InfluxDB refused or could not be reached: the rest waits for the next run. */
  private halted = false;
  private readonly counts = { replayedPoints: 0, ownPoints: 0, ownBytes: 0, badPoints: 0, vanished: 0 };
  /** Names of the bodies this run spooled itself. */
  private readonly own = new Set<string>();
  private error: string | undefined;

  constructor(
    private readonly client: InfluxClient,
    readonly spool: Spool,
  ) {
    try {
      this.entries.push(...spool.entries());
    } catch (err) {
      this.fail(err);
    }
  }

  /** True while there is a body to replay and nothing has told the replay to stop. */
  get pending(): boolean {
    return !this.halted && this.entries.length > 0;
  }

  /** A body spooled after the list was read (the run's own overflow). */
  add(e: SpoolEntry): void {
    this.own.add(e.name);
    this.entries.push(e);
  }

  /** Bodies this run spooled itself that are still waiting. */
  get ownRemaining(): number {
    return this.entries.filter((e) => this.own.has(e.name)).length;
  }

  get figures(): ReplayFigures {
    return {
      ...this.counts,
      remaining: this.entries.length,
      remainingPoints: this.entries.reduce((sum, e) => sum + e.lines, 0),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /**
   * Replays the oldest body. An abort (the run's deadline) or an InfluxDB that cannot take it
   * leaves the body in the spool and halts the replay; never throws.
   */
  async one(signal: AbortSignal): Promise<void> {
    if (this.halted) return;
    const e = this.entries.shift();
    if (!e) return;
    let body: Buffer | undefined;
    try {
      body = this.spool.readBytes(e);
    } catch (err) {
      this.entries.unshift(e);
      return this.fail(err);
    }
    if (body === undefined) {
      this.counts.vanished++;
      return;
    }
    const status = await this.client.write(body, signal, undefined, e.gzip ? 'gzip' : undefined).then(
      (a) => a.status,
      () => undefined,
    );
    if (status === 400 || status === 413) return this.salvage(e, body, signal);
    if (status === undefined || status >= 300) {
      this.entries.unshift(e);
      // Cut by the caller's own time limit, the body simply waits for the next slot or run.
      if (!signal.aborted) this.halted = true;
      return;
    }
    this.count(e, e.lines);
    this.spool.remove(e);
  }

  private count(e: SpoolEntry, stored: number): void {
    if (!this.own.has(e.name)) {
      this.counts.replayedPoints += stored;
      return;
    }
    this.counts.ownPoints += stored;
    // As the writer counts a body's bytes: with the newline that ends it.
    if (stored === e.lines) this.counts.ownBytes += (e.rawBytes ?? e.bytes) + 1;
  }

  /** Stores a rejected body's good lines; the lines InfluxDB did not settle stay spooled. */
  private async salvage(e: SpoolEntry, body: Buffer, signal: AbortSignal): Promise<void> {
    const post = async (part: string): Promise<number> => (await this.client.write(part, signal)).status;
    let text: string;
    try {
      text = (e.gzip ? gunzipSync(body) : body).toString('utf8');
    } catch (err) {
      // A file no gzip can read (changed on disk by something else): nothing in it can be stored.
      this.counts.badPoints += e.lines;
      this.error = `spool ${this.spool.dir}: ${e.name} is not gzip (${(err as Error).message}); its ${e.lines} points were dropped`;
      return this.spool.remove(e);
    }
    const r = await bisect(splitLines(text), post).catch(() => undefined);
    if (!r) {
      this.entries.unshift(e);
      this.halted = true;
      return;
    }
    this.count(e, r.stored);
    this.counts.badPoints += r.bad.length;
    if (r.unresolved.length === 0) return this.spool.remove(e);
    this.halted = true;
    try {
      const rest = this.spool.replace(e, r.unresolved.join('\n'), r.unresolved.length);
      if (this.own.has(e.name)) this.own.add(rest.name);
      this.entries.unshift(rest);
    } catch (err) {
      // The whole body stays: replaying it again only overwrites what was stored.
      this.entries.unshift(e);
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.halted = true;
    this.error = `spool ${this.spool.dir}: ${(err as Error).message}`;
  }
}

/** Replays oldest first until the spool is empty, InfluxDB stops taking bodies, or `deadlineMs`. */
export async function replaySpool(client: InfluxClient, spool: Spool, deadlineMs: number): Promise<ReplayFigures> {
  const replayer = new Replayer(client, spool);
  await replayUntil(replayer, deadlineMs);
  return replayer.figures;
}

/** Replays with `replayer` until it has nothing left, halts, or `deadlineMs` passes (the body in flight is then cut). */
export async function replayUntil(replayer: Replayer, deadlineMs: number): Promise<void> {
  const signal = AbortSignal.timeout(Math.max(0, deadlineMs - Date.now()));
  while (replayer.pending && Date.now() < deadlineMs && !signal.aborted) await replayer.one(signal);
}
