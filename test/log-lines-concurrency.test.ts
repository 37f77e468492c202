/**
 * A run's output is one JSON line per event, whatever its settings: with KUBELET_CONCURRENCY above
 * 10, every in-flight scrape listens on the run's one stop signal (deadline, SIGTERM), and Node
 * would print its listener-leak warning, a line of plain text, on stderr.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InfluxClient } from '#shared/influx/client';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { freshDatabase } from '#test/helpers/influx';
import { runCollectBundle } from '#test/helpers/collect-bundle';

describe('a run with 16 scrapes in flight', () => {
  let sim: SimCluster;
  let client: InfluxClient;
  let result: Awaited<ReturnType<typeof runCollectBundle>>;
  const NODES = 24;
  beforeAll(async () => {
    sim = await startCluster({ nodes: NODES, podsPerNode: 2, containersPerPod: 1 });
    client = await freshDatabase('log_lines_concurrency');
    result = await runCollectBundle(sim, client, { KUBELET_CONCURRENCY: '16' });
  }, 120_000);
  afterAll(() => sim.stop());

  it('collects every node and writes nothing but JSON lines', () => {
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatchObject({ nodes: NODES, nodesOk: NODES });
    const plain = result.stderr.split('\n').filter((l) => l.trim() !== '' && !isJson(l));
    expect(plain).toEqual([]);
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
