/**
 * The rollup function: one run, then exit. Run by a CronJob (every 5 minutes by default) beside
 * the collector; it rolls the raw points up into coarser, longer-kept levels (5-minute means and
 * maxima for 30 days, hourly for 400 days) so months of history cost little. Progress lives in
 * InfluxDB. Exit code: 0 ok, 1 a statement failed (the next run redoes it), 2 bad configuration.
 */
import { readRollupConfig, rollupSettings } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';
import { runOnce } from '#shared/entry';

runOnce(
  {
    fn: 'rollup',
    title:
      'heapless rollup: downsample the raw metrics into longer-kept retention policies (mean, max, last per window)',
    settings: rollupSettings,
    read: readRollupConfig,
    logLevel: (c) => c.logLevel,
    secrets: (c) => [c.influxPassword, c.influxToken],
  },
  (config, log) => runRollup(config, { log }),
);
