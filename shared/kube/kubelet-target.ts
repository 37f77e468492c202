/**
 * @module kube/kubelet-target
 * Where a node's kubelet is reached: the first address of the preferred types, on the port the
 * node advertises (or KUBELET_PORT). Pure.
 */
import type { NodeInfo } from '#shared/model';

export const ADDRESS_TYPES = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS', 'ExternalIP'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

export interface KubeletTarget {
  node: string;
  host: string;
  port: number;
}

/** The kubelet's usual HTTPS port, used when a node advertises none. */
const DEFAULT_KUBELET_PORT = 10250;

export function kubeletTarget(
  node: NodeInfo,
  preferred: readonly AddressType[],
  portOverride: number | undefined,
): KubeletTarget | undefined {
  for (const type of preferred) {
    const found = node.addresses.find((a) => a.type === type && a.address);
    if (found)
      return { node: node.name, host: found.address, port: portOverride ?? node.kubeletPort ?? DEFAULT_KUBELET_PORT };
  }
  return undefined;
}

/** `host:port`, with IPv6 hosts bracketed. */
export function hostPort(t: KubeletTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
