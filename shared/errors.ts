/**
 * @module errors
 * Named errors, so logs and callers can tell what failed and where.
 */

/** Any value can be thrown in JavaScript; narrow it before reading `.message`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Configuration problems, all reported at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** A kubelet that could not be scraped. `reason` is a short stable category for counting. */
export class KubeletError extends Error {
  constructor(
    readonly node: string,
    readonly reason: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}

/** The API server could not list what a run needs. */
export class ApiServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiServerError';
  }
}

/** InfluxDB refused or could not be reached. */
export class InfluxError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The socket's error code when no answer came (ECONNREFUSED, ENOTFOUND, …); not `code`, which the log appends to the message. */
    readonly socketCode?: string,
  ) {
    super(message);
    this.name = 'InfluxError';
  }
}

/**
 * A file a setting names that is not there or cannot be read (e.g. TLS_CERT_FILE when its Secret
 * is not mounted): the operator's to fix, so one line with a hint, not a stack.
 */
export function fileProblem(err: unknown): { event: string; error: string; hint: string } | undefined {
  const e = err as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof e?.path !== 'string' || (e.code !== 'ENOENT' && e.code !== 'EACCES')) return undefined;
  return {
    event: 'file_unreadable',
    error: `${e.path}: ${e.code === 'ENOENT' ? 'no such file' : 'permission denied'}`,
    hint: 'check the setting that names it (--help lists them) and the Secret or volume mounted there',
  };
}
