/**
 * `npm start`: the main job on the embedded default. Starts the simulated cluster and a local
 * influxd, then runs the collector at once and every 15 s (croner), one summary line per run.
 * With KUBECONFIG and INFLUX_URL set, it collects that cluster into that InfluxDB instead.
 * Ctrl-C stops everything it started.
 */
import { Cron } from 'croner';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect } from '#shared/collect/run';
import { createLogger } from '#shared/log';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';

const log = createLogger({ fn: 'start' });

async function embedded(): Promise<{ env: Record<string, string>; sim: SimCluster; influx: InfluxdServer }> {
  const [sim, influx] = await Promise.all([
    startCluster({
      nodes: 3,
      podsPerNode: 4,
      fixtureNodes: ['summary_k8s-1.35.0_minikube-containerd_nri-kubernetes.json'],
    }),
    startInfluxd(),
  ]);
  log.info('embedded', {
    influxUrl: influx.url,
    apiServer: sim.apiUrl,
    kubeconfig: sim.kubeconfigPath,
    nodes: sim.nodes.map((n) => `${n.name}@${n.address}:${n.port}`),
  });
  return { env: { KUBECONFIG: sim.kubeconfigPath, KUBELET_CA_FILE: sim.caFile, INFLUX_URL: influx.url }, sim, influx };
}

async function main(): Promise<void> {
  const external = Boolean(process.env['KUBECONFIG'] && process.env['INFLUX_URL']);
  const local = external ? undefined : await embedded();
  const config = readCollectConfig({ INTERVAL: '15s', ...process.env, ...local?.env }, process.argv.slice(2));
  const collectLog = createLogger({
    fn: 'collect',
    level: config.logLevel,
    secrets: [config.influxPassword, config.influxToken],
  });
  const once = async (): Promise<void> => {
    // The simulated kubelets' counters follow the simulator's clock; keep it on the wall clock.
    local?.sim.clock.set(Date.now());
    try {
      await runCollect(config, { log: collectLog });
    } catch (err) {
      collectLog.error('run_failed', { error: err });
    }
  };
  const job = new Cron(`*/${Math.max(1, Math.round(config.interval / 1000))} * * * * *`, { protect: true }, once);
  await once();
  const stop = async (): Promise<void> => {
    job.stop();
    await Promise.all([local?.sim.stop(), local?.influx.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  log.error('start_failed', { error: err });
  process.exit(1);
});
