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
import { arr, float, obj, text, timeMs, uint } from '#shared/decode/fields';

export class SummaryDecodeError extends Error {
  override name = 'SummaryDecodeError';
}

/** Parses and decodes a body. Throws SummaryDecodeError for invalid JSON or a missing `node`. */
export function decodeSummaryText(body: string | Buffer): Summary {
  return decodeSummary(parseSummary(body));
}

/**
 * The JSON of a body, as bytes or text; throws SummaryDecodeError when it is not JSON. From bytes,
 * the text lives only inside this call: a summary of 30 pods is a string of 80-130 KB (past 128 KB
 * V8 allocates it as a large object, promoted whole by any scavenge it lives through).
 */
export function parseSummary(body: string | Buffer): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (err) {
    throw new SummaryDecodeError(`invalid JSON: ${(err as Error).message}`);
  }
}

export function decodeSummary(json: unknown): Summary {
  const root = obj(json);
  const node = obj(root?.['node']);
  const nodeName = text(node?.['nodeName']);
  if (!root || !node || !nodeName) throw new SummaryDecodeError('not a kubelet summary: no node.nodeName');
  return {
    node: decodeNode(node, nodeName),
    pods: list(root['pods'], decodePod),
  };
}

/*
 * Every decoded object is built whole, in one literal, with undefined where the kubelet sent
 * nothing: one shape per type, no spreading of optional parts. On 200 nodes × 30 pods, building
 * them by spreading `optional(...)` parts cost as much as JSON.parse itself.
 */
function decodeNode(n: Record<string, unknown>, name: string): NodeStats {
  const rlimit = obj(n['rlimit']);
  return {
    name,
    startTimeMs: timeMs(n['startTime']),
    cpu: cpu(obj(n['cpu'])),
    memory: memory(obj(n['memory'])),
    io: io(obj(n['io'])),
    swap: swap(obj(n['swap'])),
    systemContainers: list(n['systemContainers'], decodeContainer),
    network: network(obj(n['network'])),
    fs: fs(obj(n['fs'])),
    imageFs: fs(obj(obj(n['runtime'])?.['imageFs'])),
    processCount: uint(rlimit?.['curproc']),
    processMax: uint(rlimit?.['maxpid']),
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
    startTimeMs: timeMs(p['startTime']),
    cpu: cpu(obj(p['cpu'])),
    memory: memory(obj(p['memory'])),
    io: io(obj(p['io'])),
    swap: swap(obj(p['swap'])),
    containers: list(p['containers'], decodeContainer),
    network: network(obj(p['network'])),
    volumes,
    ephemeralStorage: fs(obj(p['ephemeral-storage'])),
    processCount: uint(obj(p['process_stats'])?.['process_count']),
  };
}

function decodeContainer(c: Record<string, unknown>): ContainerStats | undefined {
  const name = text(c['name']);
  if (!name) return undefined;
  return {
    name,
    startTimeMs: timeMs(c['startTime']),
    cpu: cpu(obj(c['cpu'])),
    memory: memory(obj(c['memory'])),
    io: io(obj(c['io'])),
    swap: swap(obj(c['swap'])),
    rootfs: fs(obj(c['rootfs'])),
    logs: fs(obj(c['logs'])),
    accelerators: list(c['accelerators'], accelerator),
    custom: list(c['userDefinedMetrics'], custom),
  };
}

/** The objects of a JSON array, decoded, skipping what is not an object or does not decode. */
function list<T>(v: unknown, decode: (o: Record<string, unknown>) => T | undefined): T[] {
  const out: T[] = [];
  for (const item of arr(v)) {
    const o = obj(item);
    const d = o && decode(o);
    if (d !== undefined) out.push(d);
  }
  return out;
}

/*
 * A block with no values at all is dropped (undefined), so "present" always means "has data".
 */

function cpu(o: Record<string, unknown> | undefined): CpuSample | undefined {
  if (!o) return undefined;
  const usageNanoCores = uint(o['usageNanoCores']);
  const usageCoreNanoSeconds = uint(o['usageCoreNanoSeconds']);
  const psi = psiOf(o);
  if (usageNanoCores === undefined && usageCoreNanoSeconds === undefined && !psi) return undefined;
  return { timeMs: timeMs(o['time']), psi, usageNanoCores, usageCoreNanoSeconds };
}

