/**
 * The right-sizing rows over days (issue 25's cost): a week of one workload's raw points, written
 * straight into a fresh database (one point per pod and 5-minute window, a pod that comes and
 * goes), rolled up by the real rollup's rows (spans and edges), then read by the routes over
 * windows whose edges fall mid-hour and mid-day. Every answer is compared with the one worked out
 * here from the generated samples alone, and with the routes' answer from the raw points alone;
 * a repeated rollup writes the same rows, and windows redone after late points take them in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { readProgress } from '#shared/rollup/progress';
import { rewind } from '#shared/rollup/late';
import type { Level } from '#shared/rollup/levels';
import { progressKeys, progressLevel, rollRightsizing } from '#shared/rollup/rightsizing-run';
import { anyDayStartMs } from '#test/helpers/any-day';
import { freshDatabase, rows, writeLines } from '#test/helpers/influx';
import { answer, queryDeps } from '#test/helpers/query-fixture';
import { createApp } from '../functions/query/app';

const M5 = 300_000;
const H = 3_600_000;
const D = 86_400_000;
const MIB = 2 ** 20;
const LEVEL: Level = { name: '5m', windowMs: M5, retention: '30d', rp: 'heapless_5m' };
/** The wall clock's 5-minute window when the file loads: the history ends there. */
const END = anyDayStartMs(M5);
const START = END - 6 * D - 20 * H;

interface Sample {
  pod: string;
  timeMs: number;
  millicores: number;
  bytes: number;
}

/** One point per pod and window, 10 s into it; pod c only on the second and third day. */
function generate(): Sample[] {
  const out: Sample[] = [];
  for (let w = START; w < END; w += M5) {
    const k = (w - START) / M5;
    for (const [i, pod] of ['web-a', 'web-b', 'web-c'].entries()) {
      if (pod === 'web-c' && (w < START + D || w >= START + 3 * D)) continue;
      if ((k + i) % 11 === 5) continue;
      const millicores = ((k * 7919 + i * 104_729) % 5000) / 37 + 3 * Math.sin(k / 40);
      out.push({ pod, timeMs: w + 10_000, millicores, bytes: 100 * MIB + ((k * 13 + i * 7) % 1000) * 65_536 });
    }
  }
  return out;
}

const tags = (pod: string) =>
  `container_name=app,namespace_name=ns,nodename=node-0,pod_name=${pod},type=pod_container,workload_kind=Deployment,workload_name=web`;

function lines(samples: readonly Sample[]): string[] {
  return samples.flatMap((s) => [
    `cpu/usage_rate,${tags(s.pod)} value=${s.millicores} ${s.timeMs}`,
    `memory/working_set,${tags(s.pod)} value=${s.bytes} ${s.timeMs}`,
    `cpu/request,${tags(s.pod)} value=250 ${s.timeMs}`,
  ]);
}

/** The recommendation's figures over (alignStart(now − window), now], from the samples alone. */
function truth(samples: readonly Sample[], nowMs: number, windowMs: number) {
  const from = Math.floor((nowMs - windowMs) / M5) * M5;
  const inside = samples.filter((s) => s.timeMs >= from && s.timeMs <= nowMs);
  const means = inside.map((s) => s.millicores).sort((a, b) => a - b);
  const p95 = Math.ceil(means[Math.ceil(0.95 * means.length) - 1]! * (1 - 1e-12));
  const windows = inside.map((s) => Math.floor(s.timeMs / M5) * M5);
  return {
    pods: new Set(inside.map((s) => s.pod)).size,
    windows: inside.length,
    p95,
    maxBytes: Math.max(...inside.map((s) => s.bytes)),
    start: new Date(Math.min(...windows)).toISOString(),
    end: new Date(Math.max(...windows) + M5).toISOString(),
  };
}

async function roll(client: InfluxClient, nowMs: number): Promise<number> {
  const progress = await readProgress(client, [progressLevel(LEVEL)]);
  return rollRightsizing({
    client,
    level: LEVEL,
    rawRp: 'heapless',
    progress,
    due: { nowMs, delayMs: 60_000, maxWindows: 5_000, backfillMs: 7 * D },
    deadline: Date.now() + 600_000,
  });
}

