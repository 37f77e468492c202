/**
 * The collect function: one run, then exit. Run by a CronJob (or a Knative PingSource) each
 * interval. Exit code: 0 ok, 1 the write failed or every node failed, 2 bad configuration.
 */
import { collectSettings, readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { helpText } from '#shared/config/settings';
import { ConfigError, asError } from '#shared/errors';
import { createLogger } from '#shared/log';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(helpText('heapless collect: scrape every kubelet once and write Heapster’s metrics to InfluxDB', collectSettings) + '\n');
    return 0;
  }
  let config;
  try {
    config = readCollectConfig(process.env, argv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger({ fn: 'collect' }).error('config_invalid', { problems: err.problems, hint: 'see --help' });
    return 2;
  }
  const log = createLogger({ fn: 'collect', level: config.logLevel, secrets: [config.influxPassword, config.influxToken] });
  try {
    return (await runCollect(config, { log })).exitCode;
  } catch (err) {
    log.error('run_failed', { error: asError(err), errorName: asError(err).name });
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
