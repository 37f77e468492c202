/**
 * @module kube/config
 * Where the Kubernetes API and its credentials come from: the in-cluster service account when
 * the pod has one, otherwise KUBECONFIG (or ~/.kube/config).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigUnreadable, noCluster, noCurrentCluster } from '#shared/kube/kube-errors';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['KUBERNETES_SERVICE_HOST']) && existsSync(`${SERVICE_ACCOUNT_DIR}/token`);
}

/** Loaded once per run, so a rotated service-account token is read afresh by every run. */
export function loadKubeConfig(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  // client-node's default is http://localhost:8080 when nothing is configured: say so instead.
  const fallback = join(homedir(), '.kube', 'config');
  if (!kubeconfigPath && !inCluster(env) && !existsSync(fallback)) throw noCluster(fallback);
  const file = kubeconfigPath ?? (inCluster(env) ? undefined : fallback);
  try {
    if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
    else if (inCluster(env)) kc.loadFromCluster();
    else kc.loadFromFile(fallback);
  } catch (err) {
    throw file ? kubeconfigUnreadable(file, err) : err;
  }
  if (!kc.getCurrentCluster()) throw noCurrentCluster(file);
  return kc;
}
