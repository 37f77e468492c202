/**
 * The events function (Heapster's eventer as a scheduled function): one run, then exit. Run by a
 * CronJob or a Knative PingSource on the collector's schedule; there is no long-lived watch.
 * Overlapping runs write no duplicates (concurrencyPolicy: Forbid only saves work). Exit code:
 * 0 ok, 1 a write failed or the API server could not be listed, 2 bad configuration.
 */
import { eventsSettings, readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { runOnce } from '#shared/entry';

runOnce(
  {
    fn: 'events',
    title:
      'heapless events: export the Kubernetes events changed since the last run to InfluxDB, in Heapster’s eventer schema',
    settings: eventsSettings,
    read: readEventsConfig,
    logLevel: (c) => c.logLevel,
    secrets: (c) => [c.influxPassword, c.influxToken],
  },
  (config, log) => runEvents(config, { log }),
);
