/**
 * `npm start`: the whole system on the embedded default. A simulated cluster and a local influxd;
 * the collector, the rollup (1-minute and 5-minute levels) and the events export every 15 s (one
 * summary line per run each); the query service on a free loopback port, with the page at `/`,
 * and behind the simulated API server's aggregation layer so `kubectl top` works. Prints a banner once everything is up.
 * KUBECONFIG and INFLUX_URL in the environment are left alone (the demo uses its own);
 * `npm start -- --real-cluster` works on their cluster and InfluxDB instead, and exits 2 naming
 * the one missing. Ctrl-C stops every process and removes every temp file it made.
 */
import { ConfigError } from '#shared/errors';
import { createLogger } from '#shared/log';
import { banner } from '#test/start/banner';
import { startEmbedded } from '#test/start/embedded';
import { Lifecycle } from '#test/start/lifecycle';
import { startQuery } from '#test/start/query';
import { START_ROLLUP_ENV, startSchedule } from '#test/start/schedule';
import { demoEnv, externalTargets, REAL_CLUSTER_FLAG } from '#test/start/targets';

const log = createLogger({ fn: 'start' });
const EXIT_CONFIG = 2;

async function main(): Promise<void> {
  let external: ReturnType<typeof externalTargets>;
  try {
    external = externalTargets(process.env, process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error('config_invalid', { problems: err.problems });
    process.stderr.write(`npm start: ${err.problems.join('; ')}\n`);
    process.exit(EXIT_CONFIG);
  }
  const life = new Lifecycle(log);
  try {
    const local = external ? undefined : await startEmbedded(life);
    const env: Record<string, string | undefined> = {
      INTERVAL: '15s',
      ...START_ROLLUP_ENV,
      ...(local ? demoEnv(process.env) : process.env),
      ...local?.env,
    };
    const schedule = startSchedule(
      env,
      () => local?.tick(),
      () => life.stoppingNow,
    );
    life.onStop('schedule', () => schedule.stop());
    // Ctrl-C while the simulator or influxd was starting: start nothing more.
    if (life.stoppingNow) return;
    const query = await startQuery(life, env, local?.sim);
    await schedule.first;
    if (life.stoppingNow) return;
    const facts = {
      pageUrl: query.httpUrl,
      influxUrl: env['INFLUX_URL'] ?? '',
      influxDb: env['INFLUX_DB'] ?? 'k8s',
      cluster: local
        ? `simulated cluster: ${local.sim.nodes.length} nodes, ${local.sim.truth.nodes.reduce((s, n) => s + n.pods.length, 0)} generated pods`
        : `cluster from KUBECONFIG (${external?.kubeconfig})`,
      tempDir: life.root,
      ...(local ? { kubeconfig: local.sim.kubeconfigPath } : {}),
      ...(local && process.env['KUBECONFIG']
        ? {
            note: `Your KUBECONFIG is left alone; \`npm start -- ${REAL_CLUSTER_FLAG}\` collects its cluster into INFLUX_URL.`,
          }
        : {}),
    };
    log.info('ready', facts);
    process.stderr.write(banner(facts));
  } catch (error) {
    if (life.stoppingNow) return;
    log.error('start_failed', { error });
    await life.shutdown(1, 'start_failed');
  }
}

main().catch((error: unknown) => {
  log.error('start_failed', { error });
  process.exit(1);
});
