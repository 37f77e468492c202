/**
 * @module sim/kubelet-tls
 * Serving certificates for the simulated kubelets: the normal one (sim CA, one certificate
 * with every kubelet IP as a SAN, issued once to keep startup fast) and, made on demand, the
 * broken ones behind the certificate faults.
 */
import { createCa, issueCert, type CertKeyPair } from '#shared/tls/certificates';
import type { CertFaultKind } from '#test/sim/faults';

const DAY_MS = 86_400_000;

export interface KubeletTls {
  ca: CertKeyPair;
  serving: CertKeyPair;
  /** The certificate for a node under a certificate fault (cached per fault and node). */
  faultyCert(kind: CertFaultKind, node: { name: string; address: string }): CertKeyPair;
}

export function createKubeletTls(ca: CertKeyPair, addresses: string[]): KubeletTls {
  const serving = issueCert(ca, {
    commonName: 'kubelet',
    ipSans: [...new Set(addresses)],
    dnsSans: ['localhost'],
    usage: 'server',
  });
  const cache = new Map<string, CertKeyPair>();
  let rogueCa: CertKeyPair | undefined;
  const make = (kind: CertFaultKind, node: { name: string; address: string }): CertKeyPair => {
    const base = { commonName: node.name, usage: 'server' as const };
    switch (kind) {
      case 'bad-cert':
        rogueCa ??= createCa('rogue-ca');
        return issueCert(rogueCa, { ...base, ipSans: [node.address] });
      case 'expired-cert': {
        // TLS clients check validity against the real clock, not the simulated one.
        const now = Date.now();
        const notBefore = new Date(now - 2 * DAY_MS);
        return issueCert(ca, { ...base, ipSans: [node.address], notBefore, notAfter: new Date(now - DAY_MS) });
      }
      case 'no-ip-san':
        return issueCert(ca, { ...base, dnsSans: [node.name] });
    }
  };
  return {
    ca,
    serving,
    faultyCert(kind, node) {
      const key = `${kind}/${node.name}`;
      const cert = cache.get(key) ?? make(kind, node);
      cache.set(key, cert);
      return cert;
    },
  };
}
