import { describe, expect, it } from 'vitest';
import { containerSpecSamples, OOM_KILL_WINDOW_MS } from '#shared/derive/spec';
import type { Sample } from '#shared/derive/types';
import type { ContainerSpec } from '#shared/model';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const spec = (reason: string, finishedAtMs: number): ContainerSpec => ({
  name: 'app',
  image: 'nginx',
  requests: {},
  limits: {},
  restartCount: 3,
  lastTermination: { reason, exitCode: reason === 'OOMKilled' ? 137 : 1, finishedAtMs },
});
const named = (out: Sample[], name: string) => out.filter((s) => s.family.name === name);

describe('the last termination of a container', () => {
  it('is written as its exit code tagged with the reason, and an OOM kill as one point at its own time', () => {
    const out: Sample[] = [];
    containerSpecSamples(spec('OOMKilled', NOW - 90_000), out, NOW);
    expect(named(out, 'restart/last_exit_code')).toMatchObject([{ value: 137, tags: { reason: 'OOMKilled' } }]);
    expect(named(out, 'restart/oom_kill')).toMatchObject([{ value: 1, timeMs: NOW - 90_000 }]);
  });

  it('writes no OOM kill for another reason, or for a kill older than the window (nothing a short retention rejects)', () => {
    const error: Sample[] = [];
    containerSpecSamples(spec('Error', NOW - 1000), error, NOW);
    expect(named(error, 'restart/last_exit_code')).toMatchObject([{ value: 1, tags: { reason: 'Error' } }]);
    expect(named(error, 'restart/oom_kill')).toEqual([]);
    const old: Sample[] = [];
    containerSpecSamples(spec('OOMKilled', NOW - OOM_KILL_WINDOW_MS - 1000), old, NOW);
    expect(named(old, 'restart/last_exit_code')).toHaveLength(1);
    expect(named(old, 'restart/oom_kill')).toEqual([]);
  });
});