function memory(o: Record<string, unknown> | undefined): MemorySample | undefined {
  if (!o) return undefined;
  const m: MemorySample = {
    timeMs: undefined,
    psi: psiOf(o),
    usageBytes: uint(o['usageBytes']),
    workingSetBytes: uint(o['workingSetBytes']),
    rssBytes: uint(o['rssBytes']),
    pageFaults: uint(o['pageFaults']),
    majorPageFaults: uint(o['majorPageFaults']),
  };
  if (
    !m.psi &&
    m.usageBytes === undefined &&
    m.workingSetBytes === undefined &&
    m.rssBytes === undefined &&
    m.pageFaults === undefined &&
    m.majorPageFaults === undefined
  )
    return undefined;
  m.timeMs = timeMs(o['time']);
  return m;
}

function io(o: Record<string, unknown> | undefined): IoSample | undefined {
  const psi = o && psiOf(o);
  return psi ? { timeMs: timeMs(o?.['time']), psi } : undefined;
}

function swap(o: Record<string, unknown> | undefined): SwapSample | undefined {
  if (!o) return undefined;
  const usageBytes = uint(o['swapUsageBytes']);
  const availableBytes = uint(o['swapAvailableBytes']);
  if (usageBytes === undefined && availableBytes === undefined) return undefined;
  return { timeMs: timeMs(o['time']), usageBytes, availableBytes };
}

/** The block's `psi`, when it carries one (kubelet ≥ 1.34 on cgroup v2). */
function psiOf(o: Record<string, unknown>): Psi | undefined {
  const p = obj(o['psi']);
  if (!p) return undefined;
  const some = psiLine(obj(p['some']));
  const full = psiLine(obj(p['full']));
  return some || full ? { some, full } : undefined;
}

function psiLine(o: Record<string, unknown> | undefined): PsiLine | undefined {
  if (!o) return undefined;
  const line: PsiLine = {
    avg10: uint(o['avg10']),
    avg60: uint(o['avg60']),
    avg300: uint(o['avg300']),
    totalMicros: uint(o['total']),
  };
  const empty =
    line.avg10 === undefined && line.avg60 === undefined && line.avg300 === undefined && line.totalMicros === undefined;
  return empty ? undefined : line;
}

function network(o: Record<string, unknown> | undefined): NetworkSample | undefined {
  if (!o) return undefined;
  const rxBytes = uint(o['rxBytes']);
  const rxErrors = uint(o['rxErrors']);
  const txBytes = uint(o['txBytes']);
  const txErrors = uint(o['txErrors']);
  if (rxBytes === undefined && rxErrors === undefined && txBytes === undefined && txErrors === undefined)
    return undefined;
  return { timeMs: timeMs(o['time']), rxBytes, rxErrors, txBytes, txErrors };
}

function fs(o: Record<string, unknown> | undefined): FsSample | undefined {
  if (!o) return undefined;
  const f: FsSample = {
    usedBytes: uint(o['usedBytes']),
    capacityBytes: uint(o['capacityBytes']),
    availableBytes: uint(o['availableBytes']),
    inodes: uint(o['inodes']),
    inodesFree: uint(o['inodesFree']),
  };
  const empty =
    f.usedBytes === undefined &&
    f.capacityBytes === undefined &&
    f.availableBytes === undefined &&
    f.inodes === undefined &&
    f.inodesFree === undefined;
  return empty ? undefined : f;
}

function accelerator(o: Record<string, unknown>): AcceleratorSample {
  return {
    make: text(o['make']) ?? '',
    model: text(o['model']) ?? '',
    id: text(o['id']) ?? '',
    memoryTotalBytes: uint(o['memoryTotal']),
    memoryUsedBytes: uint(o['memoryUsed']),
    dutyCyclePercent: uint(o['dutyCycle']),
  };
}

function custom(o: Record<string, unknown>): CustomMetricSample | undefined {
  const name = text(o['name']);
  const value = float(o['value']);
  const kind = text(o['type']);
  if (!name || value === undefined || (kind !== 'gauge' && kind !== 'cumulative' && kind !== 'delta')) return undefined;
  return { name, kind, value, timeMs: timeMs(o['time']) };
}
