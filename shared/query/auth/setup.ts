/**
 * @module query/auth/setup
 * Builds the guard from the settings and keeps its inputs current: the front-proxy settings are
 * read from the ConfigMap at start and every REFRESH_MS (kube-apiserver rewrites it when its
 * front-proxy CA rotates), and the HTTPS port is told the new CA so the handshake verifies
 * client certificates against it.
 */
import type { MiddlewareHandler } from 'hono';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, asError } from '#shared/errors';
import { loadKubeConfig } from '#shared/kube/config';
import type { Logger } from '#shared/log';
import type { QueryConfig } from '#shared/query/settings';
import { cachedDelegation, kubeDelegation } from '#shared/query/auth/delegation';
import { authGuard } from '#shared/query/auth/guard';
import { KubeCallError } from '#shared/query/auth/kube-call';
import {
  AUTH_CONFIGMAP,
  readRequestHeaderConfig,
  sameRequestHeaderConfig,
  type RequestHeaderConfig,
} from '#shared/query/auth/request-header';
import { staticToken, type StaticToken } from '#shared/query/auth/static-token';

export type AuthSettings = Pick<
  QueryConfig,
  'queryAuth' | 'modelAuth' | 'queryAuthTokenFile' | 'kubeconfig' | 'apiTimeout'
>;

export interface QueryAuth {
  /** undefined when both APIs are open. */
  guard?: MiddlewareHandler;
  /** The HTTPS port asks clients for a certificate (verification is the guard's). */
  requestCert: boolean;
  /** The front-proxy CA bundle to verify client certificates with; undefined until read. */
  clientCa(): string | undefined;
  /** Re-reads the ConfigMap now; resolves when done (never rejects). */
  refresh(): Promise<void>;
  stop(): void;
}

/** kube-apiserver rotates the front-proxy CA rarely; five minutes bounds how long a new one is refused. */
export const REFRESH_MS = 300_000;
/** While the ConfigMap cannot be read, retry sooner. */
const RETRY_MS = 30_000;

/**
 * @param onClientCa called with each new CA bundle (to reload the HTTPS port's TLS context).
 * @param kubeConfig for tests; default: loaded from KUBECONFIG or the pod's service account.
 * @throws ConfigError when delegation is asked for and no Kubernetes API is configured.
 */
export async function startAuth(
  settings: AuthSettings,
  log: Logger,
  onClientCa: (ca: string) => void = () => {},
  kubeConfig?: KubeConfig,
): Promise<QueryAuth> {
  const delegated = settings.queryAuth === 'delegated' || settings.modelAuth === 'delegated';
  if (settings.queryAuth === 'none')
    log.warn('auth_disabled', {
      api: 'metrics.k8s.io',
      hint: 'QUERY_AUTH=none: anyone who reaches the port may read every pod’s and node’s usage',
    });
  if (settings.modelAuth === 'none')
    log.warn('auth_disabled', {
      api: 'model and dashboard',
      hint: 'MODEL_AUTH=none: anyone who reaches the port may read the model and scraper APIs',
    });
  const token = tokenFrom(settings, log);
  if (!delegated) {
    const guard =
      settings.modelAuth === 'token'
        ? authGuard({
            metricsAuth: 'none',
            modelAuth: 'token',
            requestHeader: () => undefined,
            ...(token ? { staticToken: token } : {}),
            log,
          })
        : undefined;
    return {
      ...(guard ? { guard } : {}),
      requestCert: false,
      clientCa: () => undefined,
      refresh: async () => {},
      stop: () => token?.stop(),
    };
  }
  const kc = kubeConfig ?? kubeConfigFor(settings);
  let current: RequestHeaderConfig | undefined;
  let loaded = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    const next = await readConfig(kc, settings.apiTimeout, log);
    if (next !== 'failed' && (!loaded || !sameRequestHeaderConfig(current, next))) {
      current = next;
      loaded = true;
      log.info('auth_config_loaded', {
        frontProxy: Boolean(next),
        allowedNames: next?.allowedNames ?? [],
        caCertificates: next?.caFingerprints.size ?? 0,
      });
      if (next) onClientCa(next.clientCa);
    }
    if (!stopped) timer = setTimeout(() => void refresh(), next === 'failed' ? RETRY_MS : REFRESH_MS).unref();
  };
  await refresh();
  const guard = authGuard({
    metricsAuth: settings.queryAuth,
    modelAuth: settings.modelAuth,
    requestHeader: () => current,
    delegation: cachedDelegation(kubeDelegation(kc, settings.apiTimeout)),
    ...(token ? { staticToken: token } : {}),
    log,
  });
  return {
    guard,
    requestCert: true,
    clientCa: () => current?.clientCa,
    refresh,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      token?.stop();
    },
  };
}

function tokenFrom(settings: AuthSettings, log: Logger): StaticToken | undefined {
  if (!settings.queryAuthTokenFile) return undefined;
  try {
    return staticToken(settings.queryAuthTokenFile, (err) =>
      log.warn('auth_token_reload_failed', { error: asError(err).message }),
    );
  } catch (err) {
    throw new ConfigError([`QUERY_AUTH_TOKEN_FILE: ${asError(err).message}`]);
  }
}

function kubeConfigFor(settings: AuthSettings): KubeConfig {
  try {
    return loadKubeConfig(settings.kubeconfig);
  } catch (err) {
    throw new ConfigError([
      `QUERY_AUTH=delegated or MODEL_AUTH=delegated need the Kubernetes API (${asError(err).message}); ` +
        'set QUERY_AUTH=none and MODEL_AUTH=none|token to serve without it',
    ]);
  }
}

/** undefined: the cluster has no front-proxy CA (tokens only); 'failed': keep what we had and retry. */
async function readConfig(
  kc: KubeConfig,
  timeoutMs: number,
  log: Logger,
): Promise<RequestHeaderConfig | undefined | 'failed'> {
  try {
    return await readRequestHeaderConfig(kc, timeoutMs);
  } catch (err) {
    if (err instanceof KubeCallError && err.status === 404) return undefined;
    const where = `${AUTH_CONFIGMAP.namespace}/${AUTH_CONFIGMAP.name}`;
    log.warn('auth_config_unavailable', {
      configMap: where,
      error: asError(err).message,
      hint: 'front-proxy certificates are refused until it is read; the query service needs the extension-apiserver-authentication-reader Role in kube-system',
    });
    return 'failed';
  }
}
