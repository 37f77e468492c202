/**
 * @module influx/unreachable
 * No InfluxDB answered at INFLUX_URL (refused, no such host, no route, timed out): the
 * operator's to fix, like an API server that cannot be reached. A collector with no SPOOL_DIR
 * stops at once with one line and a hint (exit 2): every point it scraped would be lost anyway.
 * Events and the rollup end the same way when InfluxDB cannot be reached (shared/entry.ts).
 */
import { InfluxError } from '#shared/errors';
import type { OperatorProblem } from '#shared/kube/kube-errors';

/** Socket errors that mean nothing answered (an HTTP error status is an answer, not this). */
const NO_ANSWER = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

export class InfluxUnreachableError extends Error {
  /** Its line is already logged (at once, while the run waited for its listing): not again. */
  reported = false;

  constructor(
    readonly url: string,
    cause: InfluxError,
  ) {
    super(`InfluxDB at ${url} cannot be reached: ${cause.message}`, { cause });
    this.name = 'InfluxUnreachableError';
  }
}

/** True when InfluxDB gave no answer at all (see NO_ANSWER). */
export function noAnswer(err: unknown): err is InfluxError {
  return err instanceof InfluxError && err.socketCode !== undefined && NO_ANSWER.has(err.socketCode);
}

/**
 * The line an operator reads when no InfluxDB answered (a collector stopped for it, or a bare
 * InfluxError from events or the rollup), or undefined for anything else.
 */
export function influxProblem(err: unknown): OperatorProblem | undefined {
  if (!(err instanceof InfluxUnreachableError) && !noAnswer(err)) return undefined;
  const hint = 'check INFLUX_URL (--influx-url) and that InfluxDB is running and reachable from here';
  return {
    event: 'influx_unavailable',
    error: err.message,
    hint:
      err instanceof InfluxUnreachableError
        ? `${hint}; nothing was collected: set SPOOL_DIR to keep collecting through an InfluxDB outage`
        : hint,
  };
}
