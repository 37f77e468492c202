/**
 * @module query/tls
 * The HTTPS port's certificate: the mounted TLS_CERT_FILE / TLS_KEY_FILE (re-read when they
 * change, so a rotated Secret is served without a restart), else a self-signed one made at start
 * — enough for an APIService with `insecureSkipTLSVerify: true`, as metrics-server ships.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { hostname } from 'node:os';
import { selfSignedServerCert } from '#shared/tls/certificates';

export interface ServingCert {
  cert: string;
  key: string;
  selfSigned: boolean;
}

export function servingCert(files: { tlsCertFile?: string | undefined; tlsKeyFile?: string | undefined }): ServingCert {
  if (files.tlsCertFile && files.tlsKeyFile) {
    return {
      cert: readFileSync(files.tlsCertFile, 'utf8'),
      key: readFileSync(files.tlsKeyFile, 'utf8'),
      selfSigned: false,
    };
  }
  // The Service's DNS names are not known here; verified clients should mount a certificate.
  const pair = selfSignedServerCert({
    commonName: 'heapless-query',
    dnsSans: ['localhost', hostname()],
    ipSans: ['127.0.0.1'],
  });
  return { cert: pair.certPem, key: pair.keyPem, selfSigned: true };
}

/** Kubelet updates a mounted Secret within about a minute; polling every 30 s keeps up. */
const POLL_MS = 30_000;

/**
 * Calls `reload` with the new pair whenever either file changes; returns the stop function.
 * A half-written pair (cert and key not yet both new) fails in `reload` and is retried next poll.
 */
export function watchServingCert(
  files: { tlsCertFile: string; tlsKeyFile: string },
  reload: (pair: ServingCert) => void,
  onError: (err: unknown) => void,
  pollMs = POLL_MS,
): () => void {
  const changed = (): void => {
    try {
      reload(servingCert(files));
    } catch (err) {
      onError(err);
    }
  };
  watchFile(files.tlsCertFile, { interval: pollMs, persistent: false }, changed);
  watchFile(files.tlsKeyFile, { interval: pollMs, persistent: false }, changed);
  return () => {
    unwatchFile(files.tlsCertFile, changed);
    unwatchFile(files.tlsKeyFile, changed);
  };
}
