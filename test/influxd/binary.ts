/**
 * @module test/influxd/binary
 * Finds an `influxd`: on PATH, else Debian's `influxdb` package fetched into the project's cache
 * (`.cache/influxdb`) with `apt-get download` and unpacked with `dpkg -x` — nothing installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const PROJECT = resolve(new URL('../..', import.meta.url).pathname);
export const CACHE_DIR = join(PROJECT, '.cache', 'influxdb');
const CACHED_BINARY = join(CACHE_DIR, 'root', 'usr', 'bin', 'influxd');

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Path of a runnable influxd; downloads the Debian package once if needed. Throws with what to do. */
export function findInfluxd(): string {
  const explicit = process.env['INFLUXD'];
  if (explicit) return explicit;
  const found = onPath('influxd');
  if (found) return found;
  if (existsSync(CACHED_BINARY)) return CACHED_BINARY;
  fetchDebianPackage();
  if (!existsSync(CACHED_BINARY)) throw new Error(`influxd not found in the unpacked package at ${CACHED_BINARY}`);
  return CACHED_BINARY;
}

function fetchDebianPackage(): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  const run = (cmd: string, args: string[]): void => {
    execFileSync(cmd, args, { cwd: CACHE_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  try {
    if (!readdirSync(CACHE_DIR).some((f) => f.endsWith('.deb'))) {
      try {
        run('apt-get', ['download', 'influxdb']);
      } catch {
        // A fresh machine may have no package lists yet.
        run('apt-get', ['update', '-qq']);
        run('apt-get', ['download', 'influxdb']);
      }
    }
    const deb = readdirSync(CACHE_DIR).find((f) => f.startsWith('influxdb_') && f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download left no influxdb_*.deb');
    run('dpkg', ['-x', deb, 'root']);
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(
      `no influxd available: none on PATH, and fetching Debian's influxdb package into ${CACHE_DIR} failed (${detail}). ` +
        'Install it (apt-get install influxdb), put influxd on PATH, or set INFLUXD=/path/to/influxd.',
    );
  }
}
