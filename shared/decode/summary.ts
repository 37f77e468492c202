/**
 * @module decode/summary
 * Kubelet `/stats/summary` JSON (stats/v1alpha1) → Summary. Pure: no I/O, never throws on
 * missing blocks or odd values (old kubelets, Windows nodes); only a body that is not a summary
 * at all is an error.
 */
import type {
  AcceleratorSample,
  ContainerStats,
  CpuSample,
  CustomMetricSample,
  FsSample,
  IoSample,
  MemorySample,
  NetworkSample,
  NodeStats,
  PodStats,
  Psi,
  PsiLine,
  Summary,
  SwapSample,
  VolumeStats,
} from '#shared/model';
import { arr, float, obj, pick, text, timeMs, uint } from '#shared/decode/fields';

export class SummaryDecodeError extends Error {
  override name = 'SummaryDecodeError';
}

/** Parses and decodes a body. Throws SummaryDecodeError for invalid JSON or a missing `node`. */
export function decodeSummaryText(body: string): Summary {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new SummaryDecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  return decodeSummary(json);
}

export function decodeSummary(json: unknown): Summary {
  const root = obj(json);
  const node = obj(root?.['node']);
  const nodeName = text(node?.['nodeName']);
  if (!root || !node || !nodeName) throw new SummaryDecodeError('not a kubelet summary: no node.nodeName');
  return {
    node: decodeNode(node, nodeName),
    pods: arr(root['pods']).map(obj).filter(isDefined).map(decodePod).filter(isDefined),
  };
}

function decodeNode(n: Record<string, unknown>, name: string): NodeStats {
  const runtime = obj(n['runtime']);
  return {
    name,
    ...measured(n),
    systemContainers: arr(n['systemContainers']).map(obj).filter(isDefined).map(decodeContainer).filter(isDefined),
    ...optional('network', network(obj(n['network']))),
    ...optional('fs', fs(obj(n['fs']))),
    ...optional('imageFs', fs(obj(runtime?.['imageFs']))),
    ...optional('processCount', uint(obj(n['rlimit'])?.['curproc'])),
    ...optional('processMax', uint(obj(n['rlimit'])?.['maxpid'])),
  };
}

function decodePod(p: Record<string, unknown>): PodStats | undefined {
  const ref = obj(p['podRef']);
  const name = text(ref?.['name']);
  const namespace = text(ref?.['namespace']);
  if (!name || !namespace) return undefined;
  const volumes: VolumeStats[] = [];
  for (const v of arr(p['volume']).map(obj)) {
    const volName = text(v?.['name']);
    const f = fs(v);
    if (volName && f) volumes.push({ name: volName, fs: f });
  }
  return {
    name,
    namespace,
    uid: text(ref?.['uid']) ?? '',
    ...measured(p),
    containers: arr(p['containers']).map(obj).filter(isDefined).map(decodeContainer).filter(isDefined),
    ...optional('network', network(obj(p['network']))),
    volumes,
    ...optional('ephemeralStorage', fs(obj(p['ephemeral-storage']))),
    ...optional('processCount', uint(obj(p['process_stats'])?.['process_count'])),
  };
}

function decodeContainer(c: Record<string, unknown>): ContainerStats | undefined {
  const name = text(c['name']);
  if (!name) return undefined;
  return {
    name,
    ...measured(c),
    ...optional('rootfs', fs(obj(c['rootfs']))),
    ...optional('logs', fs(obj(c['logs']))),
    accelerators: arr(c['accelerators']).map(obj).filter(isDefined).map(accelerator),
    custom: arr(c['userDefinedMetrics']).map(obj).filter(isDefined).map(custom).filter(isDefined),
  };
}

