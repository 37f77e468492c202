/**
 * @module bench/recommend-samples-cost
 * What the collector's right-sizing samples (`heapless_rightsizing_samples`) cost a run:
 * `npx tsx bench/recommend-samples-cost.ts --scenario 1000x30 [--rounds 5]`. The simulated
 * kubelets are read twice and derived as a run derives them (rates included); then, over every
 * node's batch: derive itself (for scale), and the samples alone (accumulating the batches and
 * writing their lines), each the least process CPU time of the rounds. Then the lines of two runs
 * are written to a fresh influxd: its CPU-s for each write (the first creates the series). One
 * JSON line: points, series, bytes per run, CPU ms.
 */
import { parseArgs } from 'node:util';
import { decodeSummaryText } from '#shared/decode/summary';
import { RightsizingSamples } from '#shared/derive/rightsizing-samples';
import type { NodeState } from '#shared/derive/types';
import type { NodeInfo } from '#shared/model';
import { startCluster } from '#test/sim/cluster';
import { startInfluxd } from '#test/influxd/server';
import { scenarioCluster } from '#bench/scenarios';
import { readSim } from '#bench/sim-reader';
import { best, derive } from '#bench/cpu-time';
import { usageOf } from '#bench/process-usage';
import { benchDatabase, write } from '#bench/recommend-history';

const { values } = parseArgs({
  options: { scenario: { type: 'string', default: '1000x30' }, rounds: { type: 'string', default: '5' } },
});
const [nodes = 0, podsPerNode = 0] = values.scenario.split('x').map(Number);
const TIME_MS = Math.floor(Date.now() / 60_000) * 60_000;

async function main(): Promise<void> {
  const sim = await startCluster(scenarioCluster({ name: 'samples', nodes, podsPerNode, shards: 1 }));
  let bodies: string[];
  let before: string[];
  let reader: Awaited<ReturnType<typeof readSim>>;
  try {
    reader = await readSim(sim);
    const read = () => Promise.all(reader.nodes.map((n) => reader.fetchSummary(n.name)));
    before = await read();
    sim.clock.advance(60);
    bodies = await read();
  } finally {
    await sim.stop();
  }
  const prev = new Map<string, NodeState>();
  before.forEach((b, i) => {
    const node = reader.nodes[i] as NodeInfo;
    prev.set(node.name, derive(decodeSummaryText(b), node, reader.pods, undefined).state);
  });
  const summaries = bodies.map((b) => decodeSummaryText(b));
  const derived = () =>
    summaries.map((s, i) => derive(s, reader.nodes[i] as NodeInfo, reader.pods, prev.get(reader.nodes[i]?.name ?? '')));
  const batches = derived();
  const rounds = Number(values.rounds);
  let lines: string[] = [];
  const samplesMs = Math.round(
    best(rounds, () => {
      const acc = new RightsizingSamples(undefined);
      for (const b of batches) acc.add(b);
      lines = acc.lines(TIME_MS);
    }),
  );
  const deriveMs = Math.round(best(rounds, () => void derived()));
  const runPoints = batches.reduce((n, b) => n + b.series.reduce((m, s) => m + s.samples.length, 0), 0);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);

  const influx = await startInfluxd();
  const influxd: number[] = [];
  try {
    await benchDatabase(influx.url, 'bench_samples');
    for (const t of [TIME_MS - 60_000, TIME_MS]) {
      const at = ` ${TIME_MS}`;
      const run = lines.map((l) => `${l.slice(0, -at.length)} ${t}`);
      const cpu0 = usageOf(influx.pid).cpuSeconds;
      for (let i = 0; i < run.length; i += 5_000)
        await write(influx.url, 'bench_samples', 'heapless', run.slice(i, i + 5_000));
      influxd.push(Math.round((usageOf(influx.pid).cpuSeconds - cpu0) * 100) / 100);
    }
  } finally {
    await influx.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'recommend-samples-cost',
      scenario: values.scenario,
      runPoints,
      samplesPoints: lines.length,
      samplesBytes: bytes,
      samplesCpuMs: samplesMs,
      deriveCpuMs: deriveMs,
      influxdCpuSFirstRun: influxd[0],
      influxdCpuSNextRun: influxd[1],
    }),
  );
}

await main();
