/**
 * @module influx/replay
 * Replays the spool into InfluxDB, oldest body first, deleting each once stored. Stops at the
 * first body InfluxDB cannot take for a reason other than bad lines, leaving it and the newer
 * ones for the next run. Bad lines are isolated by bisecting and reported; lines a bisection
 * could not settle (InfluxDB overloaded meanwhile) stay in the spool.
 *
 * Another run may share the spool and replay the same bodies: a body it removed meanwhile is
 * skipped (writing it twice would only overwrite). A spool the file system will not let us read
 * ends the replay with `error` set, never the run: it is not InfluxDB being unavailable.
 */
import type { InfluxClient } from '#shared/influx/client';
import type { Spool } from '#shared/influx/spool';
import { bisect } from '#shared/influx/bisect';
import { splitLines } from '#shared/influx/lines';

export interface ReplayFigures {
  replayedPoints: number;
  badPoints: number;
  /** Bodies still spooled after this replay. */
  remaining: number;
  /** Bodies another run replayed and removed while this one went through the list. */
  vanished: number;
  /** Why the spool could not be read, when it could not. */
  error?: string;
}

export async function replaySpool(client: InfluxClient, spool: Spool, deadlineMs: number): Promise<ReplayFigures> {
  const out: ReplayFigures = { replayedPoints: 0, badPoints: 0, remaining: 0, vanished: 0 };
  let entries: ReturnType<Spool['entries']>;
  try {
    entries = spool.entries();
  } catch (err) {
    out.error = `spool ${spool.dir}: ${(err as Error).message}`;
    return out;
  }
  for (const [i, e] of entries.entries()) {
    if (Date.now() >= deadlineMs) {
      out.remaining = entries.length - i;
      break;
    }
    let body: string | undefined;
    try {
      body = spool.read(e);
    } catch (err) {
      out.error = `spool ${spool.dir}: ${(err as Error).message}`;
      out.remaining = entries.length - i;
      break;
    }
    if (body === undefined) {
      out.vanished++;
      continue;
    }
    let status: number;
    try {
      status = await client.postBody(body);
    } catch {
      out.remaining = entries.length - i;
      break;
    }
    if (status === 400 || status === 413) {
      const r = await bisect(splitLines(body), (part) => client.postBody(part));
      out.replayedPoints += r.stored;
      out.badPoints += r.bad.length;
      if (r.unresolved.length > 0) {
        try {
          spool.replace(e, r.unresolved.join('\n'), r.unresolved.length);
        } catch (err) {
          // The whole body stays: replaying it again only overwrites what was stored.
          out.error = `spool ${spool.dir}: ${(err as Error).message}`;
        }
        out.remaining = entries.length - i;
        break;
      }
    } else if (status >= 300) {
      out.remaining = entries.length - i;
      break;
    } else {
      out.replayedPoints += e.lines;
    }
    spool.remove(e);
  }
  return out;
}
