/**
 * @module query/settings
 * Every setting of the query service (env var or flag; `--help` lists them). Only the InfluxDB
 * connection is shared with the collector; the service never creates or alters the database.
 */
import { influxSettings, kubeSettings, logSettings, runSettings } from '#shared/config/common';
import { bool, csvOf, duration, int, oneOf, optional, str } from '#shared/config/parsers';
import { parseArgv, readSettings, setting, type SettingsOf } from '#shared/config/settings';
import { ConfigError } from '#shared/errors';

import { type Level, parseLevels } from '#shared/rollup/levels';
import { OBJECT_TYPES } from '#shared/rollup/statements';

export const querySettings = {
  ...influxSettings,
  // Read here only to know how far back the raw points reach (query/resolution); never applied.
  influxRetention: setting({
    ...influxSettings.influxRetention,
    help: 'how long the collector keeps raw points (its INFLUX_RETENTION): older ranges are read from the rollups; 0 = forever',
  }),
  ...logSettings,
  interval: setting({
    ...runSettings.interval,
    help: 'the collector’s interval: the raw points’ spacing',
  }),
  rollupLevels: setting({
    env: 'ROLLUP_LEVELS',
    help: 'the rollup’s levels (its ROLLUP_LEVELS): the model and scraper APIs read heapless_<window> for ranges the raw points cannot answer',
    default: '5m:30d,1h:400d',
    parse: (raw: string): Level[] => parseLevels(raw),
  }),
  rollupTypes: setting({
    env: 'ROLLUP_TYPES',
    help: 'the object types the rollup keeps (its ROLLUP_TYPES): the others are always read from the raw points, whatever the range',
    default: OBJECT_TYPES.join(','),
    parse: csvOf(OBJECT_TYPES),
  }),
  queryPointsPerSeries: setting({
    env: 'QUERY_POINTS_PER_SERIES',
    help: 'model and scraper APIs: the finest resolution (raw, then each rollup level) that answers a range in at most this many points per series is read',
    default: '1000',
    parse: int(10, 1_000_000),
  }),
  clusterName: setting({
    ...kubeSettings.clusterName,
    help: 'only serve points whose cluster_name tag equals this (unset: every point, for one cluster per database)',
  }),
  queryPort: setting({
    env: 'QUERY_PORT',
    help: 'HTTPS port: metrics.k8s.io, the model and scraper APIs, health and /metrics',
    default: '8443',
    parse: int(1, 65535),
  }),
  httpPort: setting({
    env: 'HTTP_PORT',
    help:
      'plain-HTTP port for the model and Dashboard scraper APIs and health, for a Dashboard that only speaks ' +
      'HTTP; unset: none. It refuses every request carrying an Authorization header (400): credentials never ' +
      'travel in cleartext, so only MODEL_AUTH=none serves data there',
    default: '',
    parse: optional(int(1, 65535)),
  }),
  listenHost: setting({
    env: 'LISTEN_HOST',
    help: 'address the HTTPS port binds to (all interfaces: the Service and the aggregation layer reach it)',
    default: '0.0.0.0',
    parse: str,
  }),
  httpListenHost: setting({
    env: 'HTTP_LISTEN_HOST',
    help: 'address the plain-HTTP port binds to; loopback unless set (0.0.0.0 to let other pods reach it, behind a NetworkPolicy)',
    default: '127.0.0.1',
    parse: str,
  }),
  tlsCertFile: setting({
    env: 'TLS_CERT_FILE',
    help: 'PEM serving certificate (chain) of the HTTPS port; unset with TLS_KEY_FILE: a self-signed one is made at start',
    default: '',
    parse: optional(str),
  }),
  tlsKeyFile: setting({
    env: 'TLS_KEY_FILE',
    help: 'PEM private key of TLS_CERT_FILE',
    default: '',
    parse: optional(str),
  }),
  metricsWindow: setting({
    env: 'METRICS_WINDOW',
    help: 'fixed `window` of metrics.k8s.io answers (unset: the spacing of the object’s last two points, else INTERVAL)',
    default: '',
    parse: optional(duration(1_000, 86_400_000)),
  }),
  modelApi: setting({
    env: 'MODEL_API',
    help: 'serve Heapster’s model API under /api/v1/model',
    default: 'true',
    parse: bool,
  }),
  modelWindow: setting({
    env: 'MODEL_WINDOW',
    help: 'model API: default `start` is `end` minus this (Heapster kept 15 minutes in memory)',
    default: '15m',
    parse: duration(1_000),
  }),
  queryMaxPoints: setting({
    env: 'QUERY_MAX_POINTS',
    help: 'most points one model-API or scraper-API answer may hold (range × series ÷ INTERVAL); a request for more gets a 400 naming this limit',
    default: '50000',
    parse: int(100, 10_000_000),
  }),
  dashboardApi: setting({
    env: 'DASHBOARD_API',
    help: 'serve the Dashboard metrics-scraper API under /api/v1/dashboard',
    default: 'true',
    parse: bool,
  }),
  dashboardWindow: setting({
    env: 'DASHBOARD_WINDOW',
    help: 'history returned by the scraper API (the scraper’s --metric-duration)',
    default: '15m',
    parse: duration(1_000, 86_400_000),
  }),
  queryAuth: setting({
    env: 'QUERY_AUTH',
    help:
      'who may read metrics.k8s.io: `delegated` = as metrics-server (the aggregation layer’s front-proxy client ' +
      'certificate, or a bearer token a TokenReview accepts; then a SubjectAccessReview per request); `none` = ' +
      'anyone (warned at start)',
    default: 'delegated',
    parse: oneOf(['delegated', 'none'] as const),
  }),
  modelAuth: setting({
    env: 'MODEL_AUTH',
    help:
      'who may read the model and Dashboard scraper APIs: `delegated` = as QUERY_AUTH, or the ' +
      'QUERY_AUTH_TOKEN_FILE token; `token` = only that token (no Kubernetes API needed); `none` = anyone ' +
      '(warned at start; the Dashboard sends no credentials)',
    default: 'delegated',
    parse: oneOf(['delegated', 'token', 'none'] as const),
  }),
  queryAuthTokenFile: setting({
    env: 'QUERY_AUTH_TOKEN_FILE',
    help: 'file holding a static bearer token (a mounted Secret) for the model and scraper APIs; re-read when it changes',
    default: '',
    parse: optional(str),
  }),
  kubeconfig: setting({
    ...kubeSettings.kubeconfig,
    help: 'kubeconfig path for the delegated authentication calls, used when not running in a cluster',
  }),
  apiTimeout: setting({
    ...kubeSettings.apiTimeout,
    help: 'timeout of one Kubernetes API call (TokenReview, SubjectAccessReview, the authentication ConfigMap)',
    default: '5s',
  }),
  shutdownTimeout: setting({
    env: 'SHUTDOWN_TIMEOUT',
    help: 'on SIGTERM, how long in-flight requests may finish before the process exits',
    default: '20s',
    parse: duration(0, 600_000),
  }),
};

