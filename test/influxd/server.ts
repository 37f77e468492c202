/**
 * @module test/influxd/server
 * A real influxd for tests, `npm start` and the benchmark: free loopback ports, its own temp data
 * folder, stopped (and the folder removed) by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInfluxd } from '#test/influxd/binary';

export interface InfluxdServer {
  url: string;
  pid: number;
  dir: string;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and deletes its data. */
  stop(): Promise<void>;
  /** Stops the process but keeps its data, for outage tests; `start()` brings it back on the same port. */
  pause(): Promise<void>;
  start(): Promise<void>;
}

/** Ports this process handed out: the kernel may offer a port again as soon as it is closed. */
const handedOut = new Set<number>();

/**
 * A loopback port free now and never handed out before by this process, so two calls in a row
 * (an HTTP and an RPC port, a query and a plain-HTTP port) never get the same one.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await anyFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no loopback port that was not handed out before');
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "10s"
  # Heapster's schema is one series per metric and object: 1,000 nodes × 30 pods is ~2.8M
  # series, past the default cap of 1M. tsi1 keeps the series index on disk, not in RAM.
  index-version = "tsi1"
  max-series-per-database = 0
  max-values-per-tag = 0
[coordinator]
  # As deploy/ sets it: a write (or a rollup's SELECT … INTO) that influxd cannot finish in 10 s,
  # its default, fails with a 500 "timeout" on a busy 2-core machine at 1,000 nodes.
  write-timeout = "60s"
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 25000000
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`;
}

async function waitForPing(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`influxd exited with ${proc.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`influxd did not answer ${url}/ping within 20 s: ${log()}`);
}

export async function startInfluxd(): Promise<InfluxdServer> {
  const binary = findInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'heapless-influxd-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  writeFileSync(join(dir, 'influxdb.conf'), config(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let proc: ChildProcess | undefined;
  let stderr = '';
  const launch = async (): Promise<void> => {
    stderr = '';
    proc = spawn(binary, ['run', '-config', join(dir, 'influxdb.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    // Never leave an influxd behind when the process that started it exits without stop().
    const child = proc;
    process.once('exit', () => child.kill('SIGKILL'));
    await waitForPing(url, proc, () => stderr);
  };
  const halt = async (): Promise<void> => {
    const p = proc;
    // Exited by itself, or by a signal (a terminal's Ctrl-C reaches the whole process group).
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    url,
    dir,
    get pid() {
      return proc?.pid ?? -1;
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: halt,
    start: launch,
  };
}
