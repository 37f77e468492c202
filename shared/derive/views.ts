/**
 * @module derive/views
 * Node, pod and container stats → the one StatsView shape the family tables read. Every view
 * has every property, undefined where the kubelet reported nothing, so the table rows read one
 * object shape (V8 keeps those reads monomorphic: building views by spreading made them the
 * costliest part of derive).
 */
import type { ContainerStats, FsSample, NodeStats, PodStats } from '#shared/model';
import type { StatsView } from '#shared/derive/sources';

export function nodeView(n: NodeStats): StatsView {
  return view(n, n.network, n.fs ? [['/', n.fs]] : [], n.fs?.usedBytes, n.processCount, n.processMax);
}

export function podView(p: PodStats): StatsView {
  const filesystems = p.volumes.map((v) => [`Volume:${v.name}`, v.fs] as const);
  return view(p, p.network, filesystems, p.ephemeralStorage?.usedBytes, p.processCount, undefined);
}

export function containerView(c: ContainerStats): StatsView {
  const filesystems: Array<readonly [string, FsSample]> = [];
  if (c.rootfs) filesystems.push(['/', c.rootfs]);
  if (c.logs) filesystems.push(['logs', c.logs]);
  const rootfs = c.rootfs?.usedBytes;
  const logs = c.logs?.usedBytes;
  // A container's ephemeral storage is its writable layer plus its logs.
  const used = rootfs === undefined ? logs : logs === undefined ? rootfs : rootfs + logs;
  return view(c, undefined, filesystems, used, undefined, undefined);
}

function view(
  m: NodeStats | PodStats | ContainerStats,
  network: StatsView['network'],
  filesystems: StatsView['filesystems'],
  ephemeralUsedBytes: number | undefined,
  processCount: number | undefined,
  processMax: number | undefined,
): StatsView {
  return {
    startTimeMs: m.startTimeMs,
    cpu: m.cpu,
    memory: m.memory,
    io: m.io,
    swap: m.swap,
    network,
    filesystems,
    ephemeralUsedBytes,
    processCount,
    processMax,
  };
}
