/**
 * @module helpers/dead-port
 * A loopback port that accepts every connection and closes it at once: an InfluxDB (or any HTTP
 * peer) that is unreachable in the way a crashed server behind a live Service is.
 */
import { createServer } from 'node:net';

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
