/**
 * @module config/tls-files
 * TLS_CERT_FILE and TLS_KEY_FILE checked before the port opens, so their problems are reported
 * with every other setting's (one config_invalid line) and each names its setting: a file that
 * is not there, not PEM, or a key that does not belong to the certificate. Without this, a
 * garbage PEM surfaced as OpenSSL's bare ERR_OSSL_PEM_NO_START_LINE.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgv, type SettingsTable } from '#shared/config/settings';
import { ConfigError, fileProblem } from '#shared/errors';

interface TlsFiles {
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

const MOUNT_HINT = 'check the Secret or volume mounted there (a kubernetes.io/tls Secret: tls.crt and tls.key)';

/** Every problem with the pair, each naming its setting; [] when both are usable or both unset. */
export function tlsFileProblems(files: TlsFiles): string[] {
  if (!files.tlsCertFile || !files.tlsKeyFile) return [];
  const problems: string[] = [];
  const cert = parsed('TLS_CERT_FILE', files.tlsCertFile, (pem) => new X509Certificate(pem), problems);
  const key = parsed('TLS_KEY_FILE', files.tlsKeyFile, (pem) => createPrivateKey(pem) as KeyObject, problems);
  if (cert && key && !cert.checkPrivateKey(key))
    problems.push(
      `TLS_KEY_FILE ${files.tlsKeyFile} is not the private key of TLS_CERT_FILE ${files.tlsCertFile}: ${MOUNT_HINT}`,
    );
  return problems;
}

function parsed<T>(setting: string, path: string, parse: (pem: string) => T, problems: string[]): T | undefined {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const file = fileProblem(err);
    problems.push(`${setting} ${file?.error ?? `${path}: ${(err as Error).message}`}: ${MOUNT_HINT}`);
    return undefined;
  }
  try {
    return parse(pem);
  } catch (err) {
    const what = setting === 'TLS_CERT_FILE' ? 'a PEM certificate' : 'a PEM private key';
    problems.push(
      `${setting} ${path} is not ${what} (${(err as { code?: string }).code ?? (err as Error).message}): ${MOUNT_HINT}`,
    );
    return undefined;
  }
}

/**
 * Wraps a settings reader so that, when other settings are wrong too, the TLS files' problems
 * come in the same ConfigError (their paths read raw from flags or the environment).
 */
export function readWithTlsFiles<C>(
  read: (env: NodeJS.ProcessEnv, argv: readonly string[]) => C,
  table: SettingsTable,
): (env: NodeJS.ProcessEnv, argv: readonly string[]) => C {
  return (env, argv) => {
    try {
      return read(env, argv);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const flags = parseArgv(argv, table).values;
      const raw = (name: string): string | undefined => flags[name] ?? env[name];
      const files = tlsFileProblems({ tlsCertFile: raw('TLS_CERT_FILE'), tlsKeyFile: raw('TLS_KEY_FILE') });
      throw files.length > 0 ? new ConfigError([...err.problems, ...files]) : err;
    }
  };
}
