/**
 * @module collect/run-influx
 * A collect run's dealings with InfluxDB outside the per-node pipeline: the preparation (the
 * database, the spool's first replay, the previous counters), and the run's own `heapless_run`
 * point, written, spooled, or written alone when the listing failed.
 */
import type { Logger } from '#shared/log';
import type { CollectConfig } from '#shared/collect/settings';
import type { InfluxClient } from '#shared/influx/client';
import { Writer, type WriterStats } from '#shared/influx/writer';
import { readStates, type PackedState } from '#shared/influx/state-store';
import type { Spool } from '#shared/influx/spool';
import { type Replayer, replayUntil } from '#shared/influx/replay';
import { asError } from '#shared/errors';
import { encodeRunStats, type RunStats } from '#shared/collect/run-stats';
import type { Shard } from '#shared/collect/shard';
import { InfluxUnreachableError, influxProblem, noAnswer } from '#shared/influx/unreachable';

/**
 * How long the spool is replayed before the previous counters are read (ms): a tenth of the
 * deadline, at most 5 s. Counters an outage left in the spool then give rates; what is left is
 * replayed in the writer's idle slots, so the replay never holds scraping back for longer.
 */
export function replayFirstMs(runDeadlineMs: number): number {
  return Math.min(5_000, Math.round(runDeadlineMs / 10));
}

interface Prepare {
  log: Logger;
  stats: RunStats;
  replayer: Replayer | undefined;
  /** The replay before the counters are read stops here; the writer replays the rest. */
  replayUntilMs: number;
  since: number;
  before: number;
  buckets: number[] | undefined;
}

/**
 * Database, spool replay and previous counters. An unreachable InfluxDB does not stop a run with
 * a spool: it still scrapes, and what it cannot write goes to the spool (without previous
 * counters this run simply has no rates). Without one, nothing could be kept: the run ends.
 */
export async function prepareInflux(
  client: InfluxClient,
  config: CollectConfig,
  p: Prepare,
): Promise<Map<string, PackedState> | InfluxUnreachableError> {
  try {
    if (config.influxCreateDb) await client.ensureDatabase(config.influxRetention);
    if (p.replayer) await replayUntil(p.replayer, p.replayUntilMs);
    const t0 = performance.now();
    const prev = await readStates(client, p.since, p.before, p.buckets);
    p.stats.stateReadMs = Math.round(performance.now() - t0);
    return prev;
  } catch (err) {
    if (!p.replayer && noAnswer(err)) return reportedAtOnce(p.log, new InfluxUnreachableError(config.influxUrl, err));
    p.log.error('influx_unavailable', {
      error: asError(err),
      url: config.influxUrl,
      hint: p.replayer
        ? 'collecting anyway; points that cannot be written go to SPOOL_DIR'
        : 'collecting anyway; set SPOOL_DIR to keep points InfluxDB cannot take',
    });
    return new Map();
  }
}

function reportedAtOnce(log: Logger, err: InfluxUnreachableError): InfluxUnreachableError {
  const problem = influxProblem(err);
  if (problem) log.error(problem.event, { error: problem.error, hint: problem.hint });
  err.reported = true;
  return err;
}

export async function writeRunPoint(
  client: InfluxClient,
  line: string,
  deadlineMs: number,
  spool: Spool | undefined,
): Promise<WriterStats> {
  const w = new Writer(client, { batchSize: 1, maxInFlight: 1, deadlineMs, ...(spool ? { spool } : {}) });
  await w.write([line]);
  return w.close();
}

export function spoolRunPoint(spool: Spool, line: string): WriterStats {
  const stats: WriterStats = {
    points: 0,
    bytes: 0,
    batches: 0,
    failedPoints: 0,
    spooledPoints: 1,
    overflowPoints: 0,
    waitedMs: 0,
    badPoints: 0,
    badLines: [],
    errors: [],
  };
  try {
    spool.add(line, 1);
  } catch (err) {
    stats.spooledPoints = 0;
    stats.failedPoints = 1;
    stats.errors.push(`spool: cannot keep the run's own point: ${asError(err).message}`);
  }
  return stats;
}

/**
 * A failed listing ends the run before any point but the run's own, written with
 * `list_failed=1` so that a dashboard or alert sees the run; then the error goes on to the entry
 * point, which logs it once with its hint and sets the exit code.
 */
export async function listFailed(
  client: InfluxClient,
  config: CollectConfig,
  run: { stats: RunStats; timeMs: number; shard: Shard; startedMono: number; spool: Spool | undefined },
  err: unknown,
): Promise<never> {
  const { stats, shard } = run;
  stats.listFailed = true;
  stats.durationMs = Math.round(performance.now() - run.startedMono);
  stats.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const tags: Record<string, string> = shard.count > 1 ? { shard: String(shard.index) } : {};
  const line = encodeRunStats('collect', stats, run.timeMs, config.clusterName, tags);
  await writeRunPoint(client, line, Date.now() + 1_000, run.spool).catch(() => undefined);
  throw err;
}
