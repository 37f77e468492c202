import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collected, type Collected } from '#test/helpers/collected';
import { rows } from '#test/helpers/influx';
import type { NodeTruth, PsiTruth } from '#test/sim/truth';

const within1pct = (got: unknown, want: number): void => {
  expect(typeof got).toBe('number');
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(Math.abs(want) * 0.01 + 1e-9);
};
const RESOURCES = ['cpu', 'memory', 'io'] as const;
const WINDOWS = ['avg10', 'avg60', 'avg300'] as const;

describe('pressure (PSI), swap, process and termination signals of newer kubelets', () => {
  let c: Collected;
  let node: NodeTruth;
  let bare: NodeTruth;
  const last = async (m: string, where: string): Promise<unknown> =>
    (await rows(c.client, `SELECT last("value") FROM "${m}" WHERE ${where}`))[0]?.['last'];

  /** Every PSI family of one object equals its truth: averages exactly, the `some` rate within 1%. */
  const expectPsi = async (where: string, truth: PsiTruth, res: (typeof RESOURCES)[number]): Promise<void> => {
    for (const line of ['some', 'full'] as const)
      for (const w of WINDOWS) expect(await last(`${res}/psi_${line}_${w}`, where)).toBe(truth[line][w]);
    within1pct(await last(`${res}/psi_some_rate`, where), truth.some.totalMicrosPerSecond);
  };

  beforeAll(async () => {
    c = await collected('signals', { nodes: 2, podsPerNode: 3, namespaces: 2 });
    // OOM-kill container 0 of pod 1 on every node now (the simulator marks every restart OOMKilled),
    // then collect twice: both runs see the same kill.
    for (const n of c.sim.truth.nodes) c.sim.restartContainer(n.pods[1]!.namespace, n.pods[1]!.name, 'app');
    await c.run();
    await c.next(60);
    node = c.sim.truth.nodes[0]!;
    bare = c.sim.truth.nodes[1]!;
    expect(node.pressure).toBeDefined();
    expect(bare.pressure).toBeUndefined();
  });
  afterAll(() => c.stop());

  it('writes PSI averages and stall rates for nodes, system containers, pods and containers', async () => {
    const pod = node.pods[1]!;
    const ctr = pod.containers[1]!;
    const sys = node.systemContainers.find((s) => s.name === 'kubelet')!;
    for (const res of RESOURCES) {
      await expectPsi(`"type"='node' AND "nodename"='${node.name}'`, node.pressure![res], res);
      await expectPsi(
        `"type"='sys_container' AND "nodename"='${node.name}' AND "container_name"='kubelet'`,
        sys.pressure![res],
        res,
      );
      await expectPsi(`"type"='pod' AND "pod_name"='${pod.name}'`, pod.pressure![res], res);
      await expectPsi(
        `"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`,
        ctr.pressure![res],
        res,
      );
    }
  });

  it('writes swap and process counts where reported (no swap/available for pods, as the kubelet omits it)', async () => {
    const pod = node.pods[2]!;
    const ctr = pod.containers[0]!;
    const nodeWhere = `"type"='node' AND "nodename"='${node.name}'`;
    expect(await last('swap/usage', nodeWhere)).toBe(node.swap!.usageBytes);
    expect(await last('swap/available', nodeWhere)).toBe(node.swap!.availableBytes);
    expect(await last('process/count', nodeWhere)).toBe(node.processes!.count);
    expect(await last('process/max', nodeWhere)).toBe(node.processes!.max);
    const podWhere = `"type"='pod' AND "pod_name"='${pod.name}'`;
    expect(await last('swap/usage', podWhere)).toBe(pod.swap!.usageBytes);
    expect(await last('swap/available', podWhere)).toBeUndefined();
    expect(await last('process/count', podWhere)).toBe(pod.processCount);
    const ctrWhere = `"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`;
    expect(await last('swap/usage', ctrWhere)).toBe(ctr.swap!.usageBytes);
    expect(await last('swap/available', ctrWhere)).toBe(ctr.swap!.availableBytes);
  });

  it('writes nothing, never a zero, for a kubelet that reports none of them', async () => {
    const families = [
      ...RESOURCES.flatMap((r) => [`${r}/psi_some_avg10`, `${r}/psi_full_avg300`, `${r}/psi_some_rate`]),
      'swap/usage',
      'swap/available',
      'process/count',
      'process/max',
    ];
    for (const f of families) {
      const got = await rows(c.client, `SELECT count("value") FROM "${f}" WHERE "nodename"='${bare.name}'`);
      expect(got, f).toEqual([]);
      const here = await rows(c.client, `SELECT count("value") FROM "${f}" WHERE "nodename"='${node.name}'`);
      expect(here[0]?.['count'], f).toBeGreaterThan(0);
    }
  });

  it('writes the last termination (reason tag, exit code) and each OOM kill once, at its own time', async () => {
    // Container 0 of pod 1 of every node was OOM-killed (exit 137) at the simulated start (beforeAll).
    const pod = bare.pods[1]!;
    const ctr = pod.containers[0]!;
    const where = `"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${ctr.name}'`;
    const lastTermination = await rows(
      c.client,
      `SELECT last("value"), "reason" FROM "restart/last_exit_code" WHERE ${where}`,
    );
    expect(lastTermination[0]?.['last']).toBe(137);
    expect(lastTermination[0]?.['reason']).toBe('OOMKilled');
    const healthy = `"type"='pod_container' AND "pod_name"='${pod.name}' AND "container_name"='${pod.containers[1]!.name}'`;
    expect(await last('restart/last_exit_code', healthy)).toBeUndefined();
    // Two runs saw the same kill: one point, at the kill's time (whole seconds, as the API prints them).
    const kills = await rows(c.client, `SELECT "value" FROM "restart/oom_kill" WHERE ${where}`);
    expect(kills.map((r) => r['value'])).toEqual([1]);
    const at = kills[0]?.['time'];
    expect(typeof at === 'number' ? at : Date.parse(String(at))).toBe(Math.floor(ctr.startTimeMs / 1000) * 1000);
    // The README's query: which containers were OOM-killed this week.
    const week = await rows(
      c.client,
      `SELECT count("value") FROM "restart/oom_kill" WHERE time > now() - 7d GROUP BY "namespace_name","pod_name","container_name"`,
    );
    const killed = c.sim.truth.nodes.flatMap((n) =>
      n.pods.flatMap((p) => p.containers.filter((x) => x.restartCount > 0)),
    );
    expect(killed.length).toBeGreaterThan(0);
    expect(week.length).toBe(killed.length);
  });
});
