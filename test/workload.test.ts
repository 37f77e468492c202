import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, collectedTwice, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import type { PodTruth } from '#test/sim/truth';
import { sendStatus } from '#test/sim/http-util';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const within1pct = (got: unknown, want: number): void => {
  expect(typeof got).toBe('number');
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(Math.abs(want) * 0.01 + 1e-9);
};

describe('the workload level: pods and containers tagged with their workload, summed per workload', () => {
  let c: Collected;
  let pods: PodTruth[];
  const last = async (m: string, where: string): Promise<unknown> =>
    (await rows(c.client, `SELECT last("value") FROM "${m}" WHERE ${where}`))[0]?.['last'];

  beforeAll(async () => {
    c = await collectedTwice('workload', { nodes: 2, podsPerNode: 6, namespaces: 2 });
    pods = c.sim.truth.nodes.flatMap((n) => n.pods);
  });
  afterAll(() => c.stop());

  it('resolves every kind as a real cluster owns it: Deployment, StatefulSet, DaemonSet, CronJob, Pod, ReplicaSet', async () => {
    const kinds = new Set(pods.map((p) => p.workload!.kind));
    expect([...kinds].sort()).toEqual(['CronJob', 'DaemonSet', 'Deployment', 'Pod', 'ReplicaSet', 'StatefulSet']);
    for (const type of ['pod', 'pod_container']) {
      const got = await rows(
        c.client,
        `SELECT last("value") FROM "memory/usage" WHERE "type"='${type}' GROUP BY "pod_name","workload_kind","workload_name"`,
      );
      const byPod = new Map(got.map((r) => [r['pod_name'], `${r['workload_kind']}/${r['workload_name']}`]));
      for (const p of pods)
        expect(byPod.get(p.name), `${type} ${p.name}`).toBe(`${p.workload!.kind}/${p.workload!.name}`);
    }
    expect(c.logs.filter((l) => l['level'] === 'warn')).toEqual([]);
  });

  it('sums usage, requests, limits, restarts and the new signals per workload, exactly as the truth', async () => {
    const groups = new Map<string, PodTruth[]>();
    for (const p of pods) {
      const key = `${p.namespace}\u0000${p.workload!.kind}\u0000${p.workload!.name}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    let withSignals = 0;
    for (const [key, members] of groups) {
      const [ns, kind, name] = key.split('\u0000');
      const where = `"type"='workload' AND "namespace_name"='${ns}' AND "workload_kind"='${kind}' AND "workload_name"='${name}'`;
      const containers = members.flatMap((p) => p.containers);
      within1pct(await last('cpu/usage_rate', where), sum(members.map((p) => p.cpuMillicores)));
      expect(await last('memory/usage', where)).toBe(sum(members.map((p) => p.memory.usageBytes)));
      expect(await last('memory/working_set', where)).toBe(sum(members.map((p) => p.memory.workingSetBytes)));
      expect(await last('cpu/request', where)).toBe(sum(containers.map((x) => x.requests.cpuMillicores)));
      expect(await last('memory/limit', where)).toBe(sum(containers.map((x) => x.limits.memoryBytes)));
      expect(await last('restart_count', where)).toBe(sum(containers.map((x) => x.restartCount)));
      const reporting = members.filter((p) => p.swap);
      if (reporting.length === 0) {
        // Not one pod reports swap: nothing written, never a zero.
        expect(await last('swap/usage', where)).toBeUndefined();
        continue;
      }
      withSignals++;
      expect(await last('swap/usage', where)).toBe(sum(reporting.map((p) => p.swap!.usageBytes)));
      expect(await last('process/count', where)).toBe(sum(reporting.map((p) => p.processCount!)));
    }
    expect(withSignals).toBeGreaterThan(0);
    // The DaemonSet has one pod per node: its sum covers both nodes.
    const agent = pods.filter((p) => p.workload!.kind === 'DaemonSet' && p.namespace === pods[2]!.namespace);
    expect(new Set(agent.map((p) => p.name)).size).toBeGreaterThan(0);
  });

  it('adds no series per pod: only one series per workload and family', async () => {
    const got = await rows(
      c.client,
      `SELECT count("value") FROM "memory/usage" WHERE "type"='workload' GROUP BY "namespace_name","workload_kind","workload_name"`,
    );
    const distinct = new Set(pods.map((p) => `${p.namespace}/${p.workload!.kind}/${p.workload!.name}`));
    expect(got.length).toBe(distinct.size);
    expect(got.length).toBeLessThan(pods.length);
  });
});

describe('when ReplicaSets cannot be listed (RBAC denied)', () => {
  let c: Collected;
  afterAll(() => c?.stop());

  it('keeps every pod series, tags those pods with their direct owner, and warns once per run', async () => {
    c = await collected('workload_denied', { nodes: 1, podsPerNode: 6, namespaces: 1 });
    c.sim.extraApiGroups.push({
      group: { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] },
      handle: (_req, res) =>
        sendStatus(
          res,
          403,
          'replicasets.apps is forbidden: User "system:serviceaccount:heapless:heapless-collect" cannot list resource "replicasets"',
        ),
    });
    const result = await c.run();
    expect(result.stats.nodesOk).toBe(1);
    const pods = c.sim.truth.nodes[0]!.pods;
    const got = await rows(
      c.client,
      `SELECT last("value") FROM "memory/usage" WHERE "type"='pod' GROUP BY "pod_name","workload_kind","workload_name"`,
    );
    expect(got.length).toBe(pods.length);
    const web = got.find((r) => r['pod_name'] === pods[0]!.name)!;
    expect(`${web['workload_kind']}/${web['workload_name']}`).toBe(`ReplicaSet/${pods[0]!.owner!.name}`);
    // Jobs were listable: the CronJob still resolves.
    const backup = got.find((r) => r['pod_name'] === pods[3]!.name)!;
    expect(`${backup['workload_kind']}/${backup['workload_name']}`).toBe('CronJob/backup');
    const warnings = c.logs.filter((l) => l['level'] === 'warn');
    expect(warnings.map((l) => l['event'])).toEqual(['owners_unlisted']);
    expect(warnings.find((l) => l['event'] === 'owners_unlisted')?.['what']).toBe('replicasets');
  });
});
