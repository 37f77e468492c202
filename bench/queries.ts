/**
 * @module bench/queries
 * Query-side timings against the collected data (filled in when the query service lands).
 */
export async function measureQueries(_influxUrl: string, _db: string): Promise<Record<string, number> | undefined> {
  return undefined;
}
