/**
 * @module test/helpers/fault-proxy
 * A fault injector in front of the suite's real influxd: a loopback HTTP proxy that forwards
 * every request unchanged, except the ones `fail` picks, which it answers itself with the status
 * an overloaded InfluxDB gives (503), and holding the ones `delayMs` picks before forwarding them
 * (an InfluxDB slower than the scrapers). Not a mock: every answer that is not an injected fault
 * comes from influxd.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export interface ProxiedRequest {
  /** 1-based count of requests seen so far. */
  n: number;
  method: string;
  path: string;
  body: string;
}

export interface FaultProxy {
  url: string;
  /** Every request seen, in order, with the status it got. */
  log: Array<ProxiedRequest & { status: number }>;
  /** Which requests get an injected status instead of reaching influxd (undefined: forward). */
  fail: (r: ProxiedRequest) => number | undefined;
  /** How long to hold a request before forwarding it (ms; 0: at once). */
  delayMs: (r: ProxiedRequest) => number;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const to = new URL(target);
  const proxy: FaultProxy = { url: '', log: [], fail: () => undefined, delayMs: () => 0, stop: async () => undefined };
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const seen: ProxiedRequest = { n: ++n, method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString() };
    const injected = proxy.fail(seen);
    if (injected !== undefined) {
      proxy.log.push({ ...seen, status: injected });
      res.writeHead(injected, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'injected fault: overloaded' }));
      return;
    }
    const delay = proxy.delayMs(seen);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    const up = request(
      { host: to.hostname, port: to.port, method: seen.method, path: seen.path, headers: req.headers },
      (answer) => {
        proxy.log.push({ ...seen, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    up.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  proxy.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
