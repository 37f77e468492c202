/**
 * @module config/parsers
 * Value parsers for settings. Each throws an Error whose message says what was expected;
 * the settings reader collects those messages so every problem is reported together.
 */

export type Parser<T> = (raw: string) => T;

export const str: Parser<string> = (raw) => raw;

export function int(min: number, max: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw new Error(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

export const bool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new Error('expected true or false');
};

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses `500ms`, `15s`, `1m`, `1h30m`, `7d` into milliseconds. */
export function parseDurationMs(raw: string): number {
  const text = raw.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new Error('expected a duration such as 500ms, 15s, 1m or 7d');
  return total;
}

export function duration(minMs: number, maxMs: number = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    const ms = parseDurationMs(raw);
    if (ms < minMs || ms > maxMs) throw new Error(`expected a duration from ${minMs} ms to ${maxMs} ms`);
    return ms;
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw as T;
  };
}

export function csvOf<const T extends string>(values: readonly T[]): Parser<T[]> {
  return (raw) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((i) => !(values as readonly string[]).includes(i));
    if (items.length === 0 || bad.length > 0)
      throw new Error(`expected a comma-separated list of ${values.join(', ')}`);
    return items as T[];
  };
}

export const httpUrl: Parser<string> = (raw) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('expected an http:// or https:// URL');
  return raw.replace(/\/+$/, '');
};

export function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (raw) => (raw === '' ? undefined : parse(raw));
}
