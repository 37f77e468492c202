/**
 * @module start/embedded
 * The embedded default: a simulated cluster over real HTTPS and a real influxd, both on loopback,
 * both in the lifecycle's temp root. The simulator also gets a few events per pod, and one more
 * per run (`tick`), so the events export and the page have something to show.
 */
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import type { Lifecycle } from '#test/start/lifecycle';

export interface Embedded {
  sim: SimCluster;
  influx: InfluxdServer;
  /** Settings the collector, the events export and the query service share. */
  env: Record<string, string>;
  /** Call once per run: keeps the simulator on the wall clock and adds an event. */
  tick(): void;
}

export async function startEmbedded(life: Lifecycle): Promise<Embedded> {
  const [sim, influx] = await Promise.all([
    life.step(
      'simulated cluster',
      startCluster({
        nodes: 3,
        podsPerNode: 4,
        // Daily cycles, noise, bursts, a leak and an OOM-killed container, not flat lines.
        usage: 'varying',
        fixtureNodes: ['summary_k8s-1.35.0_minikube-containerd_nri-kubernetes.json'],
      }),
      (s) => () => s.stop(),
    ),
    life.step('influxd', startInfluxd(), (i) => () => i.stop()),
  ]);
  sim.addEvents(startupEvents(sim));
  let runs = 0;
  return {
    sim,
    influx,
    env: { KUBECONFIG: sim.kubeconfigPath, KUBELET_CA_FILE: sim.caFile, INFLUX_URL: influx.url },
    tick: () => {
      // The simulated kubelets' counters follow the simulator's clock; keep it on the wall clock.
      sim.clock.set(Date.now());
      runs += 1;
      sim.addEvents([probeEvent(sim, runs)]);
    },
  };
}

interface PodRef {
  namespace: string;
  name: string;
  node: string;
}

function pods(sim: SimCluster): PodRef[] {
  return sim.truth.nodes.flatMap((n) => n.pods.map((p) => ({ namespace: p.namespace, name: p.name, node: n.name })));
}

/** What a pod's start leaves in a real cluster's event list. */
function startupEvents(sim: SimCluster): object[] {
  return pods(sim).flatMap((p) => [
    event(
      p,
      'scheduled',
      'Normal',
      'Scheduled',
      'default-scheduler',
      `Successfully assigned ${p.namespace}/${p.name} to ${p.node}`,
      1,
    ),
    event(
      p,
      'pulled',
      'Normal',
      'Pulled',
      'kubelet',
      'Container image "registry.k8s.io/pause:3.10" already present on machine',
      1,
    ),
    event(p, 'started', 'Normal', 'Started', 'kubelet', 'Started container main', 1),
  ]);
}

/** One pod's readiness probe fails now and then: a Warning whose count grows run by run. */
function probeEvent(sim: SimCluster, run: number): object {
  const all = pods(sim);
  const p = all[run % all.length] as PodRef;
  return event(
    p,
    'unhealthy',
    'Warning',
    'Unhealthy',
    'kubelet',
    'Readiness probe failed: HTTP probe failed with statuscode: 503',
    Math.ceil(run / all.length),
  );
}

function event(
  p: PodRef,
  key: string,
  type: string,
  reason: string,
  component: string,
  message: string,
  count: number,
): object {
  const now = new Date().toISOString();
  return {
    metadata: { namespace: p.namespace, name: `${p.name}.${key}` },
    involvedObject: { kind: 'Pod', namespace: p.namespace, name: p.name },
    type,
    reason,
    message,
    source: { component, host: p.node },
    firstTimestamp: now,
    lastTimestamp: now,
    count,
  };
}
