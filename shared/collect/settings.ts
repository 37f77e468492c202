/**
 * @module collect/settings
 * Every setting of the collect function (env var or flag; `--help` lists them).
 */
import { influxSettings, kubeSettings, logSettings, runSettings } from '#shared/config/common';
import { bool, csvOf, duration, int, oneOf, optional, str } from '#shared/config/parsers';
import { readSettings, setting, type SettingsOf } from '#shared/config/settings';
import { ADDRESS_TYPES } from '#shared/kube/kubelet-target';
import { ConfigError } from '#shared/errors';

export const collectSettings = {
  ...influxSettings,
  ...kubeSettings,
  ...logSettings,
  ...runSettings,
  kubeletAccess: setting({
    env: 'KUBELET_ACCESS',
    help: 'direct (HTTPS to each kubelet, needs nodes/stats) or apiserver-proxy (through the API server, needs nodes/proxy)',
    default: 'direct',
    parse: oneOf(['direct', 'apiserver-proxy'] as const),
  }),
  kubeletAddressTypes: setting({
    env: 'KUBELET_ADDRESS_TYPES',
    help: 'node address types to try, in order',
    default: ADDRESS_TYPES.join(','),
    parse: csvOf(ADDRESS_TYPES),
  }),
  kubeletPort: setting({
    env: 'KUBELET_PORT',
    help: "kubelet port for every node (default: each node's status.daemonEndpoints port)",
    default: '',
    parse: optional(int(1, 65535)),
  }),
  kubeletCaFile: setting({
    env: 'KUBELET_CA_FILE',
    help: "CA bundle that signs the kubelets' serving certificates (default: the service-account CA, or the kubeconfig's CA)",
    default: '',
    parse: optional((s) => s),
  }),
  kubeletInsecureTls: setting({
    env: 'KUBELET_INSECURE_TLS',
    help:
      'skip kubelet certificate verification with KUBELET_ACCESS=direct (logged as a warning on every run); ' +
      'refused with apiserver-proxy, where the API server is always verified',
    default: 'false',
    parse: bool,
  }),
  kubeletTimeout: setting({
    env: 'KUBELET_TIMEOUT',
    help: 'deadline for one kubelet answer, body included',
    default: '10s',
    parse: duration(100, 300_000),
  }),
  kubeletConcurrency: setting({
    env: 'KUBELET_CONCURRENCY',
    help: 'kubelets scraped at once; memory grows with this, not with cluster size',
    default: '8',
    parse: int(1, 1024),
  }),
  kubeletMaxBodyBytes: setting({
    env: 'KUBELET_MAX_BODY_BYTES',
    help:
      'largest summary accepted from one kubelet, in bytes (default: derived from the heap limit and ' +
      'KUBELET_CONCURRENCY, so that no payload under it can exhaust the heap); a larger one fails its node alone ' +
      'as body_too_large',
    default: '',
    parse: optional(int(1024)),
  }),
  rateMaxGap: setting({
    env: 'RATE_MAX_GAP',
    help: 'longest gap between two counter readings that still gives a rate (default: 1.5 × INTERVAL, so a missed run gives no rate)',
    default: '',
    parse: optional(duration(1_000)),
  }),
  influxSchema: setting({
    env: 'INFLUX_SCHEMA',
    help: 'heapster (one measurement per metric, field value) or withfields (measurement per prefix, field per metric)',
    default: 'heapster',
    parse: oneOf(['heapster', 'withfields'] as const),
  }),
  influxBatchSize: setting({
    env: 'INFLUX_BATCH_SIZE',
    help: 'lines per write request',
    default: '5000',
    parse: int(1, 100_000),
  }),
  spoolDir: setting({
    env: 'SPOOL_DIR',
    help:
      'folder (a PersistentVolume) for points InfluxDB did not take before the deadline; replayed oldest first ' +
      'by the next run (unset: such points are lost, and counted)',
    default: '',
    parse: optional(str),
  }),
  spoolMaxBytes: setting({
    env: 'SPOOL_MAX_BYTES',
    help: 'size cap of the spool; the oldest points are dropped (and counted) beyond it',
    default: String(512 * 1024 * 1024),
    parse: int(1024),
  }),
  shardIndex: setting({
    env: 'SHARD_INDEX',
    help: 'this run’s shard, 0-based (default: JOB_COMPLETION_INDEX of an Indexed Job, else 0)',
    default: '0',
    parse: int(0, 1023),
  }),
  shardCount: setting({
    env: 'SHARD_COUNT',
    help: 'number of shards the nodes are split over by a hash of their name',
    default: '1',
    parse: int(1, 1024),
  }),
  influxConcurrency: setting({
    env: 'INFLUX_CONCURRENCY',
    help: 'write requests in flight at once; the writer waits beyond this (backpressure)',
    default: '2',
    parse: int(1, 32),
  }),
  runDeadline: setting({
    env: 'RUN_DEADLINE',
    help:
      'the whole run (listing, scraping, writing) ends within this; scraping stops a fifth of it (0.5-5 s) ' +
      'earlier, and what is not written by then is spooled (default: INTERVAL − 5s)',
    default: '',
    parse: optional(duration(1_000)),
  }),
  termGrace: setting({
    env: 'TERM_GRACE',
    help:
      'on SIGTERM: scraping stops at once, and scraped points are written for this long before the rest is ' +
      'spooled; keep it well under the pod’s terminationGracePeriodSeconds',
    default: '5s',
    parse: duration(0, 60_000),
  }),
};

export type CollectConfig = SettingsOf<typeof collectSettings>;

export function readCollectConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): CollectConfig {
  // An Indexed Job tells each pod its index in JOB_COMPLETION_INDEX.
  const withIndex =
    env['SHARD_INDEX'] === undefined && env['JOB_COMPLETION_INDEX'] !== undefined
      ? { ...env, SHARD_INDEX: env['JOB_COMPLETION_INDEX'] }
      : env;
  const config = readSettings(collectSettings, withIndex, argv);
  if (config.kubeletInsecureTls && config.kubeletAccess === 'apiserver-proxy')
    throw new ConfigError([
      'KUBELET_INSECURE_TLS=true with KUBELET_ACCESS=apiserver-proxy: the API server, which then reaches the ' +
        'kubelets, is always verified; unset KUBELET_INSECURE_TLS',
    ]);
  if (config.shardIndex >= config.shardCount)
    throw new ConfigError([`SHARD_INDEX ${config.shardIndex} must be below SHARD_COUNT ${config.shardCount}`]);
  return config;
}
