import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '#shared/families/catalogue';
import { collectedTwice, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import type { NodeTruth, PodTruth } from '#test/sim/truth';

const within1pct = (got: unknown, want: number): void => {
  expect(typeof got).toBe('number');
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(Math.abs(want) * 0.01 + 1e-9);
};
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe("Heapster's full metric set after two runs one interval apart", () => {
  let c: Collected;
  let node: NodeTruth;
  let pod: PodTruth;
  const last = async (m: string, where: string): Promise<unknown> =>
    (await rows(c.client, `SELECT last("value") FROM "${m}" WHERE ${where}`))[0]?.['last'];
  const podWhere = () => `"type"='pod' AND "pod_name"='${pod.name}'`;
  const ctrWhere = (i: number) =>
    `"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${pod.containers[i]!.name}'`;
  const nodeWhere = () => `"type"='node' AND "nodename"='${node.name}'`;

  beforeAll(async () => {
    c = await collectedTwice('metrics', { nodes: 3, podsPerNode: 4, namespaces: 2 });
    node = c.sim.truth.nodes[1]!;
    pod = node.pods[1]!;
  });
  afterAll(() => c.stop());

  it('writes every catalogue family for every object type it declares', async () => {
    const missing: string[] = [];
    for (const f of FAMILIES) {
      if (f.name.startsWith('accelerator/')) continue; // the simulated kubelets report no GPUs; derive tests cover them
      if (f.name === 'restart/oom_kill') continue; // needs a kill within the hour: signals.test.ts makes one
      const types = await rows(c.client, `SELECT count("value") FROM "${f.name}" GROUP BY "type"`);
      const seen = new Set(types.map((r) => r['type']));
      for (const [t, how] of Object.entries(f.types)) {
        // "when reported": the simulated system containers, like most real ones, have no rootfs/logs.
        if (!seen.has(t) && !how.includes('when reported')) missing.push(`${f.name} type=${t}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('computes page-fault rates from the previous run’s counters', async () => {
    within1pct(await last('memory/page_faults_rate', ctrWhere(0)), pod.containers[0]!.pageFaultsPerSecond);
    within1pct(await last('memory/major_page_faults_rate', ctrWhere(1)), pod.containers[1]!.majorPageFaultsPerSecond);
    within1pct(await last('memory/page_faults_rate', podWhere()), pod.pageFaultsPerSecond);
    within1pct(await last('memory/page_faults_rate', nodeWhere()), node.pageFaultsPerSecond);
    const sys = node.systemContainers.find((s) => s.name === 'kubelet')!;
    within1pct(
      await last(
        'memory/page_faults_rate',
        `"type"='sys_container' AND "nodename"='${node.name}' AND "container_name"='kubelet'`,
      ),
      sys.pageFaultsPerSecond,
    );
  });

  it('computes network rates for pods and nodes (default interface)', async () => {
    const pi = pod.network.interfaces[0]!;
    within1pct(await last('network/rx_rate', podWhere()), pi.rxBytesPerSecond);
    within1pct(await last('network/tx_rate', podWhere()), pi.txBytesPerSecond);
    within1pct(await last('network/rx_errors_rate', podWhere()), pi.rxErrorsPerSecond);
    within1pct(await last('network/tx_errors_rate', podWhere()), pi.txErrorsPerSecond);
    const ni = node.network.interfaces[0]!;
    within1pct(await last('network/rx_rate', nodeWhere()), ni.rxBytesPerSecond);
    within1pct(await last('network/tx_rate', nodeWhere()), ni.txBytesPerSecond);
  });

  it('writes requests and limits from pod specs: 0 when unset, summed per pod and per node', async () => {
    for (const [i, ctr] of pod.containers.entries()) {
      expect(await last('cpu/request', ctrWhere(i))).toBe(ctr.requests.cpuMillicores);
      expect(await last('memory/limit', ctrWhere(i))).toBe(ctr.limits.memoryBytes);
      expect(await last('ephemeral_storage/request', ctrWhere(i))).toBe(ctr.requests.ephemeralStorageBytes);
    }
    expect(await last('cpu/request', podWhere())).toBe(sum(pod.containers.map((x) => x.requests.cpuMillicores)));
    expect(await last('memory/request', podWhere())).toBe(sum(pod.containers.map((x) => x.requests.memoryBytes)));
    const pods = node.pods.flatMap((p) => p.containers);
    expect(await last('cpu/limit', nodeWhere())).toBe(sum(pods.map((x) => x.limits.cpuMillicores)));
    expect(await last('memory/request', nodeWhere())).toBe(sum(pods.map((x) => x.requests.memoryBytes)));
    expect(pods.some((x) => x.requests.cpuMillicores === 0)).toBe(true);
  });

  it('writes node capacity, allocatable, utilisation and reservation as floats', async () => {
    expect(await last('cpu/node_capacity', nodeWhere())).toBe(node.capacityAmounts.cpuMillicores);
    expect(await last('memory/node_allocatable', nodeWhere())).toBe(node.allocatableAmounts.memoryBytes);
    expect(await last('ephemeral_storage/node_allocatable', nodeWhere())).toBe(
      node.allocatableAmounts.ephemeralStorageBytes,
    );
    within1pct(
      await last('cpu/node_utilization', nodeWhere()),
      node.cpuMillicores / node.allocatableAmounts.cpuMillicores,
    );
    within1pct(
      await last('memory/node_utilization', nodeWhere()),
      node.memory.usageBytes / node.allocatableAmounts.memoryBytes,
    );
    within1pct(
      await last('ephemeral_storage/node_utilization', nodeWhere()),
      node.fs.usedBytes / node.allocatableAmounts.ephemeralStorageBytes,
    );
    const requested = sum(node.pods.flatMap((p) => p.containers.map((x) => x.requests.cpuMillicores)));
    within1pct(await last('cpu/node_reservation', nodeWhere()), requested / node.allocatableAmounts.cpuMillicores);
    const util = (await last('cpu/node_utilization', nodeWhere())) as number;
    expect(util).toBeGreaterThan(0);
    expect(util).toBeLessThan(1);
  });

  it('writes filesystems with resource_id and ephemeral storage per level', async () => {
    const ctr = pod.containers[0]!;
    expect(await last('filesystem/usage', `${ctrWhere(0)} AND "resource_id"='/'`)).toBe(ctr.rootfs.usedBytes);
    expect(await last('filesystem/inodes_free', `${ctrWhere(0)} AND "resource_id"='logs'`)).toBe(ctr.logs.inodesFree);
    expect(await last('ephemeral_storage/usage', ctrWhere(0))).toBe(ctr.rootfs.usedBytes + ctr.logs.usedBytes);
    const vol = pod.volumes[0]!;
    expect(await last('filesystem/limit', `${podWhere()} AND "resource_id"='Volume:${vol.name}'`)).toBe(
      vol.fs.capacityBytes,
    );
    expect(await last('ephemeral_storage/usage', podWhere())).toBe(pod.ephemeralStorage.usedBytes);
    expect(await last('filesystem/available', `${nodeWhere()} AND "resource_id"='/'`)).toBe(node.fs.availableBytes);
    expect(await last('ephemeral_storage/usage', nodeWhere())).toBe(node.fs.usedBytes);
  });

  it('aggregates namespaces over pods and the cluster over nodes (usage) and pods (requests)', async () => {
    const allPods = c.sim.truth.nodes.flatMap((n) => n.pods);
    for (const ns of c.sim.truth.namespaces) {
      const pods = allPods.filter((p) => p.namespace === ns);
      const where = `"type"='ns' AND "namespace_name"='${ns}'`;
      within1pct(await last('cpu/usage_rate', where), sum(pods.map((p) => p.cpuMillicores)));
      within1pct(await last('memory/usage', where), sum(pods.map((p) => p.memory.usageBytes)));
      expect(await last('cpu/request', where)).toBe(
        sum(pods.flatMap((p) => p.containers.map((x) => x.requests.cpuMillicores))),
      );
      expect(await last('memory/limit', where)).toBe(
        sum(pods.flatMap((p) => p.containers.map((x) => x.limits.memoryBytes))),
      );
    }
    within1pct(await last('cpu/usage_rate', `"type"='cluster'`), sum(c.sim.truth.nodes.map((n) => n.cpuMillicores)));
    within1pct(await last('memory/usage', `"type"='cluster'`), sum(c.sim.truth.nodes.map((n) => n.memory.usageBytes)));
    expect(await last('cpu/request', `"type"='cluster'`)).toBe(
      sum(allPods.flatMap((p) => p.containers.map((x) => x.requests.cpuMillicores))),
    );
  });

  it('keeps ratios and rates as floats, never truncated', async () => {
    const [result] = await c.client.query(
      'SHOW FIELD KEYS FROM "cpu/usage_rate","memory/node_utilization","network/rx_rate","memory/usage"',
    );
    const byMeasurement = Object.fromEntries((result?.series ?? []).map((s) => [s.name, s.values[0]?.[1]]));
    expect(byMeasurement).toEqual({
      'cpu/usage_rate': 'float',
      'memory/node_utilization': 'float',
      'network/rx_rate': 'float',
      'memory/usage': 'integer',
    });
  });

  it('writes restart_count per container and summed per pod', async () => {
    expect(await last('restart_count', ctrWhere(0))).toBe(pod.containers[0]!.restartCount);
    expect(await last('restart_count', podWhere())).toBe(sum(pod.containers.map((x) => x.restartCount)));
  });
});
