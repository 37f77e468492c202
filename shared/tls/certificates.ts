/**
 * @module tls/certificates
 * Small X.509 helpers: a CA, certificates it signs, and a self-signed serving certificate.
 *
 * RSA keys come from node:crypto (native, ~50 ms for 2048 bits) because node-forge's pure-JS
 * key generation takes seconds; node-forge only builds and signs (SHA-256) the certificates.
 * All PEM strings can be passed straight to node:tls (`cert`, `key`, `ca`).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

/** A certificate and its private key, both PEM encoded. */
export interface CertKeyPair {
  certPem: string;
  /** PKCS#1 RSA private key ("BEGIN RSA PRIVATE KEY"). */
  keyPem: string;
}

/** Validity window; defaults to one hour ago → ten years from now (clock skew tolerant). */
export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

/** What an issued certificate may be used for (extendedKeyUsage). */
export type CertUsage = 'server' | 'client' | 'both';

export interface IssueOptions extends Validity {
  commonName: string;
  /** IP addresses (v4 or v6) to put in subjectAltName. */
  ipSans?: string[];
  /** DNS names to put in subjectAltName. */
  dnsSans?: string[];
  usage: CertUsage;
}

const HOUR_MS = 3_600_000;
const TEN_YEARS_MS = 10 * 365 * 24 * HOUR_MS;

/**
 * Create a self-signed certificate authority.
 * @param commonName subject CN of the CA
 * @returns the CA certificate and key, usable with {@link issueCert}
 */
export function createCa(commonName: string, opts: Validity = {}): CertKeyPair {
  const key = generateRsaKey();
  const cert = newCertificate(key, commonName, opts);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

/**
 * Issue a leaf certificate signed by `ca`.
 * @example issueCert(ca, { commonName: 'kubelet', ipSans: ['127.0.0.2'], usage: 'server' })
 */
export function issueCert(ca: CertKeyPair, opts: IssueOptions): CertKeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const key = generateRsaKey();
  const cert = newCertificate(key, opts.commonName, opts);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions(leafExtensions(opts, caCert));
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

/**
 * A self-signed serving certificate (no CA), e.g. for a service that clients reach with
 * "insecure" TLS or pin by fingerprint. Defaults: SANs = `localhost` and 127.0.0.1.
 */
export function selfSignedServerCert(opts: { commonName: string; ipSans?: string[]; dnsSans?: string[] }): CertKeyPair {
  const key = generateRsaKey();
  const cert = newCertificate(key, opts.commonName, {});
  cert.setIssuer(cert.subject.attributes);
  const sans = {
    commonName: opts.commonName,
    ipSans: opts.ipSans ?? ['127.0.0.1'],
    dnsSans: opts.dnsSans ?? ['localhost'],
    usage: 'server' as const,
  };
  cert.setExtensions(leafExtensions(sans));
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

function generateRsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return forge.pki.privateKeyFromPem(privateKey);
}

function newCertificate(key: forge.pki.rsa.PrivateKey, commonName: string, validity: Validity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  const now = Date.now();
  cert.validity.notBefore = validity.notBefore ?? new Date(now - HOUR_MS);
  cert.validity.notAfter = validity.notAfter ?? new Date(now + TEN_YEARS_MS);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** 16 random bytes with the top bit cleared: DER INTEGER serials must be positive. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function leafExtensions(opts: IssueOptions, caCert?: forge.pki.Certificate): object[] {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: opts.usage !== 'client',
      clientAuth: opts.usage !== 'server',
    },
    { name: 'subjectKeyIdentifier' },
  ];
  const altNames = subjectAltNames(opts.ipSans ?? [], opts.dnsSans ?? []);
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  if (caCert) {
    const keyIdentifier = caCert.generateSubjectKeyIdentifier().getBytes();
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier });
  }
  return extensions;
}

/** GeneralName types from RFC 5280: 2 = dNSName, 7 = iPAddress. */
function subjectAltNames(ips: string[], dnsNames: string[]): object[] {
  for (const ip of ips) {
    if (isIP(ip) === 0) throw new Error(`not an IP address for a SAN: ${ip}`);
  }
  return [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))];
}
