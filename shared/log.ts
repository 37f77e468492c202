/**
 * @module log
 * One JSON line per event on stdout, with stable keys: `time` (RFC 3339), `level`, `fn`, `event`,
 * then the event's own fields. Operators grep and ship these; keys never change per call site.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

export interface LoggerOptions {
  fn: string;
  level?: Level;
  /** Where lines go; tests capture them. Default: process.stdout. */
  sink?: (line: string) => void;
  /** Values that must never appear in a log line (tokens, passwords); replaced by `[redacted]`. */
  secrets?: readonly string[];
}

/** Creates a logger for one function (`collect`, `events`, `query`). */
export function createLogger(opts: LoggerOptions): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const sink = opts.sink ?? ((line: string) => process.stdout.write(line + '\n'));
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 4);
  const emit = (level: Level, event: string, fields: Fields = {}): void => {
    if (ORDER[level] < min) return;
    let line = JSON.stringify({ time: new Date().toISOString(), level, fn: opts.fn, event, ...fields }, replaceErrors);
    for (const secret of secrets) line = line.split(secret).join('[redacted]');
    sink(line);
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}

/** Errors serialise as their message (and code), never as `{}` or a stack trace. */
function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return code ? `${value.message} (${code})` : value.message;
  }
  return value;
}

/** A logger that drops everything, for library callers that pass none. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
