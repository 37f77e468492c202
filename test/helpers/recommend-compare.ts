/**
 * @module test/helpers/recommend-compare
 * A right-sizing answer against the truth worked out from the simulator alone
 * (test/helpers/recommend-truth): every workload, container and number.
 */
import { expect } from 'vitest';
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
