/**
 * @module sim/generated-signals
 * The signals newer kubelets report (PSI, swap, process counts) for the generated nodes that
 * play a 1.34+ kubelet: every even-numbered node. Odd nodes report none of them, so tests see
 * both "written exactly" and "nothing written". Values are simple functions of an index.
 */
import type { NodeTruth, PressureTruth, PsiLineTruth, PsiTruth, SwapTruth } from '#test/sim/truth';

const MIB = 2 ** 20;

/** Whether generated node `n` reports PSI, swap and process counts. */
export function reportsSignals(n: number): boolean {
  return n % 2 === 0;
}

/**
 * Adds the signals to a node, its system containers, pods and containers (in place). Values
 * depend on small indexes only, so objects are shared (frozen) and a 5000-node cluster stays
 * quick to build.
 */
export function addSignals(node: NodeTruth, n: number): void {
  node.pressure = pressure(1000 * (n % 10));
  node.swap = { usageBytes: (4 + n) * MIB, availableBytes: 1024 * MIB - (4 + n) * MIB };
  node.processes = { count: 300 + node.pods.length * 10, max: 4_194_304 };
  for (const [i, sys] of node.systemContainers.entries()) {
    sys.pressure = pressure(500 + i);
    sys.swap = swap(i * MIB, 256 * MIB);
  }
  for (const [p, pod] of node.pods.entries()) {
    pod.pressure = pressure(10 * p);
    for (const [k, c] of pod.containers.entries()) {
      c.pressure = pressure(10 * p + k + 1);
      c.swap = swap((p + k) * MIB, 512 * MIB);
    }
    pod.swap = swap(pod.containers.reduce((sum, c) => sum + (c.swap?.usageBytes ?? 0), 0));
    pod.processCount = 1 + 2 * pod.containers.length + (p % 3);
  }
}

const pressures = new Map<number, PressureTruth>();
const swaps = new Map<string, SwapTruth>();

function pressure(seed: number): PressureTruth {
  let p = pressures.get(seed);
  if (!p) pressures.set(seed, (p = Object.freeze({ cpu: psi(seed, 0), memory: psi(seed, 1), io: psi(seed, 2) })));
  return p;
}

function swap(usageBytes: number, availableBytes?: number): SwapTruth {
  const key = `${usageBytes}/${availableBytes}`;
  let s = swaps.get(key);
  if (!s)
    swaps.set(key, (s = Object.freeze(availableBytes === undefined ? { usageBytes } : { usageBytes, availableBytes })));
  return s;
}

function psi(seed: number, res: number): PsiTruth {
  const some = line(seed, res, 2);
  // `full` never exceeds `some`, as in the kernel.
  const full = line(seed, res, 1);
  return { some, full };
}

/** Averages with two decimals (as the kernel prints them), a stall rate in µs/s. */
function line(seed: number, res: number, scale: number): PsiLineTruth {
  const base = ((seed * 7 + res * 13) % 20) + 0.25;
  return {
    avg10: base * scale,
    avg60: (base * scale) / 2,
    avg300: (base * scale) / 4,
    totalMicrosPerSecond: scale * (1000 + 37 * ((seed + res) % 100)),
  };
}
