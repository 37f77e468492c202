/**
 * @module collect/node-pipeline
 * One node through scrape → decode → derive → encode → write. The node's payload, its decoded
 * summary and its lines live only inside this call, and the pool runs at most
 * KUBELET_CONCURRENCY of them at once: memory grows with concurrency, not with cluster size.
 */
import type { Logger } from '#shared/log';
import type { NodeInfo, PodInfo, Summary } from '#shared/model';
import type { NodeState, Series } from '#shared/derive/types';
import type { CollectConfig } from '#shared/collect/settings';
import type { RunStats } from '#shared/collect/run-stats';
import type { Aggregator } from '#shared/derive/aggregate';
import type { Writer } from '#shared/influx/writer';
import type { FetchSummary } from '#shared/scrape/kubelet-client';
import { KubeletError, asError } from '#shared/errors';
import { kubeletTarget, type KubeletTarget } from '#shared/kube/kubelet-target';
import { decodeSummary, parseSummary, SummaryDecodeError } from '#shared/decode/summary';
import { deriveNode } from '#shared/derive/node';
import { encodeSeriesInto } from '#shared/encode/line-protocol';
import { decodeState, encodeState, type PackedState } from '#shared/influx/state-store';
import { encodeUsage } from '#shared/influx/usage-snapshot';
import { bucketOf } from '#shared/collect/shard';

export interface PipelineContext {
  config: CollectConfig;
  log: Logger;
  timeMs: number;
  maxGapMs: number;
  /** Pods by `namespace/name`; a node's pods are dropped once the node is derived (release()). */
  pods: Map<string, PodInfo>;
  /** The previous run's counters by node; dropped once used. */
  prev: Map<string, PackedState>;
  fetch: FetchSummary;
  writer: Writer;
  aggregator: Aggregator;
  stats: RunStats;
  /** Payloads received and not yet handed to the writer (for the memory-bound check). */
  held: { now: number; max: number };
  /** Cuts in-flight scrapes (the run's scrape cutoff, SIGTERM). */
  stop?: AbortSignal;
}

/** Never throws: a failed node is counted by reason and logged with a hint. */
export async function collectNode(ctx: PipelineContext, node: NodeInfo): Promise<void> {
  const started = performance.now();
  try {
    if (!node.ready)
      throw new KubeletError(node.name, 'not_ready', `node ${node.name} is not Ready; skipped as Heapster did`);
    const target = kubeletTarget(node, ctx.config.kubeletAddressTypes, ctx.config.kubeletPort);
    if (!target)
      throw new KubeletError(
        node.name,
        'no_address',
        `node ${node.name} has none of the address types ${ctx.config.kubeletAddressTypes.join(',')}`,
        'add the node’s address types to KUBELET_ADDRESS_TYPES',
      );
    await scrape(ctx, node, target);
    try {
      await ctx.writer.room();
    } finally {
      hold(ctx, -1);
    }
    ctx.stats.nodesOk++;
  } catch (err) {
    const e = err instanceof KubeletError ? err : new KubeletError(node.name, 'error', asError(err).message);
    countFailure(ctx.stats, e.reason);
    ctx.log.warn('node_failed', {
      node: node.name,
      reason: e.reason,
      error: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
      durationMs: Math.round(performance.now() - started),
    });
  }
}

/**
 * Fetches the node's summary and hands its lines to the writer; the payload is held (`held`)
 * from then until the caller's `room()` resolves. A function of its own so that nothing of the
 * node (body text, summary, series) stays reachable from the caller's frame while it waits for
 * the writer: with InfluxDB slower than the kubelets, KUBELET_CONCURRENCY frames wait at once,
 * and what they held outlived the young generation and was promoted, node after node.
 */
async function scrape(ctx: PipelineContext, node: NodeInfo, target: KubeletTarget): Promise<void> {
  const body = await ctx.fetch(target, ctx.stop);
  hold(ctx, +1);
  try {
    handOver(ctx, node, body);
  } catch (err) {
    hold(ctx, -1);
    throw err;
  }
}

/**
 * Decode → derive → encode of one summary, synchronously, into the writer. The body stays bytes
 * (off the V8 heap) until parsed, and the summary is dropped once derived: a scavenge while the
 * node is derived or encoded would otherwise copy them, or promote them (a body text over 128 KB
 * is a large object, promoted whole), and every promoted byte brings the next mark-compact
 * nearer; under the CronJob's 96 MB heap those were about 120 a run.
 */
function handOver(ctx: PipelineContext, node: NodeInfo, body: Buffer): void {
  let summary: Summary | undefined = decode(node.name, body);
  const batch = deriveNode({
    summary,
    node,
    pods: ctx.pods,
    prev: unpack(ctx.prev.get(node.name)),
    clusterName: ctx.config.clusterName,
    maxGapMs: ctx.maxGapMs,
  });
  release(ctx, node.name, summary);
  summary = undefined;
  ctx.aggregator.add(batch);
  encodeAll(batch.series, ctx);
  // The counters take the writer's first lane: the next run reads them back for its rates.
  ctx.writer.pushFirst(encodeState(node.name, bucketOf(node.name), batch.state, ctx.timeMs));
  ctx.writer.push(encodeUsage(batch, bucketOf(node.name), ctx.timeMs, ctx.config.clusterName));
}

export function countFailure(stats: RunStats, reason: string): void {
  stats.failures[reason] = (stats.failures[reason] ?? 0) + 1;
}

/** Encodes series straight into the writer's body being filled: their lines never exist as strings. */
export function encodeAll(series: readonly Series[], ctx: Pick<PipelineContext, 'timeMs' | 'config' | 'writer'>): void {
  for (const s of series) {
    encodeSeriesInto(s, ctx.timeMs, ctx.config.influxSchema, ctx.writer.body);
    ctx.writer.sealIfFull();
  }
}

function unpack(packed: PackedState | undefined): NodeState | undefined {
  return packed ? decodeState(packed) : undefined;
}

/**
 * Drops what only this node needed: its pods' objects and its previous counters. Together they
 * are most of a large run's live heap (30,000 pods of 1 to 1.5 KB at 1,000 × 30), which every
 * mark-compact walks; released node by node, the heap shrinks as the run goes instead of staying
 * at its largest until the end.
 */
function release(ctx: PipelineContext, node: string, summary: Summary): void {
  ctx.prev.delete(node);
  for (const pod of summary.pods) ctx.pods.delete(`${pod.namespace}/${pod.name}`);
}

function hold(ctx: PipelineContext, delta: number): void {
  ctx.held.now += delta;
  ctx.held.max = Math.max(ctx.held.max, ctx.held.now);
}

function decode(node: string, body: Buffer): Summary {
  try {
    // Parsed in a call of its own: the body's text is gone before the decoding allocates.
    return decodeSummary(parseSummary(body));
  } catch (err) {
    if (err instanceof SummaryDecodeError)
      throw new KubeletError(
        node,
        'invalid_json',
        `summary from ${node}: ${err.message}`,
        'the kubelet sent a body that is not a stats summary; check its version and any proxy in between',
      );
    throw err;
  }
}
