/**
 * @module query-kubectl.test
 * The real kubectl 1.32 against the simulated cluster, with the query service registered as the
 * metrics.k8s.io backend (test/sim/aggregator): `kubectl top node` and
 * `kubectl top pod` print the simulator's exact usage, read back from InfluxDB. Authentication is
 * on (QUERY_AUTH=delegated): every request arrives with the front-proxy client certificate and
 * kubectl's identity, which the query service checks with SubjectAccessReviews.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFixture, type QueryFixture } from '#test/helpers/query-fixture';
import { aggregate, type Aggregated } from '#test/sim/aggregator';
import type { NodeTruth, PodTruth } from '#test/sim/cluster';

const run = promisify(execFile);
const MI = 1024 * 1024;

let f: QueryFixture;
let agg: Aggregated;
let cacheDir: string;

/** kubectl with its own discovery cache, so no earlier run's API groups are remembered. */
async function kubectl(...args: string[]): Promise<string[][]> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', f.collected.sim.kubeconfigPath, '--cache-dir', cacheDir, ...args],
    { timeout: 30_000 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
}

beforeAll(async () => {
  f = await queryFixture('q_kubectl', {
    sim: { nodes: 3, podsPerNode: 4, containersPerPod: 2, namespaces: 2 },
    auth: true,
  });
  agg = await aggregate(f.collected.sim, f.app);
  cacheDir = mkdtempSync(join(tmpdir(), 'heapless-kubectl-'));
});
afterAll(async () => {
  await agg?.stop();
  await f?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

/** What kubectl prints: millicores `366m`, memory in whole Mi, percentages of allocatable, rounded down. */
function nodeRow(n: NodeTruth): string[] {
  const cpu = n.cpuMillicores;
  const ws = n.memory.workingSetBytes;
  return [
    n.name,
    `${cpu}m`,
    `${Math.floor((cpu * 100) / n.allocatableAmounts.cpuMillicores)}%`,
    `${Math.floor(ws / MI)}Mi`,
    `${Math.floor((ws * 100) / n.allocatableAmounts.memoryBytes)}%`,
  ];
}

function pods(): PodTruth[] {
  return f.collected.sim.truth.nodes.flatMap((n) => n.pods);
}

describe('kubectl top through the query service', () => {
  it('kubectl top node prints every node with its CPU and memory', async () => {
    const [header, ...rows] = await kubectl('top', 'node');
    expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(rows).toEqual(f.collected.sim.truth.nodes.map(nodeRow));
  });

  it('kubectl top node NAME and -l select through the single get and labelSelector', async () => {
    const node = f.collected.sim.truth.nodes[1]!;
    expect((await kubectl('top', 'node', node.name)).slice(1)).toEqual([nodeRow(node)]);
    const workers = await kubectl('top', 'node', '-l', 'node-role.kubernetes.io/worker');
    expect(workers.slice(1).map((r) => r[0])).toEqual(['node-1', 'node-2']);
  });

  it('kubectl top pod -A --containers prints every container of every pod', async () => {
    const [header, ...rows] = await kubectl('top', 'pod', '-A', '--containers');
    expect(header).toEqual(['NAMESPACE', 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const expected = pods().flatMap((p) =>
      p.containers.map((c) => [
        p.namespace,
        p.name,
        c.name,
        `${c.cpuMillicores}m`,
        `${Math.floor(c.memory.workingSetBytes / MI)}Mi`,
      ]),
    );
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('kubectl top pod -A sums containers per pod', async () => {
    const [, ...rows] = await kubectl('top', 'pod', '-A');
    const expected = pods().map((p) => {
      const cpu = p.containers.reduce((s, c) => s + c.cpuMillicores, 0);
      const mem = p.containers.reduce((s, c) => s + c.memory.workingSetBytes, 0);
      return [p.namespace, p.name, `${cpu}m`, `${Math.floor(mem / MI)}Mi`];
    });
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('kubectl top pod -n, -l and a named pod', async () => {
    const inNs1 = await kubectl('top', 'pod', '-n', 'ns-1');
    expect(
      inNs1
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(
      pods()
        .filter((p) => p.namespace === 'ns-1')
        .map((p) => p.name)
        .sort(),
    );
    const labelled = await kubectl('top', 'pod', '-n', 'ns-0', '-l', 'app=app-0');
    expect(
      labelled
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(
      pods()
        .filter((p) => p.namespace === 'ns-0' && p.labels['app'] === 'app-0')
        .map((p) => p.name)
        .sort(),
    );
    const one = pods()[0]!;
    expect((await kubectl('top', 'pod', '-n', one.namespace, one.name)).slice(1).map((r) => r[0])).toEqual([one.name]);
  });

  it('kubectl top pod --field-selector is passed to metrics.k8s.io (kubectl 1.32) and honoured', async () => {
    const [, ...rows] = await kubectl('top', 'pod', '-A', '--field-selector', 'spec.nodeName=node-2');
    expect(rows.map((r) => r[1]).sort()).toEqual(f.collected.sim.truth.nodes[2]!.pods.map((p) => p.name).sort());
  });

  it('went through the delegated authorization as kubectl’s user, and refuses a user without RBAC as kube-apiserver words it', async () => {
    const sim = f.collected.sim;
    expect(sim.auth.counts.subjectAccessReview).toBeGreaterThan(0);
    expect(sim.auth.lastReview).toMatchObject({
      user: 'system:admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    sim.auth.tokens.set('viewer-token-0123456789', { username: 'viewer', groups: ['system:authenticated'] });
    const err = await kubectl('--token', 'viewer-token-0123456789', 'top', 'node').catch(
      (e: { stderr: string }) => e.stderr,
    );
    expect(String(err)).toContain(
      'nodes.metrics.k8s.io is forbidden: User "viewer" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    );
  });

  it('a missing pod is the error kubectl prints for metrics-server', async () => {
    const err = await kubectl('top', 'pod', '-n', 'ns-0', 'no-such-pod').catch((e: { stderr: string }) => e.stderr);
    expect(String(err)).toContain('Error from server (NotFound): podmetrics.metrics.k8s.io "no-such-pod" not found');
  });

  it('prints "metrics not available yet" once the collector has stopped for 2.5 intervals', async () => {
    const clock = f.collected.sim.clock;
    clock.advance(180);
    try {
      const err = await kubectl('top', 'node').catch((e: { stderr: string }) => e.stderr);
      expect(String(err)).toContain('error: metrics not available yet');
    } finally {
      clock.advance(-180);
    }
  });
});
