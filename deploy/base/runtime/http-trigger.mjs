// Runs a run-to-completion function once per HTTP POST: the bridge that lets a Knative Service
// (the knative overlay) run the same bundle a CronJob runs. A PingSource POSTs a CloudEvent each
// minute; this starts `node <function> [args]` with the container's environment and answers when
// it exits: 200 for exit code 0, 500 otherwise, 504 if it outlived RUN_TIMEOUT_SECONDS.
//
//   node /app/http-trigger.mjs /app/collect/index.mjs
//
//   PORT                 listening port (Knative sets it; default 8080; 0 picks a free one)
//   TRIGGER_HOST         listening address, default 127.0.0.1: Knative's queue-proxy sidecar
//                        forwards to loopback, so nothing else in the cluster can trigger a run
//   RUN_TIMEOUT_SECONDS  a run is sent SIGTERM after this long (default 55), SIGKILL 5 s later
//
// One run at a time: a POST during a run gets 409 (the Service also sets containerConcurrency 1).
// GET answers 200 without running anything (probes). SIGTERM waits for the current run, then exits.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

function log(level, event, fields = {}) {
  const line = { time: new Date().toISOString(), level, fn: 'http-trigger', event };
  // As in shared/log.ts: no field replaces the line's own keys; a clash is kept as field_<key>.
  for (const [key, value] of Object.entries(fields)) line[Object.hasOwn(line, key) ? `field_${key}` : key] = value;
  process.stdout.write(JSON.stringify(line) + '\n');
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function startTrigger({
  script,
  args = [],
  host = '127.0.0.1',
  port = 8080,
  timeoutMs = 55_000,
  env = process.env,
}) {
  let running = null;
  const server = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD')
      return reply(res, 200, { status: 'ok', running: running !== null });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST to start a run' });
    if (running) return reply(res, 409, { error: 'a run is in progress' });
    req.resume();
    const started = Date.now();
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, timeoutMs);
    running = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const durationMs = Date.now() - started;
        const exitCode = code ?? 128;
        const status = timedOut ? 504 : exitCode === 0 ? 200 : 500;
        log(status === 200 ? 'info' : 'warn', 'run_finished', { script, exitCode, signal, timedOut, durationMs });
        reply(res, status, { exitCode, ...(signal ? { signal } : {}), timedOut, durationMs });
        running = null;
        resolve();
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        log('error', 'run_failed', { script, error: err.message });
        reply(res, 500, { error: 'could not start the function' });
        running = null;
        resolve();
      });
    });
  });
  const listening = new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      log('info', 'listening', { host, port: addr.port, script });
      resolve(addr.port);
    });
  });
  async function close() {
    server.close();
    if (running) await running;
  }
  return { listening, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [script, ...args] = process.argv.slice(2);
  if (!script) {
    log('error', 'config_invalid', { error: 'usage: node http-trigger.mjs <function.mjs> [args...]' });
    process.exit(2);
  }
  const trigger = startTrigger({
    script,
    args,
    host: process.env.TRIGGER_HOST || '127.0.0.1',
    port: Number(process.env.PORT ?? 8080),
    timeoutMs: Number(process.env.RUN_TIMEOUT_SECONDS ?? 55) * 1000,
  });
  process.on('SIGTERM', () => {
    log('info', 'stopping');
    trigger.close().then(() => process.exit(0));
  });
}
