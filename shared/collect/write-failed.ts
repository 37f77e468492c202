/**
 * @module collect/write-failed
 * A run whose points did not all reach InfluxDB ends on an error line, after its `run` summary,
 * so the last thing an operator reads says what was lost or spooled and what to do.
 */
import type { CollectConfig } from '#shared/collect/settings';
import type { RunStats } from '#shared/collect/run-stats';
import type { Logger } from '#shared/log';

export function logWriteFailed(log: Logger, config: CollectConfig, stats: RunStats, errors: string[]): void {
  log.error('write_failed', {
    url: config.influxUrl,
    failedPoints: stats.failedPoints,
    spooledPoints: stats.spooledPoints,
    badPoints: stats.badPoints,
    error: errors[0] ?? 'points were not written',
    hint:
      stats.spooledPoints > 0
        ? 'spooled points are replayed by the next run that reaches InfluxDB; check INFLUX_URL and InfluxDB'
        : 'check INFLUX_URL and InfluxDB (its log, disk, and the write errors above); set SPOOL_DIR to keep points through an outage',
  });
}
