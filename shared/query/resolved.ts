/**
 * @module query/resolved
 * Runs a time-ranged statement at the resolution its range calls for (query/resolution). Where
 * the chosen rollup level has no retention policy yet (the rollup never ran, or is not deployed),
 * the raw points answer instead, as before rollups existed: bounded by QUERY_MAX_POINTS as ever.
 */
import type { Context } from 'hono';
import type { QueryResult } from '#shared/influx/client';
import type { ObjectType } from '#shared/model';
import { InfluxError } from '#shared/errors';
import { runStatement, type QueryDeps } from '#shared/query/deps';
import { resolveScope } from '#shared/query/resolution';
import type { Scope } from '#shared/query/where';

export async function runResolved(
  c: Context,
  deps: QueryDeps,
  scope: Scope,
  /** The object type the statement reads (its `type` tag). */
  type: ObjectType,
  statement: (s: Scope) => string,
): Promise<QueryResult | undefined> {
  const resolved = resolveScope(scope, type, deps.now(), deps.settings);
  try {
    return await runStatement(c, deps, statement(resolved));
  } catch (err) {
    const missingPolicy = err instanceof InfluxError && /retention policy not found/.test(err.message);
    if (resolved.rp === undefined || !missingPolicy) throw err;
    return runStatement(c, deps, statement(scope));
  }
}
