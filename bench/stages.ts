/**
 * `npx tsx bench/stages.ts [--scenario 200x30] [--rounds 5]`: the pure stages of a run, each
 * timed alone on the same real payloads, beside their floors, in one process. The simulated
 * kubelets are read twice (a previous reading, then the current one, so rates are derived),
 * then every round times, over every node:
 * - `listPods`: the whole pod List through kube/list-splitter and decodePod (per pod, not point);
 * - `listPodsProtobuf`: the same pods in the API server's protobuf encoding, through
 *   kube/protobuf-list-splitter and decodePodProtobuf (what a run lists by default);
 * - `parse`: JSON.parse of the bodies (the floor of decoding);
 * - `decode`: parse + decodeSummaryText's typed Summary;
 * - `derive`: deriveNode on decoded summaries;
 * - `encode`: our encoder into the writer's LineBuffer (5,000-line bodies);
 * - `encodeFloor`: bench/baselines' minimal encoder on the same series;
 * - `pipeline`: decode + derive + encode + state, as the node pipeline runs them.
 * Each figure is the least CPU time of the rounds in ms (process CPU, so the GC's helper threads count), and ns per point. GC is included: it is part of a
 * stage's cost. One JSON line.
 */
import { readFileSync } from 'node:fs';
import { decodeSummaryText } from '#shared/decode/summary';
import { decodePod } from '#shared/decode/objects';
import { ListSplitter } from '#shared/kube/list-splitter';
import { ProtobufListSplitter } from '#shared/kube/protobuf-list-splitter';
import { decodePodProtobuf } from '#shared/decode/pod-protobuf';
import { encodePod, podListHead, podListItem } from '#test/sim/pod-protobuf';
import { httpGet } from '#test/sim/http-get';
import type { NodeState, Series } from '#shared/derive/types';
import { encodeSeriesInto } from '#shared/encode/line-protocol';
import { LineBuffer } from '#shared/encode/line-buffer';
import { encodeState } from '#shared/influx/state-store';
import type { NodeInfo, PodInfo } from '#shared/model';
import { startCluster } from '#test/sim/cluster';
import { scenarioCluster } from '#bench/scenarios';
import { minimalEncode } from '#bench/baselines';
import { readSim } from '#bench/sim-reader';
import { best, derive } from '#bench/cpu-time';

const TIME_MS = 1_732_900_000_000;
const BATCH_LINES = 5_000;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

interface Input {
  /** The whole pod List as the API server sends it, in 64 KiB chunks as a socket would hand it over. */
  podList: Buffer[];
  podListProtobuf: Buffer[];
  nodes: NodeInfo[];
  pods: Map<string, PodInfo>;
  bodies: string[];
  prev: Map<string, NodeState>;
}

async function readCluster(nodes: number, podsPerNode: number): Promise<Input> {
  const sim = await startCluster(scenarioCluster({ name: 'stages', nodes, podsPerNode, shards: 1 }));
  try {
    const { nodes: nodeList, pods, fetchSummary } = await readSim(sim);
    const read = () => Promise.all(nodeList.map((n) => fetchSummary(n.name)));
    const before = await read();
    sim.clock.advance(60);
    const bodies = await read();
    const prev = new Map<string, NodeState>();
    before.forEach((b, i) => {
      const node = nodeList[i] as NodeInfo;
      prev.set(node.name, derive(decodeSummaryText(b), node, pods, undefined).state);
    });
    const whole = await httpGet(`${sim.apiUrl}/api/v1/pods`, {
      ca: readFileSync(sim.caFile, 'utf8'),
      token: sim.token,
      timeoutMs: 120_000,
    });
    if (!whole.ok) throw new Error(`listing pods: ${whole.message}`);
    const items = (JSON.parse(whole.body) as { items: Array<Record<string, unknown>> }).items.map((p) =>
      podListItem(encodePod(p)),
    );
    const protobuf = [
      podListHead(
        items.reduce((n, b) => n + b.length, 0),
        { resourceVersion: '1' },
      ),
      ...items,
    ];
    return {
      podList: chunked(Buffer.from(whole.body)),
      podListProtobuf: chunked(Buffer.concat(protobuf)),
      nodes: nodeList,
      pods,
      bodies,
      prev,
    };
  } finally {
    await sim.stop();
  }
}

/** A body as the socket hands it over: 64 KiB chunks. */
function chunked(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, at + 65_536));
  return chunks;
}

function encodeAll(series: readonly Series[], out: LineBuffer): void {
  for (const s of series) {
    encodeSeriesInto(s, TIME_MS, 'heapster', out);
    if (out.lines >= BATCH_LINES) out.take();
  }
}

async function main(): Promise<void> {
  const [nodes, podsPerNode] = arg('scenario', '200x30').split('x').map(Number);
  if (!nodes || !podsPerNode) throw new Error('--scenario must be <nodes>x<podsPerNode>');
  const rounds = Number(arg('rounds', '5'));
  /** `--only encode` (etc.): time that stage alone, e.g. under `node --cpu-prof`. */
  const only = arg('only', '');
  const input = await readCluster(nodes, podsPerNode);
  const summaries = input.bodies.map((b) => decodeSummaryText(b));
  const batches = summaries.map((s, i) =>
    derive(s, input.nodes[i] as NodeInfo, input.pods, input.prev.get(input.nodes[i]?.name ?? '')),
  );
  const series = batches.flatMap((b) => b.series);
  const points = series.reduce((n, s) => n + s.samples.length, 0);
  let sink = 0;
  const stages: Record<string, () => void> = {
    listPods: () => {
      const splitter = new ListSplitter((item) => {
        sink += decodePod(item) ? 1 : 0;
      });
      for (const chunk of input.podList) splitter.write(chunk);
      splitter.end();
    },
    listPodsProtobuf: () => {
      const splitter = new ProtobufListSplitter((item) => {
        sink += decodePodProtobuf(item) ? 1 : 0;
      });
      for (const chunk of input.podListProtobuf) splitter.write(chunk);
      splitter.end();
    },
    parse: () => {
      for (const b of input.bodies) sink += JSON.parse(b) ? 1 : 0;
    },
    decode: () => {
      for (const b of input.bodies) sink += decodeSummaryText(b).pods.length;
    },
    derive: () => {
      summaries.forEach((s, i) => {
        const node = input.nodes[i] as NodeInfo;
        sink += derive(s, node, input.pods, input.prev.get(node.name)).series.length;
      });
    },
    encode: () => encodeAll(series, new LineBuffer()),
    encodeFloor: () => {
      sink += minimalEncode(series, TIME_MS, 'heapster');
    },
    pipeline: () => {
      const out = new LineBuffer();
      input.bodies.forEach((b, i) => {
        const node = input.nodes[i] as NodeInfo;
        const batch = derive(decodeSummaryText(b), node, input.pods, input.prev.get(node.name));
        encodeAll(batch.series, out);
        out.text(encodeState(node.name, 0, batch.state, TIME_MS));
        out.end();
      });
    },
  };
  const ms = Object.fromEntries(
    Object.entries(stages)
      .filter(([name]) => !only || name === only)
      .map(([name, fn]) => [name, best(rounds, fn)]),
  );
  if (sink < 0) throw new Error('unreachable');
  const perPoint = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round((v * 1e6) / points)]));
  const rounded = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)]));
  process.stdout.write(
    `${JSON.stringify({ scenario: `${nodes}x${podsPerNode}`, points, ms: rounded, nsPerPoint: perPoint })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`stages bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
