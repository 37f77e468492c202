/**
 * @module bench/baselines
 * The physical limits a run is compared with, on the same data:
 * - parse: `JSON.parse` of every node's summary body;
 * - encode floor: the same lines written by a minimal encoder (tag string per object, one
 *   template per sample, nothing sorted or escaped beyond what the values need);
 * - ingest: a minimal writer pushing the same line protocol into influxd (5,000-line bodies,
 *   2 keep-alive connections, bodies rendered before the clock starts).
 * `withRates`: the lines a steady-state run writes (derived with a previous reading), into the
 * collector's own database and series at earlier timestamps so its data is left alone. Without:
 * a first run's lines (no rates) into a fresh database, so every series is new, as for the
 * collector's first run. Nodes are processed in chunks so the bench never holds a
 * 5,000-node cluster's lines at once; only the parse and the POSTs are timed.
 */
import { Agent, request } from 'node:http';
import { decodeSummaryText } from '#shared/decode/summary';
import { deriveNode } from '#shared/derive/node';
import { encodeSeries } from '#shared/encode/line-protocol';
import type { NodeInfo, PodInfo } from '#shared/model';
import type { NodeState, Series } from '#shared/derive/types';
import { Samples } from '#shared/derive/samples';
import type { Family } from '#shared/families/family';
import type { Schema } from '#shared/encode/line-protocol';

export interface BaselineInput {
  nodes: readonly NodeInfo[];
  pods: ReadonlyMap<string, PodInfo>;
  fetchSummary(node: string): Promise<string>;
  /** Moves the simulated kubelets' clock, so a second reading gives rates. */
  advanceSeconds(s: number): void;
  influxUrl: string;
  db: string;
  timeMs: number;
  schema: Schema;
  withRates: boolean;
}

export interface Baselines {
  parseSeconds: number;
  encodeFloorSeconds: number;
  ingestSeconds: number;
  points: number;
}

const CHUNK_NODES = 50;
const BATCH_LINES = 5000;

export async function measureBaselines(input: BaselineInput): Promise<Baselines> {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  await post(input.influxUrl, `/query?q=${encodeURIComponent(`CREATE DATABASE "${input.db}"`)}`, '', agent);
  let parseMs = 0;
  let encodeMs = 0;
  let ingestMs = 0;
  let points = 0;
  for (let i = 0; i < input.nodes.length; i += CHUNK_NODES) {
    const chunk = input.nodes.slice(i, i + CHUNK_NODES);
    let measured = await reading(input, chunk, undefined, input.timeMs);
    if (input.withRates) {
      input.advanceSeconds(5);
      measured = await reading(input, chunk, measured.states, input.timeMs);
    }
    const t0 = performance.now();
    for (const b of measured.bodies) JSON.parse(b);
    parseMs += performance.now() - t0;
    const t2 = performance.now();
    sink += minimalEncode(measured.series, input.timeMs, input.schema);
    encodeMs += performance.now() - t2;
    points += measured.lines.length;
    const payloads = batches(measured.lines);
    const t1 = performance.now();
    await writeAll(input.influxUrl, input.db, payloads, agent);
    ingestMs += performance.now() - t1;
  }
  agent.destroy();
  if (sink < 0) throw new Error('unreachable');
  return { parseSeconds: parseMs / 1000, encodeFloorSeconds: encodeMs / 1000, ingestSeconds: ingestMs / 1000, points };
}

/** Keeps the floor's output alive, so the encoder cannot be optimised away. */
let sink = 0;

/**
 * The least an encoder must do for these lines: one tag string per object, then per sample
 * measurement + tags + field + value + time, into 5,000-line bodies. Tag values are escaped only
 * where they hold a special character (a test, not a rewrite, for almost all).
 */
export function minimalEncode(series: readonly Series[], timeMs: number, schema: Schema): number {
  const t = ` ${timeMs}\n`;
  let bytes = 0;
  let body = '';
  let lines = 0;
  for (const s of series) {
    let tags = '';
    for (const k in s.tags) {
      const v = s.tags[k];
      if (v) tags += `,${k}=${SPECIAL.test(v) ? v.replace(SPECIALS, '\\$&') : v}`;
    }
    const { families, values, length } = Samples.of(s.samples);
    for (let i = 0; i < length; i++) {
      const x = { family: families[i] as Family, value: values[i] as number };
      const name = x.family.name;
      const at = schema === 'withfields' ? name.indexOf('/') : -1;
      const head = at < 0 ? `${name}${tags} value=` : `${name.slice(0, at)}${tags} ${name.slice(at + 1)}=`;
      body += head + (x.family.int ? `${Math.round(x.value)}i` : String(x.value)) + t;
      if (++lines === BATCH_LINES) {
        bytes += body.length;
        body = '';
        lines = 0;
      }
    }
  }
  return bytes + body.length;
}

const SPECIAL = /[ ,=\\]/;
const SPECIALS = /[ ,=\\]/g;

interface Reading {
  bodies: string[];
  lines: string[];
  series: Series[];
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
  const series: Series[] = [];
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
    for (const s of batch.series) encodeSeries(s, timeMs, input.schema, lines);
    series.push(...batch.series);
    states.set(node.name, batch.state);
  }
  return { bodies, lines, series, states };
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
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        res.statusCode && res.statusCode < 300
          ? resolve()
          : reject(new Error(`influxd answered ${res.statusCode} to ${path}: ${text.slice(0, 300)}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}
