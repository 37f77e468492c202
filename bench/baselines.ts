/**
 * @module bench/baselines
 * The two physical limits a run is compared with, on the same data:
 * - parse: `JSON.parse` of every node's summary body;
 * - ingest: a minimal writer pushing the same line protocol into influxd (5,000-line bodies,
 *   2 keep-alive connections, bodies rendered before the clock starts).
 * Nodes are processed in chunks so the bench never holds a 5,000-node cluster's lines at once;
 * only the parse and the POSTs are timed.
 */
import { Agent, request } from 'node:http';
import { decodeSummaryText } from '#shared/decode/summary';
import { deriveNode } from '#shared/derive/node';
import { encodeSeries } from '#shared/encode/line-protocol';
import type { NodeInfo, PodInfo } from '#shared/model';

export interface BaselineInput {
  nodes: readonly NodeInfo[];
  pods: ReadonlyMap<string, PodInfo>;
  fetchSummary(node: string): Promise<string>;
  influxUrl: string;
  db: string;
  timeMs: number;
}

export interface Baselines {
  parseSeconds: number;
  ingestSeconds: number;
  points: number;
}

const CHUNK_NODES = 50;
const BATCH_LINES = 5000;

export async function measureBaselines(input: BaselineInput): Promise<Baselines> {
  await post(input.influxUrl, `/query?q=${encodeURIComponent(`CREATE DATABASE "${input.db}"`)}`, '');
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  let parseMs = 0;
  let ingestMs = 0;
  let points = 0;
  for (let i = 0; i < input.nodes.length; i += CHUNK_NODES) {
    const chunk = input.nodes.slice(i, i + CHUNK_NODES);
    const bodies = await Promise.all(chunk.map((n) => input.fetchSummary(n.name)));
    const t0 = performance.now();
    for (const b of bodies) JSON.parse(b);
    parseMs += performance.now() - t0;
    const lines: string[] = [];
    for (const [j, body] of bodies.entries()) {
      const batch = deriveNode({ summary: decodeSummaryText(body), node: chunk[j], pods: input.pods, prev: undefined, clusterName: undefined, maxGapMs: 0 });
      for (const s of batch.series) encodeSeries(s, input.timeMs, 'heapster', lines);
    }
    points += lines.length;
    const payloads: string[] = [];
    for (let k = 0; k < lines.length; k += BATCH_LINES) payloads.push(lines.slice(k, k + BATCH_LINES).join('\n'));
    const t1 = performance.now();
    await writeAll(input.influxUrl, input.db, payloads, agent);
    ingestMs += performance.now() - t1;
  }
  agent.destroy();
  return { parseSeconds: parseMs / 1000, ingestSeconds: ingestMs / 1000, points };
}

async function writeAll(url: string, db: string, payloads: string[], agent: Agent): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < payloads.length) await post(url, `/write?db=${db}&precision=ms`, payloads[next++] as string, agent);
  };
  await Promise.all([worker(), worker()]);
}

function post(base: string, path: string, body: string, agent?: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`influxd answered ${res.statusCode} to ${path}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
