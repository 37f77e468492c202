/**
 * @module influx/replay
 * Replays the spool into InfluxDB, oldest body first, deleting each once stored. Stops at the
 * first body InfluxDB cannot take for a reason other than bad lines, leaving it and the newer
 * ones for the next run. Bad lines are isolated by bisecting and reported.
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
}

export async function replaySpool(client: InfluxClient, spool: Spool, deadlineMs: number): Promise<ReplayFigures> {
  const out: ReplayFigures = { replayedPoints: 0, badPoints: 0, remaining: 0 };
  const entries = spool.entries();
  for (const [i, e] of entries.entries()) {
    if (Date.now() >= deadlineMs) {
      out.remaining = entries.length - i;
      break;
    }
    const body = spool.read(e);
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
