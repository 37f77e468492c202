/**
 * @module start/banner
 * The few lines a person reads once everything is up (on stderr: stdout stays one JSON line per
 * event). Every command is ready to paste; the `ready` JSON line carries the same facts for scripts.
 */

export interface BannerFacts {
  pageUrl: string;
  influxUrl: string;
  influxDb: string;
  /** The simulator's kubeconfig; undefined on a real cluster. */
  kubeconfig?: string;
  /** What runs: `simulated cluster: 4 nodes, 12 pods` or `cluster from KUBECONFIG`. */
  cluster: string;
  tempDir: string;
  /** A line about the user's own KUBECONFIG, left alone by the demo. */
  note?: string;
}

const INFLUXQL =
  'SELECT mean(value) FROM "cpu/usage_rate" WHERE type =~ /^node$/ AND time > now() - 5m GROUP BY nodename';

export function banner(f: BannerFacts): string {
  const kubectl = f.kubeconfig
    ? `kubectl --kubeconfig ${f.kubeconfig} top pods -A`
    : 'kubectl top pods -A   (served by your cluster’s own metrics.k8s.io, not by this process)';
  const lines = [
    '',
    `heapless is running: ${f.cluster}, InfluxDB ${f.influxUrl} (database ${f.influxDb}),`,
    'collector and events export every 15 s, query service on loopback.',
    '',
    `  Page       ${f.pageUrl}/`,
    `  kubectl    ${kubectl}`,
    `  InfluxQL   curl -sG '${f.influxUrl}/query' --data-urlencode 'db=${f.influxDb}' \\`,
    `               --data-urlencode 'q=${INFLUXQL}'`,
    `  Model API  curl -s '${f.pageUrl}/api/v1/model/metrics/cpu/usage_rate'`,
    '',
    `Ctrl-C to stop (stops every process it started and removes ${f.tempDir}).`,
    ...(f.note ? [f.note] : []),
    '',
  ];
  return lines.join('\n');
}
