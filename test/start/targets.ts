/**
 * @module start/targets
 * Which cluster and InfluxDB `npm start` works on: both given (KUBECONFIG and INFLUX_URL), or
 * neither (the embedded simulator and a local influxd). One without the other is a mistake the
 * user must hear about; falling back to the simulator would hide it.
 */
import { ConfigError } from '#shared/errors';

export interface ExternalTargets {
  kubeconfig: string;
  influxUrl: string;
}

/** undefined = embedded. @throws ConfigError naming the missing variable. */
export function externalTargets(env: NodeJS.ProcessEnv): ExternalTargets | undefined {
  const kubeconfig = env['KUBECONFIG']?.trim() ?? '';
  const influxUrl = env['INFLUX_URL']?.trim() ?? '';
  if (kubeconfig && influxUrl) return { kubeconfig, influxUrl };
  if (kubeconfig)
    throw new ConfigError([
      'KUBECONFIG is set but INFLUX_URL is not: set INFLUX_URL to the InfluxDB to write to, or unset KUBECONFIG to run on the simulated cluster',
    ]);
  if (influxUrl)
    throw new ConfigError([
      'INFLUX_URL is set but KUBECONFIG is not: set KUBECONFIG to the cluster to collect, or unset INFLUX_URL to run on the simulated cluster',
    ]);
  return undefined;
}
