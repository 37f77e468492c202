/**
 * @module config/common
 * Settings shared by the functions: InfluxDB, the Kubernetes API, logging.
 */
import { readFileSync } from 'node:fs';
import { setting } from '#shared/config/settings';
import { bool, duration, httpUrl, int, oneOf, optional, str } from '#shared/config/parsers';

export const influxSettings = {
  influxUrl: setting({
    env: 'INFLUX_URL',
    help: 'InfluxDB base URL; its v1 API (/write, /query) is used; no user or password in it (INFLUX_USERNAME, INFLUX_PASSWORD_FILE)',
    default: 'http://127.0.0.1:8086',
    parse: influxUrl,
  }),
  influxCaFile: setting({
    env: 'INFLUX_CA_FILE',
    help: 'PEM CA bundle that signs InfluxDB’s HTTPS certificate (a private CA); replaces the system CAs for InfluxDB, which is always verified',
    default: '',
    parse: optional(str),
  }),
  influxDb: setting({
    env: 'INFLUX_DB',
    help: 'database name (on 2.x/3.x: a DBRP-mapped bucket)',
    default: 'k8s',
    parse: dbName,
  }),
  influxUsername: setting({
    env: 'INFLUX_USERNAME',
    help: 'InfluxDB 1.x user (HTTP Basic auth)',
    default: '',
    parse: str,
  }),
  influxPassword: setting({
    env: 'INFLUX_PASSWORD',
    help: 'InfluxDB 1.x password; prefer INFLUX_PASSWORD_FILE',
    default: '',
    parse: str,
    secret: true,
  }),
  influxPasswordFile: setting({
    env: 'INFLUX_PASSWORD_FILE',
    help: 'file holding the password (a mounted Secret); read at each run',
    default: '',
    parse: optional(str),
  }),
  influxToken: setting({
    env: 'INFLUX_TOKEN',
    help: 'InfluxDB 2.x/3.x token (Authorization: Token); prefer INFLUX_TOKEN_FILE',
    default: '',
    parse: str,
    secret: true,
  }),
  influxTokenFile: setting({
    env: 'INFLUX_TOKEN_FILE',
    help: 'file holding the token (a mounted Secret); read at each run',
    default: '',
    parse: optional(str),
  }),
  influxRetention: setting({
    env: 'INFLUX_RETENTION',
    help: 'duration of the retention policy created as the database default (e.g. 7d, 30d); 0 = keep forever',
    default: '7d',
    parse: retention,
  }),
  influxCreateDb: setting({
    env: 'INFLUX_CREATE_DB',
    help: 'create the database and its retention policy if missing (InfluxDB 1.x); false for 2.x/3.x, whose v1 API cannot (map a bucket with a DBRP instead)',
    default: 'true',
    parse: bool,
  }),
  influxTimeout: setting({
    env: 'INFLUX_TIMEOUT',
    help: 'timeout of one InfluxDB request',
    default: '10s',
    parse: duration(100, 600_000),
  }),
};

export const kubeSettings = {
  kubeconfig: setting({
    env: 'KUBECONFIG',
    help: 'kubeconfig path, used when not running in a cluster',
    default: '',
    parse: optional(str),
  }),
  apiTimeout: setting({
    env: 'API_TIMEOUT',
    help: 'timeout of the API-server list calls',
    default: '10s',
    parse: duration(100, 600_000),
  }),
  clusterName: setting({
    env: 'CLUSTER_NAME',
    help: 'value of the cluster_name tag on every point (unset: no tag)',
    default: '',
    parse: optional(str),
  }),
};

export const logSettings = {
  logLevel: setting({
    env: 'LOG_LEVEL',
    help: 'debug, info, warn or error',
    default: 'info',
    parse: oneOf(['debug', 'info', 'warn', 'error'] as const),
  }),
};

export const runSettings = {
  interval: setting({
    env: 'INTERVAL',
    help: 'collection interval; timestamps are aligned to it so a repeated run overwrites',
    default: '60s',
    parse: duration(5_000, 3_600_000),
  }),
  pageSize: setting({
    env: 'API_PAGE_SIZE',
    help: 'items per API list page (limit/continue)',
    default: '500',
    parse: int(1, 10_000),
  }),
};

/**
 * A URL's user and password would be logged wherever the URL is (errors, the `listening` line),
 * and the client would not send them anyway: refused, pointing to the settings that keep them
 * in a Secret. The settings reader never echoes them back (config/settings redacts userinfo).
 */
function influxUrl(raw: string): string {
  const url = httpUrl(raw);
  const parsed = new URL(url);
  if (parsed.username || parsed.password)
    throw new Error(
      'must not hold a user or password: set INFLUX_USERNAME and INFLUX_PASSWORD_FILE (a mounted Secret) instead',
    );
  return url;
}

/** InfluxQL identifiers we create must be plain, so they never need quoting games. */
function dbName(raw: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(raw)) throw new Error('expected letters, digits, _ . - (at most 64)');
  return raw;
}

/** Retention as an InfluxQL duration literal (`7d`, `168h`), or `INF` for `0`. */
function retention(raw: string): string {
  if (raw === '0' || raw.toUpperCase() === 'INF') return 'INF';
  const m = /^(\d+)(h|d|w)$/.exec(raw.trim());
  if (!m || Number(m[1]) === 0)
    throw new Error('expected hours, days or weeks such as 24h, 7d, 2w (InfluxDB needs at least 1h), or 0 for forever');
  return `${m[1]}${m[2]}`;
}

export interface InfluxAuth {
  username?: string;
  password?: string;
  token?: string;
  /** PEM of INFLUX_CA_FILE: the only CAs trusted for InfluxDB's HTTPS certificate when set. */
  ca?: string;
}

/** Secrets come from files when given (mounted Secrets), so a rotated Secret is seen by the next run. */
export function readInfluxAuth(c: {
  influxUsername: string;
  influxPassword: string;
  influxPasswordFile?: string;
  influxToken: string;
  influxTokenFile?: string;
  influxCaFile?: string;
}): InfluxAuth {
  const fromFile = (path: string | undefined, value: string): string =>
    path ? readFileSync(path, 'utf8').trim() : value;
  const password = fromFile(c.influxPasswordFile, c.influxPassword);
  const token = fromFile(c.influxTokenFile, c.influxToken);
  return {
    ...(c.influxUsername ? { username: c.influxUsername, password } : {}),
    ...(token ? { token } : {}),
    ...(c.influxCaFile ? { ca: readFileSync(c.influxCaFile, 'utf8') } : {}),
  };
}
