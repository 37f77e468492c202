/**
 * @module query/model-points
 * What every model-API metric route shares, so objects and workloads answer alike: the range
 * (`start`, default `end` − MODEL_WINDOW; `end`, default now), the resolution chosen by range
 * (query/resolution), QUERY_MAX_POINTS (query/bounds), values rounded to their unit
 * (query/round) and Heapster's one-space-indented MetricResult.
 */
import type { Context } from 'hono';
import type { ObjectType } from '#shared/model';
import { checkPoints, limitPoints } from '#shared/query/bounds';
import type { QueryDeps } from '#shared/query/deps';
import { ParamError } from '#shared/query/errors';
import { foldMetric } from '#shared/query/model-query';
import { runResolved } from '#shared/query/resolved';
import { modelMetricName, timeParam } from '#shared/query/validate';
import type { Scope } from '#shared/query/where';

/** Heapster pretty-printed its JSON with a one-space indent (all but the pod list). */
export function pretty(c: Context, body: unknown): Response {
  return c.body(JSON.stringify(body, null, 1), 200, { 'content-type': 'application/json' });
}

/** Validated `metric` path segment(s), a trailing slash dropped, Heapster's aliases resolved. */
export function metricParam(c: Context): string {
  return modelMetricName('metric', c.req.param('metric')?.replace(/\/$/, ''));
}

/** The request's [start, end] (epoch ms, inclusive). */
export function rangeScope(c: Context, deps: QueryDeps): Scope {
  const endMs = timeParam('end', c.req.query('end'), deps.now());
  const startMs = timeParam('start', c.req.query('start'), endMs - deps.settings.modelWindow);
  if (startMs > endMs) throw new ParamError('start', 'expected a time before end');
  return { clusterName: deps.settings.clusterName, startMs, endMs };
}

/**
 * One object's points of `metric` as a MetricResult: read at the range's resolution, at most
 * QUERY_MAX_POINTS (else a 400 naming `start`).
 * @param type the object type the statement reads (decides whether a rollup level may answer)
 */
export async function metricPointsAnswer(
  c: Context,
  deps: QueryDeps,
  type: ObjectType,
  metric: string,
  statement: (s: Scope) => string,
): Promise<Response> {
  const max = deps.settings.queryMaxPoints;
  const result = await runResolved(c, deps, rangeScope(c, deps), type, (s) => limitPoints(statement(s), max));
  checkPoints(result, max, 'start', 'ask for a shorter range from start to end');
  return pretty(c, foldMetric(result, metric));
}
