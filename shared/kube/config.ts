/**
 * @module kube/config
 * Where the Kubernetes API and its credentials come from: the in-cluster service account when
 * the pod has one, otherwise KUBECONFIG (or ~/.kube/config).
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['KUBERNETES_SERVICE_HOST']) && existsSync(`${SERVICE_ACCOUNT_DIR}/token`);
}

/** Loaded once per run, so a rotated service-account token is read afresh by every run. */
export function loadKubeConfig(kubeconfigPath: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else if (inCluster(env)) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster())
    throw new Error('no Kubernetes cluster configured: set KUBECONFIG, or run in a pod with a service account');
  return kc;
}
