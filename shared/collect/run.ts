/**
 * @module collect/run
 * One collection run: list nodes and pods → scrape each kubelet → decode → derive → encode →
 * write, node by node (a node's payload is released before the pool takes another), then the
 * run's own figures. Exit code 0 unless the write failed or every node failed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '#shared/log';
import type { NodeInfo, PodInfo } from '#shared/model';
import type { NodeState, Series } from '#shared/derive/types';
import type { CollectConfig } from '#shared/collect/settings';
import { readInfluxAuth } from '#shared/config/common';
import { KubeletError, asError } from '#shared/errors';
import { loadKubeConfig } from '#shared/kube/config';
import { listNodes, listPods } from '#shared/kube/list';
import { kubeletTarget } from '#shared/kube/kubelet-target';
import { createSummaryFetcher, type FetchSummary } from '#shared/scrape/kubelet-client';
import { forEachLimit } from '#shared/scrape/pool';
import { decodeSummaryText, SummaryDecodeError } from '#shared/decode/summary';
import { deriveNode } from '#shared/derive/node';
import { Aggregator } from '#shared/derive/aggregate';
import { encodeSeries } from '#shared/encode/line-protocol';
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { Writer } from '#shared/influx/writer';
import { encodeState, readStates } from '#shared/influx/state-store';
import { encodeRunStats, newRunStats, nodesFailed, type RunStats } from '#shared/collect/run-stats';

export interface CollectDeps {
  log: Logger;
  /** Wall clock in ms; injectable so tests can pin the interval. */
  now?: () => number;
}

export interface RunResult {
  exitCode: number;
  stats: RunStats;
  /** The run's timestamp: now, aligned down to the interval. */
  timeMs: number;
}

interface RunContext {
  config: CollectConfig;
  log: Logger;
  timeMs: number;
  maxGapMs: number;
  pods: Map<string, PodInfo>;
  prev: Map<string, NodeState>;
  fetch: FetchSummary;
  writer: Writer;
  aggregator: Aggregator;
  stats: RunStats;
}

export async function runCollect(config: CollectConfig, deps: CollectDeps): Promise<RunResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const startedMono = performance.now();
  const { log } = deps;
  const timeMs = Math.floor(started / config.interval) * config.interval;
  const stats = newRunStats();
  if (config.kubeletInsecureTls) log.warn('kubelet_tls_unverified', { message: 'KUBELET_INSECURE_TLS=true: kubelet certificates are not verified; set KUBELET_CA_FILE instead' });
  routePackageLogs(log);

  const kc = loadKubeConfig(config.kubeconfig);
  const listOpts = { pageSize: config.pageSize, timeoutMs: config.apiTimeout };
  // Fail fast, before anything is written, when the API server cannot list what the run needs.
  const [nodes, podList] = await Promise.all([listNodes(kc, listOpts), listPods(kc, listOpts)]);
  const client = new InfluxClient({ url: config.influxUrl, db: config.influxDb, auth: readInfluxAuth(config), timeoutMs: config.influxTimeout });
  await client.ensureDatabase(config.influxRetention);
  const maxGapMs = config.rateMaxGap ?? Math.round(config.interval * 1.5);
  const prev = await readStates(client, timeMs - maxGapMs - config.interval, timeMs);
  const deadlineMs = started + (config.runDeadline ?? config.interval - 5_000);
  const writer = new Writer(client, { batchSize: config.influxBatchSize, maxInFlight: 2, deadlineMs });
  const ctx: RunContext = { config, log, timeMs, maxGapMs, pods: byNamespacedName(podList), prev, fetch: await fetcher(kc, config), writer, aggregator: new Aggregator(config.clusterName), stats };

  stats.nodes = nodes.length;
  await forEachLimit(nodes, config.kubeletConcurrency, (node) => collectNode(ctx, node));
  await writer.write(encodeAll(ctx.aggregator.series(), ctx));
  const written = await writer.close();
  stats.points = written.points;
  stats.bytes = written.bytes;
  stats.failedPoints = written.failedPoints;
  stats.durationMs = Math.round(performance.now() - startedMono);

  const runWriter = new Writer(client, { batchSize: 1, maxInFlight: 1, deadlineMs });
  await runWriter.write([encodeRunStats('collect', stats, timeMs, config.clusterName)]);
  const runWritten = await runWriter.close();
  const writeFailed = written.failedPoints > 0 || written.errors.length > 0 || runWritten.errors.length > 0;
  const allNodesFailed = stats.nodes > 0 && stats.nodesOk === 0;
  log.info('run', { runTime: new Date(timeMs).toISOString(), nodes: stats.nodes, nodesOk: stats.nodesOk, nodesFailed: nodesFailed(stats), failures: stats.failures, points: stats.points, bytes: stats.bytes, failedPoints: stats.failedPoints, durationMs: stats.durationMs, ...(writeFailed ? { writeErrors: [...written.errors, ...runWritten.errors] } : {}) });
  return { exitCode: writeFailed || allNodesFailed ? 1 : 0, stats, timeMs };
}

