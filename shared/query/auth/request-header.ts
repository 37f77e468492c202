/**
 * @module query/auth/request-header
 * The aggregation layer's request-header settings, as kube-apiserver publishes them in ConfigMap
 * `kube-system/extension-apiserver-authentication` (kubelet-and-apis.md §4): the CA of the
 * front-proxy client certificate, the certificate names allowed to assert identities, and the
 * headers that carry the user, groups and extras.
 */
import { X509Certificate } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { withTimeout } from '#shared/query/auth/kube-call';

export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export interface RequestHeaderConfig {
  /** PEM bundle of `requestheader-client-ca-file`. */
  clientCa: string;
  /** SHA-256 fingerprints (`AB:CD:…`, as node:tls prints them) of every CA in the bundle. */
  caFingerprints: ReadonlySet<string>;
  /** Common names a front-proxy certificate may have; empty = any the CA signed. */
  allowedNames: readonly string[];
  /** Lower-case header names. */
  usernameHeaders: readonly string[];
  uidHeaders: readonly string[];
  groupHeaders: readonly string[];
  extraHeaderPrefixes: readonly string[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * undefined when the ConfigMap has no front-proxy CA (the aggregation layer is not configured):
 * then only bearer tokens authenticate. Throws when the CA is there but unreadable.
 */
export function parseRequestHeaderConfig(
  data: Readonly<Record<string, string>> | undefined,
): RequestHeaderConfig | undefined {
  const clientCa = data?.['requestheader-client-ca-file']?.trim();
  if (!data || !clientCa) return undefined;
  const blocks = clientCa.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('requestheader-client-ca-file holds no PEM certificate');
  const lower = (key: string, fallback: string[]): string[] =>
    jsonList(data[key], key, fallback).map((h) => h.toLowerCase());
  return {
    clientCa,
    caFingerprints: new Set(blocks.map((pem) => new X509Certificate(pem).fingerprint256)),
    allowedNames: jsonList(data['requestheader-allowed-names'], 'requestheader-allowed-names', []),
    usernameHeaders: lower('requestheader-username-headers', ['X-Remote-User']),
    uidHeaders: lower('requestheader-uid-headers', []),
    groupHeaders: lower('requestheader-group-headers', ['X-Remote-Group']),
    extraHeaderPrefixes: lower('requestheader-extra-headers-prefix', ['X-Remote-Extra-']),
  };
}

/** kube-apiserver writes these values as JSON arrays of strings (`["X-Remote-User"]`). */
function jsonList(raw: string | undefined, key: string, fallback: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string'))
    throw new Error(`${key} is not a JSON list of strings`);
  return parsed;
}

/** Reads the ConfigMap (RBAC: the `extension-apiserver-authentication-reader` Role in kube-system). */
export async function readRequestHeaderConfig(
  kc: KubeConfig,
  timeoutMs: number,
): Promise<RequestHeaderConfig | undefined> {
  const api = kc.makeApiClient(CoreV1Api);
  const cm = await withTimeout(timeoutMs, (options) => api.readNamespacedConfigMap(AUTH_CONFIGMAP, options));
  return parseRequestHeaderConfig(cm.data);
}

/** Same CA bundle, names and headers: nothing to reload. */
export function sameRequestHeaderConfig(
  a: RequestHeaderConfig | undefined,
  b: RequestHeaderConfig | undefined,
): boolean {
  return (
    JSON.stringify(a && { ...a, caFingerprints: [...a.caFingerprints] }) ===
    JSON.stringify(b && { ...b, caFingerprints: [...b.caFingerprints] })
  );
}
