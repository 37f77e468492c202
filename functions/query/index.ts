/**
 * @module query/index
 * The query service: a long-lived Deployment (the aggregation layer needs a Service to call)
 * holding no state. HTTPS on QUERY_PORT for everything; plain HTTP on HTTP_PORT (off unless set,
 * loopback unless HTTP_LISTEN_HOST says otherwise, never with credentials) for the model and
 * scraper APIs. SIGTERM: not ready, finish what is in flight, exit 0. Exit 2: bad configuration.
 */
import { readInfluxAuth } from '#shared/config/common';
import { readWithTlsFiles, tlsFileProblems } from '#shared/config/tls-files';
import { configInvalid, failed, prepare } from '#shared/entry';
import { ConfigError } from '#shared/errors';
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { createLogger } from '#shared/log';
import { QueryMetrics } from '#shared/query/self-metrics';
import { closeAll, listen, reloadTls, setClientCa, type Listener } from '#shared/query/server';
import { startAuth, type QueryAuth } from '#shared/query/auth/setup';
import { readStaticToken } from '#shared/query/auth/static-token';
import { querySettings, readQueryConfig, type QueryConfig } from '#shared/query/settings';
import { servingCert, watchServingCert } from '#shared/query/tls';
import { refuseCredentials } from '#shared/query/plain-http';
import { createApp } from './app';

async function main(argv: string[]): Promise<number | undefined> {
  const ready = prepare<QueryConfig>(
    {
      fn: 'query',
      title: 'heapless query: metrics.k8s.io, Heapster’s model API and the Dashboard scraper API, served from InfluxDB',
      settings: querySettings,
      read: readWithTlsFiles(readQueryConfig, querySettings),
      logLevel: (c) => c.logLevel,
      secrets: (c) => [c.influxPassword, c.influxToken, ...startToken(c.queryAuthTokenFile)],
    },
    argv,
  );
  if (typeof ready === 'number') return ready;
  const { config, log } = ready;
  routePackageLogs(log);
  const influx = new InfluxClient({
    url: config.influxUrl,
    db: config.influxDb,
    auth: readInfluxAuth(config),
    timeoutMs: config.influxTimeout,
    maxSockets: 16,
  });
  let draining = false;
  let https: Listener | undefined;
  // Every problem in one line: the TLS files' and the auth's (which needs the Kubernetes API).
  const problems = tlsFileProblems(config);
  let auth: QueryAuth;
  try {
    // A new front-proxy CA reaches the HTTPS port's TLS context; before the port exists, `tls` below takes it.
    auth = await startAuth(config, log, (ca) => https && setClientCa(https, ca));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return configInvalid('query', new ConfigError([...err.problems, ...problems]));
  }
  if (problems.length > 0) {
    auth.stop();
    return configInvalid('query', new ConfigError(problems));
  }
  const deps = {
    influx,
    settings: config,
    log,
    now: Date.now,
    metrics: new QueryMetrics(),
    draining: () => draining,
    ...(auth.guard ? { guard: auth.guard } : {}),
  };
  const tls = { ...servingCert(config), requestCert: auth.requestCert, clientCa: auth.clientCa() };
  https = await listen(createApp({ ...deps, metricsApi: true }), {
    port: config.queryPort,
    host: config.listenHost,
    tls,
  });
  const listeners: Listener[] = [https];
  if (config.tlsCertFile && config.tlsKeyFile) {
    const served = https;
    watchServingCert(
      { tlsCertFile: config.tlsCertFile, tlsKeyFile: config.tlsKeyFile },
      (pair) => reloadTls(served, pair),
      (error) => log.warn('tls_reload_failed', { error }),
    );
  }
  if (config.httpPort !== undefined)
    listeners.push(
      await listen(refuseCredentials(createApp({ ...deps, metricsApi: false })), {
        port: config.httpPort,
        host: config.httpListenHost,
      }),
    );
  // Before 'listening' is logged: a SIGTERM sent as soon as that line is read (a test, a
  // supervisor) must drain, not meet Node's default action and kill the process.
  const stop = (signal: string): void => {
    draining = true;
    auth.stop();
    log.info('shutdown', { signal, timeoutMs: config.shutdownTimeout });
    void closeAll(listeners, config.shutdownTimeout).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log.info('listening', {
    https: config.queryPort,
    host: config.listenHost,
    http: config.httpPort ?? null,
    ...(config.httpPort !== undefined ? { httpHost: config.httpListenHost } : {}),
    selfSignedCert: tls.selfSigned,
    influxUrl: config.influxUrl,
    influxDb: config.influxDb,
    queryAuth: config.queryAuth,
    modelAuth: config.modelAuth,
    staticToken: Boolean(config.queryAuthTokenFile),
  });
  return undefined;
}

/** The static token as it is at start, so the logger redacts it should it ever reach a line. */
function startToken(file: string | undefined): string[] {
  try {
    return file ? [readStaticToken(file)] : [];
  } catch {
    return [];
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err) => {
    // A missing TLS_CERT_FILE/TLS_KEY_FILE or an unusable kubeconfig: one line with a hint, exit 2.
    process.exitCode = failed(createLogger({ fn: 'query' }), 'start_failed', err);
  },
);