function measured(o: Record<string, unknown>): {
  startTimeMs?: number;
  cpu?: CpuSample;
  memory?: MemorySample;
  io?: IoSample;
  swap?: SwapSample;
} {
  return {
    ...optional('startTimeMs', timeMs(o['startTime'])),
    ...optional('cpu', cpu(obj(o['cpu']))),
    ...optional('memory', memory(obj(o['memory']))),
    ...optional('io', io(obj(o['io']))),
    ...optional('swap', swap(obj(o['swap']))),
  };
}

function cpu(o: Record<string, unknown> | undefined): CpuSample | undefined {
  return o && withTime(o, withPsi(o, pick(o, ['usageNanoCores', 'usageCoreNanoSeconds'], uint)));
}

function memory(o: Record<string, unknown> | undefined): MemorySample | undefined {
  return (
    o &&
    withTime(
      o,
      withPsi(o, pick(o, ['usageBytes', 'workingSetBytes', 'rssBytes', 'pageFaults', 'majorPageFaults'], uint)),
    )
  );
}

function io(o: Record<string, unknown> | undefined): IoSample | undefined {
  return o && withTime(o, withPsi(o, {}));
}

function swap(o: Record<string, unknown> | undefined): SwapSample | undefined {
  const v = pick(o, ['swapUsageBytes', 'swapAvailableBytes'], uint);
  return (
    o &&
    withTime(o, {
      ...optional('usageBytes', v.swapUsageBytes),
      ...optional('availableBytes', v.swapAvailableBytes),
    })
  );
}

/** Adds `psi` when the block carries one (kubelet ≥ 1.34 on cgroup v2). */
function withPsi<T extends object>(o: Record<string, unknown>, values: T): T & { psi?: Psi } {
  const p = obj(o['psi']);
  const some = psiLine(obj(p?.['some']));
  const full = psiLine(obj(p?.['full']));
  if (!some && !full) return values;
  return { ...values, psi: { ...optional('some', some), ...optional('full', full) } };
}

function psiLine(o: Record<string, unknown> | undefined): PsiLine | undefined {
  const avg = pick(o, ['avg10', 'avg60', 'avg300'], uint);
  const total = uint(o?.['total']);
  const line: PsiLine = { ...avg, ...optional('totalMicros', total) };
  return Object.keys(line).length > 0 ? line : undefined;
}

function network(o: Record<string, unknown> | undefined): NetworkSample | undefined {
  return o && withTime(o, pick(o, ['rxBytes', 'rxErrors', 'txBytes', 'txErrors'], uint));
}

function fs(o: Record<string, unknown> | undefined): FsSample | undefined {
  const f = pick(o, ['usedBytes', 'capacityBytes', 'availableBytes', 'inodes', 'inodesFree'], uint);
  return Object.keys(f).length > 0 ? f : undefined;
}

function accelerator(o: Record<string, unknown>): AcceleratorSample {
  const v = pick(o, ['memoryTotal', 'memoryUsed', 'dutyCycle'], uint);
  return {
    make: text(o['make']) ?? '',
    model: text(o['model']) ?? '',
    id: text(o['id']) ?? '',
    ...optional('memoryTotalBytes', v.memoryTotal),
    ...optional('memoryUsedBytes', v.memoryUsed),
    ...optional('dutyCyclePercent', v.dutyCycle),
  };
}

function custom(o: Record<string, unknown>): CustomMetricSample | undefined {
  const name = text(o['name']);
  const value = float(o['value']);
  const kind = text(o['type']);
  if (!name || value === undefined || (kind !== 'gauge' && kind !== 'cumulative' && kind !== 'delta')) return undefined;
  return { name, kind, value, ...optional('timeMs', timeMs(o['time'])) };
}

/** A block with no values at all is dropped, so "present" always means "has data". */
function withTime<T extends object>(o: Record<string, unknown>, values: T): (T & { timeMs?: number }) | undefined {
  if (Object.keys(values).length === 0) return undefined;
  return { ...values, ...optional('timeMs', timeMs(o['time'])) };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function isDefined<T>(v: T | undefined): v is T {
  return v !== undefined;
}
