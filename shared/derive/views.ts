/**
 * @module derive/views
 * Node, pod and container stats → the one StatsView shape the family tables read.
 */
import type { ContainerStats, FsSample, NodeStats, PodStats } from '#shared/model';
import type { StatsView } from '#shared/derive/sources';

export function nodeView(n: NodeStats): StatsView {
  return {
    ...measured(n),
    ...(n.network ? { network: n.network } : {}),
    filesystems: n.fs ? [['/', n.fs]] : [],
    ...used(n.fs?.usedBytes),
    ...(n.processCount !== undefined ? { processCount: n.processCount } : {}),
    ...(n.processMax !== undefined ? { processMax: n.processMax } : {}),
  };
}

export function podView(p: PodStats): StatsView {
  return {
    ...measured(p),
    ...(p.network ? { network: p.network } : {}),
    filesystems: p.volumes.map((v) => [`Volume:${v.name}`, v.fs] as const),
    ...used(p.ephemeralStorage?.usedBytes),
    ...(p.processCount !== undefined ? { processCount: p.processCount } : {}),
  };
}

export function containerView(c: ContainerStats): StatsView {
  const filesystems: Array<readonly [string, FsSample]> = [];
  if (c.rootfs) filesystems.push(['/', c.rootfs]);
  if (c.logs) filesystems.push(['logs', c.logs]);
  const parts = [c.rootfs?.usedBytes, c.logs?.usedBytes].filter((v): v is number => v !== undefined);
  return { ...measured(c), filesystems, ...used(parts.length ? parts.reduce((a, b) => a + b, 0) : undefined) };
}

function measured(
  m: StatsView | NodeStats | PodStats | ContainerStats,
): Pick<StatsView, 'startTimeMs' | 'cpu' | 'memory' | 'io' | 'swap'> {
  return {
    ...(m.startTimeMs !== undefined ? { startTimeMs: m.startTimeMs } : {}),
    ...(m.cpu ? { cpu: m.cpu } : {}),
    ...(m.memory ? { memory: m.memory } : {}),
    ...(m.io ? { io: m.io } : {}),
    ...(m.swap ? { swap: m.swap } : {}),
  };
}

function used(bytes: number | undefined): { ephemeralUsedBytes?: number } {
  return bytes === undefined ? {} : { ephemeralUsedBytes: bytes };
}
