/**
 * @module influx/bisect
 * A 400 means some line of a body is bad. Writing is idempotent (same series and timestamp
 * overwrite), so the body is split in halves and re-sent until every good line is stored and the
 * bad lines are isolated, to be reported instead of silently losing their neighbours.
 */

/** Sends one body; resolves with the HTTP status (204 = stored). Throws only on transport errors. */
export type PostBody = (body: string) => Promise<number>;

export interface BisectResult {
  stored: number;
  bad: string[];
}

/** At most this many requests per failed body, so one hopeless body cannot stall a run. */
const MAX_REQUESTS = 256;

export async function bisect(lines: readonly string[], post: PostBody): Promise<BisectResult> {
  const result: BisectResult = { stored: 0, bad: [] };
  let budget = MAX_REQUESTS;
  const visit = async (part: readonly string[]): Promise<void> => {
    if (part.length === 0) return;
    if (budget-- <= 0) {
      result.bad.push(...part);
      return;
    }
    const status = await post(part.join('\n'));
    if (status >= 200 && status < 300) {
      result.stored += part.length;
      return;
    }
    if ((status !== 400 && status !== 413) || part.length === 1) {
      result.bad.push(...part);
      return;
    }
    const mid = Math.ceil(part.length / 2);
    await visit(part.slice(0, mid));
    await visit(part.slice(mid));
  };
  await visit(lines);
  return result;
}
