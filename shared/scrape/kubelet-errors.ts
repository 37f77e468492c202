/**
 * @module scrape/kubelet-errors
 * Turns transport failures into KubeletErrors with a stable `reason` (for counting) and a hint
 * that tells the operator what to change.
 */
import { KubeletError } from '#shared/errors';

const TLS_HINTS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the kubelet certificate does not name this address (no IP SAN?): set KUBELET_ADDRESS_TYPES=Hostname or ' +
    'KUBELET_CA_FILE, or enable serverTLSBootstrap on the kubelets',
  CERT_HAS_EXPIRED: 'the kubelet serving certificate has expired: rotate it (serverTLSBootstrap) or fix the node clock',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'the kubelet certificate is not signed by KUBELET_CA_FILE: point KUBELET_CA_FILE at the CA that signs kubelet serving certs',
  SELF_SIGNED_CERT_IN_CHAIN:
    'the kubelet certificate is self-signed: set KUBELET_CA_FILE to its CA, or KUBELET_INSECURE_TLS=true as a last resort',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'the kubelet certificate is self-signed: set KUBELET_CA_FILE to its CA, or KUBELET_INSECURE_TLS=true as a last resort',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'the kubelet certificate is not signed by KUBELET_CA_FILE: point KUBELET_CA_FILE at the CA that signs kubelet serving certs',
};

export function classifyError(node: string, url: URL, err: unknown, timeoutMs: number): KubeletError {
  const e = err as NodeJS.ErrnoException & { name?: string };
  const code = e?.code ?? '';
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || code === 'ABORT_ERR') {
    return new KubeletError(
      node,
      'timeout',
      `no complete answer from ${url.host} within ${timeoutMs} ms`,
      'check the node and its network, or raise KUBELET_TIMEOUT',
    );
  }
  if (TLS_HINTS[code] || code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return new KubeletError(
      node,
      'tls',
      `TLS verification of ${url.host} failed: ${e.message} (${code})`,
      TLS_HINTS[code] ?? 'check KUBELET_CA_FILE',
    );
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EAI_AGAIN'
  ) {
    return new KubeletError(
      node,
      'connect',
      `cannot reach ${url.host}: ${e.message}`,
      'check KUBELET_ADDRESS_TYPES, KUBELET_PORT and network policies',
    );
  }
  return new KubeletError(node, 'error', `request to ${url.host} failed: ${e?.message ?? String(err)}`);
}

export function httpError(node: string, url: URL, status: number): KubeletError {
  const hint =
    status === 401
      ? 'the kubelet rejected the credentials: check the service-account token and kubelet webhook authentication'
      : status === 403
        ? 'the collector may not read stats: grant get on nodes/stats (nodes/proxy with KUBELET_ACCESS=apiserver-proxy)'
        : status === 404
          ? 'no /stats/summary here: is this the kubelet port? check KUBELET_PORT'
          : undefined;
  const reason = status >= 500 ? 'http_5xx' : `http_${status}`;
  return new KubeletError(node, reason, `${url.host} answered HTTP ${status} for ${url.pathname}`, hint);
}
