/**
 * @module start/targets
 * Which cluster and InfluxDB `npm start` works on. By default the embedded demo (the simulator
 * and a local influxd), whatever KUBECONFIG and INFLUX_URL say: most Kubernetes users have
 * KUBECONFIG exported, and a demo must not need it unset. A real cluster is an explicit choice,
 * `npm start -- --real-cluster`, and then needs both; one missing is an error the user must hear
 * about (falling back to the simulator would hide it).
 */
import { ConfigError } from '#shared/errors';

/** The flag that points `npm start` at KUBECONFIG's cluster and INFLUX_URL's InfluxDB. */
export const REAL_CLUSTER_FLAG = '--real-cluster';

export interface ExternalTargets {
  kubeconfig: string;
  influxUrl: string;
}

/** undefined = embedded. @throws ConfigError naming an unknown argument or what is missing. */
export function externalTargets(env: NodeJS.ProcessEnv, argv: readonly string[]): ExternalTargets | undefined {
  const unknown = argv.filter((a) => a !== REAL_CLUSTER_FLAG);
  if (unknown.length > 0)
    throw new ConfigError([
      `unknown argument ${unknown.join(' ')}: npm start takes only ${REAL_CLUSTER_FLAG} (npm start -- ${REAL_CLUSTER_FLAG})`,
    ]);
  if (!argv.includes(REAL_CLUSTER_FLAG)) return undefined;
  const kubeconfig = env['KUBECONFIG']?.trim() ?? '';
  const influxUrl = env['INFLUX_URL']?.trim() ?? '';
  const missing = [
    ...(kubeconfig ? [] : ['KUBECONFIG is not set: set it to the kubeconfig of the cluster to collect']),
    ...(influxUrl ? [] : ['INFLUX_URL is not set: set it to the InfluxDB to write to']),
  ];
  if (missing.length > 0)
    throw new ConfigError(
      missing.map((m) => `${REAL_CLUSTER_FLAG}: ${m}, or leave out ${REAL_CLUSTER_FLAG} for the simulated cluster`),
    );
  return { kubeconfig, influxUrl };
}

/**
 * The environment the demo's functions get: without the user's own targets (KUBECONFIG, any
 * INFLUX_* setting), which belong to their real cluster, not to the simulator and local influxd.
 */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'KUBECONFIG' && !k.startsWith('INFLUX_')));
}
