/**
 * @module bench/baselines
 * The two physical limits a run is compared with, on the same data:
 * - parse: `JSON.parse` of every node's summary body;
 * - ingest: a minimal writer pushing the same line protocol into influxd (5,000-line bodies,
 *   2 keep-alive connections, bodies rendered before the clock starts).
 * The lines are what a steady-state run writes: derived with a previous reading (so rates are
 * there), into the collector's own database and series (which its runs created), at earlier
 * timestamps so its data is left alone. Nodes are processed in chunks so the bench never holds a
 * 5,000-node cluster's lines at once; only the parse and the POSTs are timed.
 */
import { Agent, request } from 'node:http';
import { decodeSummaryText } from '#shared/decode/summary';
import { deriveNode } from '#shared/derive/node';
import { encodeSeries } from '#shared/encode/line-protocol';
import type { NodeInfo, PodInfo } from '#shared/model';
import type { NodeState } from '#shared/derive/types';

export interface BaselineInput {
  nodes: readonly NodeInfo[];
  pods: ReadonlyMap<string, PodInfo>;
  fetchSummary(node: string): Promise<string>;
  /** Moves the simulated kubelets' clock, so a second reading gives rates. */
  advanceSeconds(s: number): void;
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
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  let parseMs = 0;
  let ingestMs = 0;
  let points = 0;
  for (let i = 0; i < input.nodes.length; i += CHUNK_NODES) {
    const chunk = input.nodes.slice(i, i + CHUNK_NODES);
    const first = await reading(input, chunk, undefined, input.timeMs);
    input.advanceSeconds(5);
    const measured = await reading(input, chunk, first.states, input.timeMs);
    const t0 = performance.now();
    for (const b of measured.bodies) JSON.parse(b);
    parseMs += performance.now() - t0;
    points += measured.lines.length;
    const payloads = batches(measured.lines);
    const t1 = performance.now();
    await writeAll(input.influxUrl, input.db, payloads, agent);
    ingestMs += performance.now() - t1;
  }
  agent.destroy();
  return { parseSeconds: parseMs / 1000, ingestSeconds: ingestMs / 1000, points };
}

interface Reading {
  bodies: string[];
  lines: string[];
  states: Map<string, NodeState>;
}

/** Every node of the chunk read once, derived against the previous reading, encoded. */
async function reading(
  input: BaselineInput,
  chunk: readonly NodeInfo[],
  prev: Map<string, NodeState> | undefined,
  timeMs: number,
): Promise<Reading> {
  const bodies = await Promise.all(chunk.map((n) => input.fetchSummary(n.name)));
  const lines: string[] = [];
  const states = new Map<string, NodeState>();
  for (const [j, body] of bodies.entries()) {
    const node = chunk[j] as NodeInfo;
    const batch = deriveNode({
      summary: decodeSummaryText(body),
      node,
      pods: input.pods,
      prev: prev?.get(node.name),
      clusterName: undefined,
      maxGapMs: 3_600_000,
    });
    for (const s of batch.series) encodeSeries(s, timeMs, 'heapster', lines);
    states.set(node.name, batch.state);
  }
  return { bodies, lines, states };
}

function batches(lines: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < lines.length; k += BATCH_LINES) out.push(lines.slice(k, k + BATCH_LINES).join('\n'));
  return out;
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
      res.on('end', () =>
        res.statusCode && res.statusCode < 300
          ? resolve()
          : reject(new Error(`influxd answered ${res.statusCode} to ${path}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
