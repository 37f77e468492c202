/**
 * @module bench/cronjob-truth
 * What `bench/cronjob.ts` runs stored, compared with the simulator's ground truth, computed from
 * sim/truth and sim/usage-truth, never from the collector's code. For each run's interval:
 * every container's and every node's working set and CPU counter, the exact value the kubelet
 * served at that simulated instant (a missing point counts as missing, a different one as wrong).
 * The runs' own figures say how many points each stored; counting every measurement's points at
 * a timestamp (a count over every measurement) took influxd past 20 GB at 1,000 × 30: not asked.
 */
import type { InfluxClient } from '#shared/influx/client';
import type { Schema } from '#shared/encode/line-protocol';
import type { GroundTruth, UsageTruth } from '#test/sim/truth';
import { cpuCounterAt, memoryAt } from '#test/sim/usage-truth';

export interface Interval {
  /** The run's timestamp (ms), as stamped on its points. */
  timeMs: number;
  /** The simulated instant the kubelets answered at. */
  simMs: number;
}

export interface TruthFigures {
  /** Container and node values compared, over every interval. */
  compared: number;
  missing: number;
  wrong: number;
}

/** [measurement, field] of the two signals compared, in each schema. */
const SIGNALS: Record<Schema, { workingSet: [string, string]; cpu: [string, string] }> = {
  heapster: { workingSet: ['memory/working_set', 'value'], cpu: ['cpu/usage', 'value'] },
  withfields: { workingSet: ['memory', 'working_set'], cpu: ['cpu', 'usage'] },
};

interface Expected {
  key: string;
  type: 'node' | 'pod_container';
  usage: UsageTruth;
  startMs: number;
}

function expectedObjects(truth: GroundTruth): Expected[] {
  return truth.nodes.flatMap((n) => [
    { key: n.name, type: 'node' as const, usage: n, startMs: n.startTimeMs },
    ...n.pods.flatMap((p) =>
      p.containers.map((c) => ({
        key: `${p.namespace}/${p.name}/${c.name}`,
        type: 'pod_container' as const,
        usage: c,
        startMs: c.startTimeMs,
      })),
    ),
  ]);
}

const keyOf = (tags: Record<string, string>): string =>
  tags['type'] === 'node'
    ? (tags['nodename'] ?? '')
    : `${tags['namespace_name']}/${tags['pod_name']}/${tags['container_name']}`;

/** Values of one field at one instant, by object key, for nodes and containers. */
async function valuesAt(client: InfluxClient, [m, f]: [string, string], timeMs: number): Promise<Map<string, number>> {
  const [res] = await client.query(
    `SELECT "${f}" FROM "${m}" WHERE ("type" = 'node' OR "type" = 'pod_container') AND time = ${timeMs}ms ` +
      'GROUP BY "type", "nodename", "namespace_name", "pod_name", "container_name"',
  );
  const out = new Map<string, number>();
  for (const s of res?.series ?? []) out.set(keyOf(s.tags ?? {}), Number(s.values[0]?.[1]));
  return out;
}

export async function compareWithTruth(
  client: InfluxClient,
  schema: Schema,
  truth: GroundTruth,
  intervals: readonly Interval[],
): Promise<TruthFigures> {
  const objects = expectedObjects(truth);
  const out: TruthFigures = { compared: 0, missing: 0, wrong: 0 };
  for (const { timeMs, simMs } of intervals) {
    const ws = await valuesAt(client, SIGNALS[schema].workingSet, timeMs);
    const cpu = await valuesAt(client, SIGNALS[schema].cpu, timeMs);
    for (const o of objects) {
      const want: Array<[Map<string, number>, number]> = [
        [ws, memoryAt(o.usage, simMs).workingSetBytes],
        [cpu, cpuCounterAt(o.usage, o.startMs, simMs)],
      ];
      for (const [got, value] of want) {
        out.compared++;
        const v = got.get(o.key);
        if (v === undefined) out.missing++;
        else if (v !== value) out.wrong++;
      }
    }
  }
  return out;
}