describe('right-sizing rows over a week: spans and edges against the samples', () => {
  let client: InfluxClient;
  const samples = generate();
  // Query times mid-hour; of the two, at least one is mid-day too (their hours differ by 11).
  const nows = [Math.floor((END - 3 * H) / H) * H + 35 * 60_000 + 17_000, Math.floor((END - 14 * H) / H) * H + 10 * M5];
  const path = (w: string) => `/api/v1/model/namespaces/ns/workloads/Deployment/web/recommendation?window=${w}`;
  const app = (nowMs: number, env: Record<string, string> = {}) => createApp(queryDeps(client, () => nowMs, [], env));

  beforeAll(async () => {
    client = await freshDatabase('recommend_rows');
    await client.ensureDatabase('7d');
    await client.query(`CREATE RETENTION POLICY heapless_5m ON "${client.options.db}" DURATION 30d REPLICATION 1`, {
      db: null,
    });
    const all = lines(samples);
    for (let i = 0; i < all.length; i += 20_000) await writeLines(client, all.slice(i, i + 20_000));
    expect(await roll(client, END + 2 * M5)).toBeGreaterThan(0);
  }, 300_000);
  afterAll(async () => {
    await client.query(`DROP DATABASE "${client.options.db}"`, { db: null });
  });

  it('keeps head and tail rows of every kind, the edges in one field', async () => {
    const count = (f: string) =>
      rows(client, `SELECT count("${f}") FROM "heapless_5m"."heapless_rightsizing" GROUP BY "span"`);
    expect((await count('cpu')).map((k) => k['span']).sort()).toEqual(['1d', '1h', '5m']);
    expect((await count('v')).map((k) => k['span']).sort()).toEqual(
      expect.arrayContaining(['1d-head', '1d-tail', '1h-head', '1h-tail', '7d-head']),
    );
  });

  it('answers windows with edges mid-hour and mid-day as the samples give them, and as the raw points alone do', async () => {
    for (const nowMs of nows)
      for (const [w, ms] of [
        ['6d', 6 * D],
        ['2d', 2 * D],
        ['1h', H],
      ] as const) {
        const got = await answer(app(nowMs), path(w));
        expect(got.status).toBe(200);
        const [c] = got.json.containers;
        const want = truth(samples, nowMs, ms);
        expect({
          pods: c.pods,
          windows: c.windows,
          p95: c.cpu.p95Millicores,
          maxBytes: c.memory.maxBytes,
          start: c.start,
          end: c.end,
        }).toEqual(want);
        expect(c.cpu.requestMillicores).toBe(250);
        // Without a 5-minute level the routes read every raw point.
        const raw = await answer(app(nowMs, { ROLLUP_LEVELS: '1h:400d' }), path(w));
        expect(got.json).toEqual(raw.json);
      }
  });

  it('writes the same rows again when a run repeats its windows, and takes in late points when they are redone', async () => {
    const count = `SELECT count(*) FROM "heapless_5m"."heapless_rightsizing" GROUP BY "span"`;
    const before = await rows(client, count);
    const again = async (fromMs: number) => {
      const progress = await readProgress(client, [progressLevel(LEVEL)]);
      // As rollup/late does: stamped at the run's time, so the run's own progress overwrites it.
      await rewind(client, [progressLevel(LEVEL)], progressKeys(), progress, fromMs, END + 2 * M5);
      await roll(client, END + 2 * M5);
    };
    await again(START + 2 * D + 7 * H + 5 * M5);
    expect(await rows(client, count)).toEqual(before);
    const first = await answer(app(nows[0]!), path('6d'));
    // A pod's points arrive late, in windows long rolled up; the windows from there are redone.
    const late = Array.from({ length: 30 }, (_, i) => ({
      pod: 'web-late',
      timeMs: START + 2 * D + 9 * H + i * M5 + 10_000,
      millicores: 900 + i,
      bytes: 900 * MIB,
    }));
    await writeLines(client, lines(late));
    await again(late[0]!.timeMs);
    const got = (await answer(app(nows[0]!), path('6d'))).json.containers[0];
    const want = truth([...samples, ...late], nows[0]!, 6 * D);
    expect(got.pods).toBe(want.pods);
    expect(got.windows).toBe(want.windows);
    expect(got.cpu.p95Millicores).toBe(want.p95);
    expect(got.memory.maxBytes).toBe(900 * MIB);
    expect(got.windows).toBe(first.json.containers[0].windows + 30);
  });
});
