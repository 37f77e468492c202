/**
 * @module collect/run-report
 * What a collect run says when it ends: its one summary line (with the memory it ended at), the
 * warnings for bad or dropped points, the error line when the write failed, and the exit code.
 */
import type { Logger } from '#shared/log';
import type { CollectConfig } from '#shared/collect/settings';
import type { Writer, WriterStats } from '#shared/influx/writer';
import { nodesFailed, type RunStats } from '#shared/collect/run-stats';
import type { Shard } from '#shared/collect/shard';
import { logWriteFailed } from '#shared/collect/write-failed';

export function deadlineHint(spooling: boolean, writer: Writer): string {
  if (!spooling && writer.stats.waitedMs > 0)
    return `scraping waited ${writer.stats.waitedMs} ms for InfluxDB: set SPOOL_DIR so that it never waits, or give InfluxDB more CPU`;
  return 'RUN_DEADLINE left no time for these nodes: raise KUBELET_CONCURRENCY, lower KUBELET_TIMEOUT, or shard';
}

export interface Outcome {
  stats: RunStats;
  written: WriterStats;
  runWritten: WriterStats;
  timeMs: number;
  shard: Shard;
  terminated: boolean;
}

/** The run's log lines; the exit code: 1 when the write failed or every node failed. */
export function report(log: Logger, config: CollectConfig, o: Outcome): number {
  const { stats, written } = o;
  const errors = [...written.errors, ...o.runWritten.errors];
  if (written.badLines.length > 0)
    log.warn('bad_points', {
      count: written.badPoints,
      examples: written.badLines,
      hint: 'InfluxDB rejected these lines; the rest of their batches was stored',
    });
  if (stats.spoolDroppedPoints > 0)
    log.warn('spool_full', {
      droppedPoints: stats.spoolDroppedPoints,
      spoolDir: config.spoolDir,
      hint: 'InfluxDB has been unreachable for long: the oldest spooled points were dropped; raise SPOOL_MAX_BYTES or restore InfluxDB',
    });
  const writeFailed = written.failedPoints > 0 || written.spooledPoints > 0 || errors.length > 0;
  const lost = stats.spoolDroppedPoints > 0 || stats.nodesCut > 0;
  log.info('run', {
    runTime: new Date(o.timeMs).toISOString(),
    ...(o.shard.count > 1 ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
    ...(o.terminated ? { terminated: true } : {}),
    spool: config.spoolDir ? 'on' : 'off: scraping waits while InfluxDB is slow; set SPOOL_DIR so that it never does',
    ...summary(stats),
    ...(writeFailed ? { writeErrors: errors } : {}),
  });
  if (writeFailed) logWriteFailed(log, config, stats, errors);
  return writeFailed || lost || o.terminated || (stats.nodes > 0 && stats.nodesOk === 0) ? 1 : 0;
}

function summary(s: RunStats): Record<string, unknown> {
  return {
    nodes: s.nodes,
    nodesOk: s.nodesOk,
    nodesFailed: nodesFailed(s),
    nodesCut: s.nodesCut,
    failures: s.failures,
    points: s.points,
    bytes: s.bytes,
    failedPoints: s.failedPoints,
    spooledPoints: s.spooledPoints,
    overflowPoints: s.overflowPoints,
    replayedPoints: s.replayedPoints,
    spoolBacklogPoints: s.spoolBacklogPoints,
    influxWaitMs: s.influxWaitMs,
    spoolDroppedPoints: s.spoolDroppedPoints,
    badPoints: s.badPoints,
    listMs: s.listMs,
    stateReadMs: s.stateReadMs,
    maxPayloadsHeld: s.maxPayloadsHeld,
    peakRssMb: s.peakRssMb,
    durationMs: s.durationMs,
    ...memory(),
  };
}

/** Where memory is at the end of a run (MB), to tell live data from garbage and buffers. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round(b / 1048576);
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
}
