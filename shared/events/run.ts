/**
 * @module events/run
 * One events run: read the export state → list events page by page → decode → skip the versions
 * already exported → encode → write, page by page (a page is released before the next is
 * requested) → record the versions written → the run's own figures.
 * Exit code 0 unless a write failed or the API server could not be listed to the end.
 */
import type { Logger } from '#shared/log';
import type { EventsConfig } from '#shared/events/events-settings';
import { readInfluxAuth } from '#shared/config/common';
import { asError } from '#shared/errors';
import { parseDurationMs } from '#shared/config/parsers';
import { loadKubeConfig } from '#shared/kube/config';
import { kubeProblem } from '#shared/kube/kube-errors';
import { EXIT_CONFIG } from '#shared/entry';
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { Writer, type WriterStats } from '#shared/influx/writer';
import { decodeEvent } from '#shared/events/event-record';
import { encodeEvent, pointTimeMs } from '#shared/events/encode';
import {
  encodeStateDelta,
  readExported,
  remember,
  wasExported,
  type Exported,
  type StateScope,
} from '#shared/events/export-state';
import { forEachEventPage } from '#shared/events/list';
import { encodeEventsRunStats, newEventsRunStats, type EventsRunStats } from '#shared/events/run-stats';

export interface EventsDeps {
  log: Logger;
  /** The run's time in ms (state window, state and run points); injectable so tests can place runs in time. Deadlines and durations use the real clock. */
  now?: () => number;
}

export interface EventsRunResult {
  exitCode: number;
  stats: EventsRunStats;
  /** The time of the run's `heapless_run` point: now, aligned down to the interval. */
  timeMs: number;
}

interface PageContext {
  config: EventsConfig;
  /** Versions exported by earlier runs (read from the state). */
  exported: Exported;
  /** Versions this run queued; becomes this run's state point. */
  wrote: Exported;
  writer: Writer;
  stats: EventsRunStats;
  /** Points before this epoch ms would be refused by the retention policy (InfluxDB answers 400 for the whole batch). */
  oldestMs: number;
  /** The first undecodable item's problem, logged once per run rather than once per item. */
  firstInvalid?: string;
}

export async function runEvents(config: EventsConfig, deps: EventsDeps): Promise<EventsRunResult> {
  const clockStart = Date.now();
  const started = (deps.now ?? Date.now)();
  const { log } = deps;
  const timeMs = Math.floor(started / config.interval) * config.interval;
  const stats = newEventsRunStats();
  routePackageLogs(log);

  const kc = loadKubeConfig(config.kubeconfig);
  const client = new InfluxClient({
    url: config.influxUrl,
    db: config.influxDb,
    auth: readInfluxAuth(config),
    timeoutMs: config.influxTimeout,
  });
  await client.ensureDatabase(config.influxRetention);
  const scope: StateScope = { schema: config.eventsSchema, clusterName: config.clusterName };
  const exported = await readExported(client, scope, started - config.eventsStateWindow);
  stats.remembered = exported.size;
  const deadlineMs = clockStart + (config.runDeadline ?? config.interval - 5_000);
  const writer = new Writer(client, { batchSize: config.influxBatchSize, maxInFlight: 2, deadlineMs });
  const ctx: PageContext = {
    config,
    exported,
    wrote: new Map(),
    writer,
    stats,
    oldestMs: oldestStorableMs(config.influxRetention),
  };

  let listError: Error | undefined;
  let operatorProblem: ReturnType<typeof kubeProblem>;
  try {
    await forEachEventPage(
      kc,
      { api: config.eventsApi, pageSize: config.pageSize, timeoutMs: config.apiTimeout },
      (items) => exportPage(ctx, items),
    );
  } catch (err) {
    listError = asError(err);
    stats.listFailed = true;
    // Credentials or an address only the operator can fix: a hint, and exit 2 (shared/entry.ts).
    operatorProblem = kubeProblem(err);
    if (operatorProblem) log.error(operatorProblem.event, { error: operatorProblem.error, hint: operatorProblem.hint });
    else log.error('list_failed', { error: listError, errorName: listError.name });
  }
  const written = await writer.close();
  stats.points = written.points;
  stats.bytes = written.bytes;
  // Lines InfluxDB rejected (isolated by bisecting) count as failed: their versions stay out of
  // the state, so the next run tries them again.
  stats.failedPoints = written.failedPoints + written.badPoints;
  if (ctx.firstInvalid) log.warn('events_invalid', { count: stats.invalid, first: ctx.firstInvalid });

  const writeFailed = stats.failedPoints > 0 || written.errors.length > 0;
  const tail = await writeTail(client, ctx, { scope, started, timeMs, deadlineMs, writeFailed, clockStart });
  const errors = [...written.errors, ...tail.errors];
  log.info('run', {
    runTime: new Date(timeMs).toISOString(),
    ...stats,
    ...(errors.length > 0 ? { writeErrors: errors } : {}),
  });
  if (operatorProblem) return { exitCode: EXIT_CONFIG, stats, timeMs };
  return { exitCode: errors.length > 0 || writeFailed || listError ? 1 : 0, stats, timeMs };
}

/** Counts each listed item and queues a line for every version not exported before. */
async function exportPage(ctx: PageContext, items: unknown[]): Promise<void> {
  const { config, stats } = ctx;
  stats.pages++;
  const lines: string[] = [];
  for (const item of items) {
    stats.listed++;
    const record = decodeEvent(config.eventsApi, item);
    if (typeof record === 'string') {
      stats.invalid++;
      ctx.firstInvalid ??= record;
      continue;
    }
    if (wasExported(ctx.exported, record.uid, record.count) || wasExported(ctx.wrote, record.uid, record.count)) {
      stats.known++;
      continue;
    }
    if (pointTimeMs(record) < ctx.oldestMs) {
      stats.expired++;
      continue;
    }
    lines.push(encodeEvent(record, config.eventsSchema, config.clusterName));
    remember(ctx.wrote, record.uid, record.count);
    stats.new++;
  }
  if (lines.length > 0) await ctx.writer.write(lines);
}

/**
 * InfluxDB drops points older than the retention policy's duration (by its own clock) and fails
 * the request, so such events (a node clock far behind, an API server keeping events longer than
 * INFLUX_RETENTION) are counted and skipped. One minute of margin covers the time to the write.
 */
function oldestStorableMs(retention: string): number {
  return retention === 'INF' ? -Infinity : Date.now() - parseDurationMs(retention) + 60_000;
}

interface TailOptions {
  scope: StateScope;
  started: number;
  timeMs: number;
  deadlineMs: number;
  writeFailed: boolean;
  /** Real-clock start, for the duration. */
  clockStart: number;
}

/**
 * The state point (only when every event point was acknowledged, so the state never names a
 * version InfluxDB lacks; a failed run's versions are simply written again next run) and the run
 * point. The state point takes the run's exact start time, so a repeated run in the same interval
 * adds its own point instead of replacing the first run's.
 */
async function writeTail(client: InfluxClient, ctx: PageContext, o: TailOptions): Promise<WriterStats> {
  const lines: string[] = [];
  if (!o.writeFailed && ctx.wrote.size > 0) lines.push(encodeStateDelta(ctx.wrote, o.scope, o.started));
  ctx.stats.durationMs = Date.now() - o.clockStart;
  lines.push(encodeEventsRunStats(ctx.stats, o.timeMs, ctx.config.clusterName));
  const writer = new Writer(client, {
    batchSize: lines.length,
    maxInFlight: 1,
    deadlineMs: Math.max(o.deadlineMs, Date.now() + 5_000),
  });
  await writer.write(lines);
  return writer.close();
}
