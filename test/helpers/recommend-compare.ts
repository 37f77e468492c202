/**
 * @module test/helpers/recommend-compare
 * A right-sizing answer against the truth worked out from the simulator alone
 * (test/helpers/recommend-truth): every workload, container and number; and the samples' tail
 * against influxd's answers over the raw points.
 */
import { expect } from 'vitest';
import type { InfluxClient, QueryResult, QuerySeries } from '#shared/influx/client';
import { podName } from '#shared/families/rightsizing-samples';
import {
  readSamplesTail,
  type SamplesTail,
  samplesKillsStatement,
  samplesStatement,
} from '#shared/query/recommend-samples';
import { rows } from '#test/helpers/influx';
import type { TruthRecommendation } from '#test/helpers/recommend-truth';

export function compareContainer(got: any, want: TruthRecommendation): void {
  expect(got.pods).toBe(want.pods);
  expect(got.windows).toBe(want.windows);
  // Whole millicores: the p95 rounded up (the right-sizing rows keep rounded window means).
  expect(got.cpu.p95Millicores).toBe(Math.ceil(want.p95 * (1 - 1e-12)));
  expect(got.cpu.recommendedMillicores).toBe(want.cpuRecommended);
  expect(got.cpu.requestMillicores).toBe(want.cpuRequest);
  expect(got.memory.maxBytes).toBe(want.maxBytes);
  expect(got.memory.recommendedBytes).toBe(want.memoryRecommended);
  expect(got.memory.requestBytes).toBe(want.memoryRequest);
  expect(got.memory.limitBytes).toBe(want.memoryLimit);
  expect(got.memory.oomKills).toBe(want.oomKills);
  expect(got.cpu.differenceMillicores).toBe((want.cpuRequest ?? 0) - want.cpuRecommended);
}

/** Every workload of a cluster-wide answer against the truth; the containers compared. */
export function compareWorkloads(body: any, truth: Map<string, Map<string, TruthRecommendation>>): number {
  let compared = 0;
  expect(body.workloads.map((w: any) => `${w.namespace}/${w.kind}/${w.name}`).sort()).toEqual([...truth.keys()].sort());
  for (const w of body.workloads) {
    const want = truth.get(`${w.namespace}/${w.kind}/${w.name}`)!;
    expect(w.containers.map((c: any) => c.name).sort()).toEqual([...want.keys()].sort());
    for (const c of w.containers) {
      compareContainer(c, want.get(c.name)!);
      compared++;
    }
  }
  return compared;
}

/** Rows as sorted JSON with sorted keys, so a synthetic answer and influxd's compare whole. */
const canonical = (list: Array<Record<string, unknown>>): string[] =>
  list.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b))))).sort();
const flat = (r: QueryResult): string[] =>
  canonical(
    (r.series ?? []).flatMap((x) =>
      x.values.map((v) => ({ ...x.tags, ...Object.fromEntries(x.columns.map((k, i) => [k, v[i]])) })),
    ),
  );

/**
 * The samples' tail over [fromMs, endMs] (query/recommend-samples) against influxd's own answers
 * over the pod containers' raw points: each pod's 5-minute CPU means (sampled fallback left out),
 * the largest working set, the kills. Returns the three answers' rows, for further checks.
 */
export async function expectTailEqualsRaw(
  client: InfluxClient,
  fromMs: number,
  endMs: number,
): Promise<{ cpu: string[]; ws: string[]; oom: string[] }> {
  const [tail, before] = await client.query(
    `${samplesStatement('', fromMs, endMs)}; ${samplesKillsStatement('', fromMs)}`,
  );
  const [cpu, ws, oom] = tailAnswers(readSamplesTail(tail, before, fromMs, endMs), fromMs).map(flat) as [
    string[],
    string[],
    string[],
  ];
  const range = `"type" = 'pod_container' AND time >= ${fromMs}ms AND time <= ${endMs}ms`;
  const by = '"namespace_name","workload_kind","workload_name","container_name"';
  const raw = async (q: string) => canonical(await rows(client, q));
  expect(cpu).toEqual(
    await raw(
      `SELECT mean("value") FROM "cpu/usage_rate" WHERE ${range} AND "sampled" != 'true' GROUP BY time(5m),${by},"pod_name" fill(none)`,
    ),
  );
  // max() answers its point's time, which the fold does not read.
  const untimed = (list: string[]) => list.map((r) => r.replace(/"time":\d+,/, ''));
  expect(untimed(ws)).toEqual(
    untimed(await raw(`SELECT max("value") FROM "memory/working_set" WHERE ${range} GROUP BY ${by}`)),
  );
  expect(oom).toEqual(await raw(`SELECT count("value") FROM "restart/oom_kill" WHERE ${range} GROUP BY ${by}`));
  return { cpu, ws, oom };
}

/** The samples' tail as the three raw statements' answers: CPU means per pod and window, largest working set, kills. */
function tailAnswers(tail: SamplesTail, fromMs: number): [QueryResult, QueryResult, QueryResult] {
  const cpu: QuerySeries[] = [];
  const ws: QuerySeries[] = [];
  const oom: QuerySeries[] = [];
  for (const { tags, pods, wsMax, kills } of tail.values()) {
    for (const [code, w] of pods) {
      const values: unknown[][] = [];
      for (let i = 0; i < w.length; i += 3) values.push([w[i], (w[i + 1] as number) / (w[i + 2] as number)]);
      const pod = podName(code, tags['workload_name'] ?? '');
      cpu.push({ name: 'cpu/usage_rate', tags: { ...tags, pod_name: pod }, columns: ['time', 'mean'], values });
    }
    if (wsMax !== undefined) ws.push({ tags, columns: ['time', 'max'], values: [[fromMs, wsMax]] });
    if (kills.size > 0) oom.push({ tags, columns: ['time', 'count'], values: [[fromMs, kills.size]] });
  }
  return [{ series: cpu }, { series: ws }, { series: oom }];
}
