/**
 * @module sim/kubeconfig
 * Writes the kubeconfig (CA data, server, bearer token) and the CA file for the simulator.
 * The YAML is plain enough for @kubernetes/client-node and kubectl alike.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface KubeconfigFiles {
  kubeconfigPath: string;
  caFile: string;
}

export async function writeKubeconfig(
  dir: string,
  server: string,
  caPem: string,
  token: string,
): Promise<KubeconfigFiles> {
  const caFile = join(dir, 'ca.crt');
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  await writeFile(caFile, caPem);
  await writeFile(kubeconfigPath, kubeconfigYaml(server, caPem, token), { mode: 0o600 });
  return { kubeconfigPath, caFile };
}

export function kubeconfigYaml(server: string, caPem: string, token: string): string {
  const caData = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: heapless-sim',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
    '- name: heapless-sim',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: heapless-sim',
    '  context:',
    '    cluster: heapless-sim',
    '    user: heapless-sim',
    'current-context: heapless-sim',
    '',
  ].join('\n');
}
