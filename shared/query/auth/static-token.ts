/**
 * @module query/auth/static-token
 * The model and scraper APIs' own bearer token (QUERY_AUTH_TOKEN_FILE, a mounted Secret). It is
 * re-read when the file changes, so a rotated Secret takes effect without a restart, and compared
 * in constant time: both sides are hashed first, so neither length nor content leaks by timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';

export interface StaticToken {
  matches(presented: string): boolean;
  stop(): void;
}

/** Kubelet refreshes a mounted Secret within about a minute; polling every 30 s keeps up. */
const POLL_MS = 30_000;
/** Shorter tokens are refused at start: a guessable token is no protection. */
const MIN_LENGTH = 16;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Throws when the file is unreadable or the token shorter than 16 characters. */
export function readStaticToken(path: string): string {
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < MIN_LENGTH)
    throw new Error(`QUERY_AUTH_TOKEN_FILE holds a token shorter than ${MIN_LENGTH} characters`);
  return token;
}

/** `onError` hears of a rotated file that cannot be read; the previous token stays valid meanwhile. */
export function staticToken(path: string, onError: (err: unknown) => void, pollMs = POLL_MS): StaticToken {
  let expected = digest(readStaticToken(path));
  const changed = (): void => {
    try {
      expected = digest(readStaticToken(path));
    } catch (err) {
      onError(err);
    }
  };
  watchFile(path, { interval: pollMs, persistent: false }, changed);
  return {
    matches: (presented) => timingSafeEqual(digest(presented), expected),
    stop: () => unwatchFile(path, changed),
  };
}
