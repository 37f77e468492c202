/**
 * @module sim/kubelet-listener
 * One node's TCP listener: binds its loopback address, tracks its sockets (so hanging
 * connections can be destroyed on `down` and on stop) and hands each socket on.
 */
import net from 'node:net';
import type { Fault } from '#test/sim/faults';

export interface NodeListener {
  name: string;
  address: string;
  /** 0 until the first successful listen; kept when the listener is closed and reopened. */
  port: number;
  server: net.Server | undefined;
  sockets: Set<net.Socket>;
  fault: Fault | undefined;
}

/** Listen on `node.address:port` (0 = any free port); rejects on EADDRINUSE etc. */
export function listenNode(node: NodeListener, port: number, onSocket: (socket: net.Socket) => void): Promise<void> {
  const server = net.createServer({ noDelay: true }, (socket) => {
    node.sockets.add(socket);
    socket.once('close', () => node.sockets.delete(socket));
    // Errors (resets by impatient clients) are normal here; without a listener they'd throw.
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: node.address, port, exclusive: true }, () => {
      server.off('error', reject);
      node.server = server;
      node.port = (server.address() as net.AddressInfo).port;
      resolve();
    });
  });
}
