/**
 * @module helpers/dead-port
 * A loopback port that accepts every connection and closes it at once: an InfluxDB (or any HTTP
 * peer) that is unreachable in the way a crashed server behind a live Service is; and an outage
 * built on it, with the spool the collector's runs fill meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DeadPort {
  url: string;
  close(): Promise<void>;
}

export async function startDeadPort(): Promise<DeadPort> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A collector's outage: InfluxDB unreachable, and the spool its runs fill meanwhile. */
export interface Outage {
  spoolDir: string;
  /** A run's settings during the outage: the dead port, the spool, a short deadline and timeout. */
  env: Record<string, string>;
  /** Closes the port and removes the spool folder. */
  close(): Promise<void>;
}

export async function startOutage(spoolPrefix: string): Promise<Outage> {
  const spoolDir = mkdtempSync(join(tmpdir(), spoolPrefix));
  const dead = await startDeadPort();
  return {
    spoolDir,
    env: { INFLUX_URL: dead.url, SPOOL_DIR: spoolDir, RUN_DEADLINE: '2s', INFLUX_TIMEOUT: '300ms' },
    close: async () => {
      await dead.close();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}
