/**
 * @module query/bounds
 * What one request may cost. Range × series ÷ step decides how many points a model-API or
 * scraper-API answer holds (a 100-pod list over 7 days of 1-minute data is a million points,
 * 50 MB of JSON and most of a 512Mi pod while it is built). Every such statement asks InfluxDB
 * for at most QUERY_MAX_POINTS + 1 rows (so neither InfluxDB's answer nor ours grows past the
 * bound, whatever the data's real step), and an answer that reaches the bound is a 400 naming
 * the limit, never a truncated series.
 */
import type { QueryResult } from '#shared/influx/client';
import { ParamError } from '#shared/query/errors';

/** The statement, limited to one row more than the answer may hold. */
export function limitPoints(statement: string, maxPoints: number): string {
  return `${statement} LIMIT ${maxPoints + 1}`;
}

/**
 * @throws ParamError naming `param` when the result holds more than `maxPoints` rows
 */
export function checkPoints(result: QueryResult | undefined, maxPoints: number, param: string, narrow: string): void {
  const rows = (result?.series ?? []).reduce((n, s) => n + s.values.length, 0);
  if (rows > maxPoints)
    throw new ParamError(
      param,
      `the answer would hold more than ${maxPoints} points (QUERY_MAX_POINTS; Heapster's model kept 15 minutes): ${narrow}`,
    );
}
