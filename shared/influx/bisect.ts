/**
 * @module influx/bisect
 * A 400 means some line of a body is bad. Writing is idempotent (same series and timestamp
 * overwrite), so the body is split in halves and re-sent until every good line is stored and the
 * bad lines are isolated, to be reported instead of silently losing their neighbours.
 *
 * Only a 400 (or 413) for a single line makes that line bad. Anything else while bisecting (a
 * 5xx, a 429, a network error, an auth error, the request budget running out) says nothing about
 * the lines: the part is retried a little, then it and every part not yet sent are handed back
 * as `unresolved`, for the caller to retry later (the spool) instead of reporting good lines as bad.
 */

/** Sends one body; resolves with the HTTP status (204 = stored). Throws only on transport errors. */
export type PostBody = (body: string) => Promise<number>;

export interface BisectResult {
  stored: number;
  /** Lines InfluxDB rejected on their own: they can never be stored. */
  bad: string[];
  /** Lines neither stored nor proven bad (InfluxDB overloaded or unreachable, budget spent). */
  unresolved: string[];
}

export interface BisectOptions {
  /** Requests per failed body, so one hopeless body cannot stall a run; the rest is unresolved. */
  maxRequests?: number;
  /** Waits (ms) before re-sending a part that got a 5xx, a 429 or a network error. */
  retryDelaysMs?: readonly number[];
}

/**
 * One metric whose field type conflicts on every object (22 lines scattered through 700) takes
 * about 250 requests to isolate; twice that leaves room and still bounds a hopeless body.
 */
const MAX_REQUESTS = 512;
const RETRY_DELAYS_MS = [250, 1_000];

/** 5xx, 429 and network errors pass; anything else (401, 403, 404) will not pass by waiting. */
function transient(status: number | 'network'): boolean {
  return status === 'network' || status === 429 || status >= 500;
}

export async function bisect(
  lines: readonly string[],
  post: PostBody,
  opts: BisectOptions = {},
): Promise<BisectResult> {
  const result: BisectResult = { stored: 0, bad: [], unresolved: [] };
  const delays = opts.retryDelaysMs ?? RETRY_DELAYS_MS;
  let budget = opts.maxRequests ?? MAX_REQUESTS;
  let halted = false;
  const send = async (part: readonly string[]): Promise<number | 'network' | 'budget'> => {
    for (let attempt = 0; ; attempt++) {
      if (budget-- <= 0) return 'budget';
      const status = await post(part.join('\n')).catch(() => 'network' as const);
      const delay = delays[attempt];
      if (!transient(status) || delay === undefined) return status;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  const visit = async (part: readonly string[]): Promise<void> => {
    if (part.length === 0) return;
    if (halted) {
      result.unresolved.push(...part);
      return;
    }
    const status = await send(part);
    if (typeof status === 'number' && status >= 200 && status < 300) {
      result.stored += part.length;
      return;
    }
    if (status !== 400 && status !== 413) {
      // Not an answer about the lines: keep this part and everything after it for later.
      halted = true;
      result.unresolved.push(...part);
      return;
    }
    // A single line InfluxDB refuses on its own (bad syntax, field type conflict, or larger than
    // its body limit) will be refused every time.
    if (part.length === 1) {
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
