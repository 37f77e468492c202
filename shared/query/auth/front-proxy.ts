/**
 * @module query/auth/front-proxy
 * The aggregation layer's identity: kube-apiserver connects with its front-proxy client
 * certificate and names the user in `X-Remote-User` / `X-Remote-Group` / `X-Remote-Extra-*`.
 * Those headers are believed only on a connection whose client certificate chains to the
 * ConfigMap's front-proxy CA (and has an allowed common name); otherwise anyone could send
 * `X-Remote-Group: system:masters`.
 */
import type { IncomingMessage } from 'node:http';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { UserInfo } from '#shared/query/auth/attributes';
import type { RequestHeaderConfig } from '#shared/query/auth/request-header';

/** Longest chain walked from the client certificate up to a trusted CA. */
const MAX_CHAIN = 8;

/**
 * The user the front proxy vouches for; undefined when the connection has no valid front-proxy
 * certificate or names no user (the caller then tries a bearer token).
 */
export function frontProxyUser(
  incoming: IncomingMessage | undefined,
  config: RequestHeaderConfig | undefined,
): UserInfo | undefined {
  if (!incoming || !config || !trustedPeer(incoming.socket as TLSSocket, config)) return undefined;
  const headers = incoming.headersDistinct;
  const username = first(headers, config.usernameHeaders);
  if (!username) return undefined;
  const uid = first(headers, config.uidHeaders);
  const groups = config.groupHeaders.flatMap((h) => headers[h] ?? []);
  const extra = extras(headers, config.extraHeaderPrefixes);
  return { username, groups, ...(uid ? { uid } : {}), ...(extra ? { extra } : {}) };
}

/**
 * The TLS handshake verified the certificate (`authorized`: signature, dates, possession of the
 * key) against the server's `ca`; the chain must also reach a CA of the current ConfigMap — the
 * server falls back to the public roots while no CA is loaded — and the CN be allowed.
 */
function trustedPeer(socket: TLSSocket | undefined, config: RequestHeaderConfig): boolean {
  if (socket?.authorized !== true || typeof socket.getPeerCertificate !== 'function') return false;
  const leaf = socket.getPeerCertificate(true);
  if (!leaf?.raw) return false;
  if (config.allowedNames.length > 0 && !config.allowedNames.includes(commonName(leaf))) return false;
  let cert: DetailedPeerCertificate | undefined = leaf;
  for (let i = 0; cert && i < MAX_CHAIN; i++) {
    if (config.caFingerprints.has(cert.fingerprint256)) return true;
    if (cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
  }
  return false;
}

/** node:tls gives a repeated attribute as an array; a certificate with two CNs names nobody. */
function commonName(cert: DetailedPeerCertificate): string {
  const cn: unknown = cert.subject?.CN;
  return typeof cn === 'string' ? cn : '';
}

function first(headers: NodeJS.Dict<string[]>, names: readonly string[]): string | undefined {
  for (const h of names) {
    const v = headers[h]?.find((x) => x !== '');
    if (v) return v;
  }
  return undefined;
}

/** `X-Remote-Extra-Scopes: a` → `{scopes: ['a']}`; keys are lower-cased and %-decoded as kube-apiserver does. */
function extras(headers: NodeJS.Dict<string[]>, prefixes: readonly string[]): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (!prefix || !values) continue;
    const key = safeDecode(name.slice(prefix.length));
    if (key) out[key] = [...((Object.hasOwn(out, key) ? out[key] : undefined) ?? []), ...values];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s).toLowerCase();
  } catch {
    return s.toLowerCase();
  }
}
