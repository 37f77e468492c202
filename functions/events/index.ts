/**
 * The events function (Heapster's eventer as a scheduled function): one run, then exit. Run by a
 * CronJob or a Knative PingSource on the collector's schedule; there is no long-lived watch.
 * Overlapping runs write no duplicates (concurrencyPolicy: Forbid only saves work). Exit code:
 * 0 ok, 1 a write failed or the API server could not be listed, 2 bad configuration.
 */
import { eventsSettings, readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { helpText } from '#shared/config/settings';
import { ConfigError, asError } from '#shared/errors';
import { createLogger } from '#shared/log';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText('heapless events: export the Kubernetes events changed since the last run to InfluxDB, in Heapster’s eventer schema', eventsSettings) + '\n');
    return 0;
  }
  let config;
  try {
    config = readEventsConfig(process.env, argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger({ fn: 'events' }).error('config_invalid', { problems: err.problems, hint: 'see --help' });
    return 2;
  }
  const log = createLogger({ fn: 'events', level: config.logLevel, secrets: [config.influxPassword, config.influxToken] });
  try {
    return (await runEvents(config, { log })).exitCode;
  } catch (err) {
    log.error('run_failed', { error: asError(err), errorName: asError(err).name });
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
