import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSummaryText, SummaryDecodeError } from '#shared/decode/summary';
import { FIXTURES_DIR } from '#test/helpers/paths';

const DIR = `${FIXTURES_DIR}/kubelet-summary/`;
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('decodeSummaryText on every real kubelet fixture', () => {
  it('has fixtures to decode', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(14);
  });

  it.each(fixtures)('%s decodes to a node with finite, non-negative numbers', (file) => {
    const raw = readFileSync(DIR + file, 'utf8');
    const json = JSON.parse(raw) as { node: { nodeName: string }; pods?: unknown[] };
    const summary = decodeSummaryText(raw);
    expect(summary.node.name).toBe(json.node.nodeName);
    expect(summary.pods.length).toBe((json.pods ?? []).length);
    const numbers: number[] = [];
    JSON.stringify(summary, (_k, v: unknown) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    expect(numbers.length).toBeGreaterThan(0);
    for (const n of numbers) {
      expect(Number.isFinite(n)).toBe(true);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThan(2 ** 63);
    }
  });
});

describe('odd payloads', () => {
  it('drops uint64-max sentinels (above int64) instead of producing an unstorable value', () => {
    const raw = readFileSync(DIR + 'summary_k8s-1.5-or-1.6_gke-2017_beats_EDITED-uint64max-inodes.json', 'utf8');
    expect(raw).toContain('18446744073709551615');
    const s = decodeSummaryText(raw);
    expect(s.node.fs?.inodes).toBeGreaterThan(0);
    expect(s.node.fs?.inodesFree).toBeUndefined();
  });

  it('keeps counters between 2^53 and 2^63 as numbers', () => {
    const big = 2 ** 53 * 4;
    const s = decodeSummaryText(
      JSON.stringify({ node: { nodeName: 'n', cpu: { time: '2026-01-01T00:00:00Z', usageCoreNanoSeconds: big } } }),
    );
    expect(s.node.cpu?.usageCoreNanoSeconds).toBe(big);
  });

  it('gives no sample for missing, null, negative or mistyped fields', () => {
    const s = decodeSummaryText(
      JSON.stringify({
        node: {
          nodeName: 'n',
          startTime: null,
          cpu: { time: null, usageNanoCores: -5, usageCoreNanoSeconds: 'x' },
          memory: {},
        },
        pods: [
          {
            podRef: { name: 'p', namespace: 'ns' },
            containers: [{ name: 'c', cpu: { usageNanoCores: 7 } }, { cpu: {} }],
            userDefinedMetrics: null,
          },
          { podRef: {} },
        ],
      }),
    );
    expect(s.node.startTimeMs).toBeUndefined();
    expect(s.node.cpu).toBeUndefined();
    expect(s.node.memory).toBeUndefined();
    expect(s.pods).toHaveLength(1);
    expect(s.pods[0]?.containers).toEqual([{ name: 'c', cpu: { usageNanoCores: 7 }, accelerators: [], custom: [] }]);
  });

  it('rejects invalid JSON and non-summaries with a clear error', () => {
    expect(() => decodeSummaryText('{"node": ')).toThrow(SummaryDecodeError);
    expect(() => decodeSummaryText('{"pods": []}')).toThrow(/no node.nodeName/);
  });
});

describe('the signals of 1.34+ kubelets', () => {
  const read = (version: string) => {
    const file = fixtures.find((f) => f.includes(`k8s-${version}`))!;
    const raw = readFileSync(DIR + file, 'utf8');
    return { json: JSON.parse(raw) as Record<string, any>, summary: decodeSummaryText(raw) };
  };

  it('decodes PSI, swap, process counts and rlimit exactly as the 1.35 kubelet printed them', () => {
    const { json, summary } = read('1.35.0');
    const n = json['node'];
    expect(summary.node.cpu?.psi?.some?.avg10).toBe(n.cpu.psi.some.avg10);
    expect(summary.node.cpu?.psi?.full?.totalMicros).toBe(n.cpu.psi.full.total);
    expect(summary.node.memory?.psi?.some?.avg300).toBe(n.memory.psi.some.avg300);
    expect(summary.node.io?.psi?.some?.totalMicros).toBe(n.io.psi.some.total);
    expect(summary.node.swap).toEqual({
      timeMs: Date.parse(n.swap.time),
      usageBytes: n.swap.swapUsageBytes,
      availableBytes: n.swap.swapAvailableBytes,
    });
    expect(summary.node.processCount).toBe(n.rlimit.curproc);
    expect(summary.node.processMax).toBe(n.rlimit.maxpid);
    const pod = json['pods'][0];
    expect(summary.pods[0]?.processCount).toBe(pod.process_stats.process_count);
    // The kubelet gives pods no swapAvailableBytes: it stays missing, never 0.
    expect(summary.pods[0]?.swap).toEqual({ timeMs: Date.parse(pod.swap.time), usageBytes: pod.swap.swapUsageBytes });
  });

  it('leaves them out for a kubelet that has none (1.28)', () => {
    const { summary } = read('1.28.3');
    expect(summary.node.cpu?.psi).toBeUndefined();
    expect(summary.node.io).toBeUndefined();
    expect(summary.pods.every((p) => p.memory?.psi === undefined && p.cpu?.psi === undefined)).toBe(true);
  });
});
