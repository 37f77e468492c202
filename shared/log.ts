/**
 * @module log
 * One JSON line per event on stdout, with stable keys: `time` (RFC 3339), `level`, `fn`, `event`,
 * then the event's own fields. Operators grep and ship these; keys never change per call site.
 * An event field can never shadow the logger's own keys: a filter on `level=error` must see every
 * error, whatever a call site names its fields. A field with an own key's name is kept under
 * `field_<name>` (`level` → `field_level`), so nothing is lost either.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The keys every line starts with; the logger alone writes them. */
export const OWN_KEYS = ['time', 'level', 'fn', 'event'] as const;
type OwnKey = (typeof OWN_KEYS)[number];

/** An event's fields; a literal own key is a type error (and renamed at run time if it slips through a spread). */
export type Fields = Record<string, unknown> & { [K in OwnKey]?: never };

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const OWN = new Set<string>(OWN_KEYS);

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
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, fn: opts.fn, event };
    for (const [key, value] of Object.entries(fields)) line[fieldKey(key, line)] = value;
    let text = JSON.stringify(line, replaceErrors);
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    sink(text);
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}

/** The key a field is written under: its own, or `field_<key>` (then `field_<key>_2`, …) where taken. */
function fieldKey(key: string, line: Record<string, unknown>): string {
  if (!OWN.has(key) && !Object.hasOwn(line, key)) return key;
  let out = `field_${key}`;
  for (let i = 2; Object.hasOwn(line, out); i++) out = `field_${key}_${i}`;
  return out;
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