function fetcher(kc: KubeConfig, c: CollectConfig): Promise<FetchSummary> {
  return createSummaryFetcher(kc, {
    access: c.kubeletAccess,
    ...(c.kubeletCaFile ? { caFile: c.kubeletCaFile } : {}),
    insecure: c.kubeletInsecureTls,
    timeoutMs: c.kubeletTimeout,
    maxBodyBytes: c.kubeletMaxBodyBytes,
    concurrency: c.kubeletConcurrency,
  });
}

/** Scrape → decode → derive → encode → write for one node. Never throws: failures are counted. */
async function collectNode(ctx: RunContext, node: NodeInfo): Promise<void> {
  const started = Date.now();
  try {
    if (!node.ready) throw new KubeletError(node.name, 'not_ready', `node ${node.name} is not Ready; skipped as Heapster did`);
    const target = kubeletTarget(node, ctx.config.kubeletAddressTypes, ctx.config.kubeletPort);
    if (!target) throw new KubeletError(node.name, 'no_address', `node ${node.name} has none of the address types ${ctx.config.kubeletAddressTypes.join(',')}`, 'add the node’s address types to KUBELET_ADDRESS_TYPES');
    const body = await ctx.fetch(target);
    const summary = decode(node.name, body);
    const batch = deriveNode({ summary, node, pods: ctx.pods, prev: ctx.prev.get(node.name), clusterName: ctx.config.clusterName, maxGapMs: ctx.maxGapMs });
    ctx.aggregator.add(batch);
    const lines = encodeAll(batch.series, ctx);
    lines.push(encodeState(node.name, batch.state, ctx.timeMs));
    await ctx.writer.write(lines);
    ctx.stats.nodesOk++;
  } catch (err) {
    const e = err instanceof KubeletError ? err : new KubeletError(node.name, 'error', asError(err).message);
    ctx.stats.failures[e.reason] = (ctx.stats.failures[e.reason] ?? 0) + 1;
    ctx.log.warn('node_failed', { node: node.name, reason: e.reason, error: e.message, ...(e.hint ? { hint: e.hint } : {}), durationMs: Date.now() - started });
  }
}

function decode(node: string, body: string): ReturnType<typeof decodeSummaryText> {
  try {
    return decodeSummaryText(body);
  } catch (err) {
    if (err instanceof SummaryDecodeError) throw new KubeletError(node, 'invalid_json', `summary from ${node}: ${err.message}`, 'the kubelet sent a body that is not a stats summary; check its version and any proxy in between');
    throw err;
  }
}

function encodeAll(series: readonly Series[], ctx: RunContext): string[] {
  const lines: string[] = [];
  for (const s of series) encodeSeries(s, ctx.timeMs, ctx.config.influxSchema, lines);
  return lines;
}

function byNamespacedName(pods: PodInfo[]): Map<string, PodInfo> {
  return new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p]));
}
