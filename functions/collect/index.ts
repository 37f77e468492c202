/**
 * The collect function: one run, then exit. Run by a CronJob (or a Knative PingSource) each
 * interval. Exit code: 0 ok, 1 the write failed or every node failed, 2 bad configuration.
 */
import { collectSettings, readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { runOnce } from '#shared/entry';

runOnce(
  {
    fn: 'collect',
    title: 'heapless collect: scrape every kubelet once and write Heapster’s metrics to InfluxDB',
    settings: collectSettings,
    read: readCollectConfig,
    logLevel: (c) => c.logLevel,
    secrets: (c) => [c.influxPassword, c.influxToken],
  },
  (config, log) => runCollect(config, { log }),
);
