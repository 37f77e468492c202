/**
 * @module bench/profile-sink
 * A stand-in for InfluxDB's v1 HTTP API that takes every write and keeps only what the next
 * collect run reads back: each node's latest `heapless_state` point. With it, `bench/profile.ts
 * --influx sink` measures the collector's own CPU without influxd's ingest competing for the same
 * two cores (influxd takes 2.5–4× the collector's CPU), so the figures of two builds compare.
 * Not a database: queries other than the state read answer with no rows.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InfluxSink {
  url: string;
  /** Lines and bytes written to it so far. */
  readonly written: { lines: number; bytes: number };
  stop(): Promise<void>;
}

const STATE_LINE = /^heapless_state,bucket=([^, ]+),nodename=(\S+) (.*) (\d+)$/;

/**
 * `writeMs`: how long each write waits for its answer, to stand for an InfluxDB slower than the
 * kubelets (the collector's producers then wait for the writer, as against influxd) without
 * influxd's CPU on the same cores; 0 answers at once.
 */
export async function startInfluxSink(writeMs = 0): Promise<InfluxSink> {
  /** nodename → [time ms, bucket, fields] of the latest state point. */
  const states = new Map<string, { timeMs: number; bucket: string; fields: Record<string, unknown> }>();
  const written = { lines: 0, bytes: 0 };
  const onWrite = (body: Buffer): void => {
    written.bytes += body.length;
    let lines = 1;
    for (let at = body.indexOf(10); at >= 0; at = body.indexOf(10, at + 1)) lines++;
    written.lines += body.length > 0 ? lines : 0;
    if (!body.includes('heapless_state,')) return;
    for (const line of body.toString('utf8').split('\n')) {
      const m = STATE_LINE.exec(line);
      if (!m) continue;
      const [, bucket = '', node = '', fieldText = '', time = '0'] = m;
      const timeMs = Number(time);
      const old = states.get(node);
      if (!old || old.timeMs <= timeMs) states.set(node, { timeMs, bucket, fields: parseFields(fieldText) });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = () => answer(req, res, Buffer.concat(chunks), onWrite, states);
      if (writeMs > 0 && req.url?.startsWith('/write')) setTimeout(reply, writeMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    written,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  onWrite: (body: Buffer) => void,
  states: Map<string, { timeMs: number; bucket: string; fields: Record<string, unknown> }>,
): void {
  const url = new URL(req.url ?? '/', 'http://sink');
  if (url.pathname === '/write') {
    onWrite(body);
    res.writeHead(204).end();
    return;
  }
  if (url.pathname !== '/query') {
    res.writeHead(204).end();
    return;
  }
  const q = new URLSearchParams(body.toString()).get('q') ?? url.searchParams.get('q') ?? '';
  const json = (results: unknown[]): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
  };
  if (q.startsWith('SHOW RETENTION POLICIES'))
    return json([
      {
        statement_id: 0,
        series: [
          {
            columns: ['name', 'duration', 'shardGroupDuration', 'replicaN', 'default'],
            values: [['heapless', '168h0m0s', '24h0m0s', 1, true]],
          },
        ],
      },
    ]);
  if (!q.includes('"heapless_state"')) return json([{ statement_id: 0 }]);
  const before = /time < '([^']+)'/.exec(q);
  const beforeMs = before?.[1] ? Date.parse(before[1]) : Number.POSITIVE_INFINITY;
  const series = [];
  for (const [node, s] of states) {
    if (s.timeMs >= beforeMs) continue;
    const columns = ['time', 'bucket', ...Object.keys(s.fields)];
    series.push({
      name: 'heapless_state',
      tags: { nodename: node },
      columns,
      values: [[s.timeMs, s.bucket, ...Object.values(s.fields)]],
    });
  }
  json([{ statement_id: 0, series }]);
}

/** `n=2i,s0="…",s1="…"`: the state's fields (base64 strings hold no quote or backslash). */
function parseFields(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of text.matchAll(/([a-z0-9_]+)=(?:"([^"]*)"|(\d+)i)/g)) {
    const [, key = '', str, int] = m;
    out[key] = str !== undefined ? str : Number(int);
  }
  return out;
}