export type QueryConfig = SettingsOf<typeof querySettings>;

/** Reads and cross-checks the settings; one ConfigError lists every problem. */
export function readQueryConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): QueryConfig {
  const problems = crossChecks(env, argv);
  try {
    const config = readSettings(querySettings, env, argv);
    if (problems.length === 0) return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.unshift(...err.problems);
  }
  throw new ConfigError(problems);
}

/** Checks across settings, on the raw values so they are reported with the per-setting ones. */
function crossChecks(env: NodeJS.ProcessEnv, argv: readonly string[]): string[] {
  const flags = parseArgv(argv, querySettings).values;
  const raw = (s: { env: string; default?: string }): string => (flags[s.env] ?? env[s.env] ?? s.default ?? '').trim();
  const problems: string[] = [];
  if ((raw(querySettings.tlsCertFile) === '') !== (raw(querySettings.tlsKeyFile) === ''))
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither for a self-signed certificate');
  if (raw(querySettings.modelAuth) === 'token' && raw(querySettings.queryAuthTokenFile) === '')
    problems.push('MODEL_AUTH=token needs QUERY_AUTH_TOKEN_FILE');
  if (
    raw(querySettings.httpPort) !== '' &&
    Number(raw(querySettings.httpPort)) === Number(raw(querySettings.queryPort))
  )
    problems.push('HTTP_PORT and QUERY_PORT must differ');
  return problems;
}
