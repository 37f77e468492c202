import { describe, expect, it } from 'vitest';
import { nearestRank, recommend, roundUp, type ContainerData } from '#shared/query/recommend';
import { foldRecommendationData, recommendationStatements } from '#shared/query/recommend-query';
import { addCpu, emptyRow, mergeRow, parseRow, rowFields, segments } from '#shared/rollup/rightsizing';

const MIB = 2 ** 20;
const DAY = 86_400_000;

function data(over: Partial<ContainerData> = {}): ContainerData {
  return {
    name: 'app',
    cpuWindows: [10, 20, 30],
    pods: new Set(['p']),
    firstWindowMs: 0,
    lastWindowMs: 2 * DAY,
    maxWorkingSetBytes: 100 * MIB,
    cpuRequest: 100,
    memoryRequest: 128 * MIB,
    memoryLimit: 256 * MIB,
    oomKills: 0,
    ...over,
  };
}

describe('right-sizing rules (issue 25 §1)', () => {
  it.each([
    [20, 19],
    [21, 20],
    [34, 33],
    [100, 95],
    [1, 1],
  ])('the p95 of 1…%i is the nearest rank, %i', (n, want) => {
    expect(
      nearestRank(
        Array.from({ length: n }, (_, i) => n - i),
        0.95,
      ),
    ).toBe(want);
  });

  it('rounds up, forgiving float noise just above a whole number', () => {
    expect(roundUp(100.0000000001, 1)).toBe(100);
    expect(roundUp(100.01, 1)).toBe(101);
    expect(roundUp(MIB + 1, MIB)).toBe(2 * MIB);
  });

  it('recommends memory as the max working set × 1.15, and after an OOM kill no less than the limit × 1.2', () => {
    expect(recommend(data()).memory.recommendedBytes).toBe(115 * MIB);
    expect(recommend(data({ maxWorkingSetBytes: 100 * MIB + 1 })).memory.recommendedBytes).toBe(116 * MIB);
    const killed = recommend(data({ oomKills: 2 }));
    expect(killed.memory.recommendedBytes).toBe(Math.ceil(256 * 1.2) * MIB);
    expect(killed.notes).toContain('oom-killed');
  });

  it('reports unset requests as null and the difference against 0; under a day is not enough history', () => {
    const r = recommend(data({ cpuRequest: 0, memoryRequest: undefined, lastWindowMs: DAY - 600_000 }));
    expect(r.cpu.requestMillicores).toBeNull();
    expect(r.cpu.differenceMillicores).toBe(-30);
    expect(r.notes).toEqual(
      expect.arrayContaining(['not enough history', 'no cpu request', 'no memory request', 'cpu short']),
    );
  });

  it('reads OOM kills older than the raw retention from the 5-minute level, and the rest raw', () => {
    const ranges = { startMs: 0, endMs: 30 * DAY, rp: 'heapless_5m', cpuDoneMs: 29 * DAY, rawFromMs: 23 * DAY + 1 };
    const s = recommendationStatements({}, ranges);
    expect(s[5]).toMatch(/FROM "restart\/oom_kill" .*time >= '[^']+' AND time <= /);
    expect(s[6]).toMatch(/sum\("value_count"\) FROM "heapless_5m"\."restart\/oom_kill" .* time < /);
    const tags = { namespace_name: 'ns', workload_kind: 'Deployment', workload_name: 'w', container_name: 'app' };
    const cpu = {
      series: [
        { name: 'cpu/usage_rate', tags: { ...tags, pod_name: 'p' }, columns: ['time', 'value'], values: [[0, 5]] },
      ],
    };
    const raw = { series: [{ name: 'restart/oom_kill', tags, columns: ['time', 'count'], values: [[0, 2]] }] };
    const old = { series: [{ name: 'restart/oom_kill', tags, columns: ['time', 'sum'], values: [[0, 3]] }] };
    const folded = foldRecommendationData([cpu, undefined, undefined, undefined, undefined, raw, old] as any);
    expect(folded.get('ns\u0000Deployment\u0000w')?.containers.get('app')?.oomKills).toBe(5);
  });
});

describe('right-sizing rows (rollup/rightsizing)', () => {
  const H = 3_600_000;
  const M5 = 300_000;

  it('covers a range with whole days, hours around them and 5-minute windows at the edges, each span as far as it is done', () => {
    const from = DAY - H - 2 * M5;
    const to = 3 * DAY + 2 * H + M5;
    const done = { '5m': to, '1h': 3 * DAY + H, '1d': 2 * DAY };
    expect(segments(from, to, done)).toEqual([
      { span: '5m', fromMs: from, toMs: DAY - H },
      { span: '1h', fromMs: DAY - H, toMs: DAY },
      { span: '1d', fromMs: DAY, toMs: 2 * DAY },
      { span: '1h', fromMs: 2 * DAY, toMs: 3 * DAY + H },
      { span: '5m', fromMs: 3 * DAY + H, toMs: to },
    ]);
    // Nothing coarser done: 5-minute rows only.
    expect(segments(from, to, { '5m': to })).toEqual([{ span: '5m', fromMs: from, toMs: to }]);
  });

  it('gives the p95 rounded up from the histogram of rounded-up window means, as from the means themselves', () => {
    const means = Array.from({ length: 997 }, (_, i) => ((i * 7919) % 1000) / 7 + 0.001);
    const row = emptyRow();
    means.forEach((m, i) => addCpu(row, `p${i % 10}`, i * M5, m));
    const merged = emptyRow();
    mergeRow(
      merged,
      parseRow((c) => rowFields(row)[c] ?? null),
    );
    const fromRows = recommend(data({ cpuWindows: [], cpuHistogram: merged.cpu }));
    const fromMeans = recommend(data({ cpuWindows: means }));
    expect(fromRows.cpu).toEqual(fromMeans.cpu);
    expect(fromRows.windows).toBe(997);
    expect(fromRows.cpu.p95Millicores).toBe(Math.ceil([...means].sort((a, b) => a - b)[Math.ceil(0.95 * 997) - 1]!));
  });
});

describe('right-sizing statements with rows that begin after the window starts (an upgrade)', () => {
  it('reads the level and raw points before the rows, the rows, and raw points after', () => {
    const from = 20 * DAY;
    const ranges = {
      startMs: 0,
      endMs: 30 * DAY,
      rp: 'heapless_5m',
      cpuDoneMs: 29 * DAY,
      rawFromMs: 23 * DAY + 1,
      rowsRp: 'heapless_5m',
      rowsFromMs: from,
      rowsDone: { '5m': 29 * DAY, '1h': 29 * DAY, '1d': 29 * DAY },
    };
    const s = recommendationStatements({ namespaces: ['ns'] }, ranges);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(s[0]).toContain(`time < '${iso(from - 1)}'`);
    expect(s[6]).toMatch(new RegExp(`sum\\("value_count"\\) .* time < '${iso(from)}'`));
    expect(s[7]).toContain(`time >= '${iso(29 * DAY)}'`);
    expect(s.slice(10)).toEqual([expect.stringMatching(/"span" = '1d'.*time >= '[^']+' AND time < '[^']+'/)]);
    expect(s[10]).toContain(`time >= '${iso(from)}' AND time < '${iso(29 * DAY)}'`);
  });
});
