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
  ) {
    super(message);
    this.name = 'InfluxError';
  }
}
