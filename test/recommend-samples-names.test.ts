/**
 * The collector's right-sizing samples (`heapless_rightsizing_samples`) with odd names and long
 * pod lists, written to the real influxd beside the pod containers' own points in one body: a
 * bad label never breaks the batch, and what the routes make of the samples equals influxd's own
 * answers over the raw points (mean per pod and 5-minute window with the sampled fallback left
 * out, largest working set, kills), names as InfluxDB stores them.
 */
import { describe, expect, it } from 'vitest';
import type { NodeBatch, Sample, Series } from '#shared/derive/types';
import { familyOf } from '#shared/derive/object';
import { SAMPLED_TAGS } from '#shared/derive/series';
import { RightsizingSamples } from '#shared/derive/rightsizing-samples';
import { encodeSeries } from '#shared/encode/line-protocol';
import { expectTailEqualsRaw } from '#test/helpers/recommend-compare';
import { anyDayStartMs } from '#test/helpers/any-day';
import { freshDatabase, rows, writeLines } from '#test/helpers/influx';

const MIN = 60_000;
const ODD = ['web', 'a b,c=d', 'quote"d', 'back\\slash\\', 'new\nline', 'ünï', '-dash', '=eq'];

function container(ns: string, kind: string, workload: string, pod: string, name: string, samples: Sample[]): Series {
  const tags = {
    type: 'pod_container',
    nodename: 'node-0',
    namespace_name: ns,
    pod_name: pod,
    workload_kind: kind,
    workload_name: workload,
    container_name: name,
  };
  return { tags, samples };
}

/** Run `i`'s samples of one container: CPU (sampled on `sampled`), working set, and a kill. */
function samples(i: number, sampled: boolean, killMs?: number): Sample[] {
  const out: Sample[] = [
    sampled
      ? { family: familyOf('cpu/usage_rate'), value: 7.25 + i, tags: SAMPLED_TAGS }
      : { family: familyOf('cpu/usage_rate'), value: 0.1 * (i + 1) + 1 / 3 },
    { family: familyOf('memory/working_set'), value: 1_000_000 + 4096 * ((i * 7) % 5) },
  ];
  if (killMs !== undefined) out.push({ family: familyOf('restart/oom_kill'), value: 1, timeMs: killMs });
  return out;
}

describe('right-sizing samples with odd names and long pod lists', () => {
  it('are stored in one body with the raw points, and read back as influxd answers over those', async () => {
    const client = await freshDatabase('recommend_samples_names');
    await client.query(`CREATE DATABASE "${client.options.db}"`, { db: null });
    const start = anyDayStartMs() - 3_600_000;
    const lines: string[] = [];
    // 12 runs a minute apart: the range ends mid-window; a kill each at runs 3 and 9.
    for (let i = 0; i < 12; i++) {
      const t = start + i * MIN;
      const series: Series[] = [];
      for (const [j, odd] of ODD.entries()) {
        const pod = j % 2 ? odd : `${odd}-x${j}`;
        const kill = i >= 3 && j === 2 ? start + 3 * MIN + 1234 : undefined;
        series.push(container(odd, 'Deployment', odd, pod, odd, samples(i + j, i === 5 && j === 1, kill)));
      }
      // A DaemonSet of 1,500 pods with long names: its list is cut over several points.
      for (let k = 0; k < 1_500; k++)
        series.push(
          container('ns', 'DaemonSet', 'agent', `agent-${'z'.repeat(20)}-${k}`, 'app', samples(i + k, false)),
        );
      const acc = new RightsizingSamples(undefined);
      acc.add({ node: 'node-0', series, state: {} } satisfies NodeBatch);
      for (const s of series) encodeSeries(s, t, 'heapster', lines);
      lines.push(...acc.lines(t));
    }
    // A run stamped a minute before the range saw a kill inside it (its scrape came later), and
    // no later run repeats it (the pod is gone): the kill counts, the run's values do not.
    const early = container('ns', 'Job', 'gone', 'gone-1', 'app', samples(0, false, start + 10_000));
    const acc = new RightsizingSamples(undefined);
    acc.add({ node: 'node-0', series: [early], state: {} });
    encodeSeries(early, start - MIN, 'heapster', lines);
    lines.push(...acc.lines(start - MIN));
    await writeLines(client, lines);
    const parts = await rows(client, `SHOW TAG VALUES FROM "heapless_rightsizing_samples" WITH KEY = "part"`);
    expect(parts.length).toBeGreaterThan(0);

    const [fromMs, endMs] = [start, start + 11 * MIN + 30_000];
    const { cpu, oom } = await expectTailEqualsRaw(client, fromMs, endMs);
    expect(cpu.length).toBe(1_508 * 3);
    expect(oom.length).toBe(2);
  });
});
