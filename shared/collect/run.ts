/**
 * @module collect/run
 * One collection run: list nodes and pods → read the previous counters → run every node of this
 * shard through the pipeline (collect/node-pipeline.ts) → namespace and cluster aggregates →
 * the run's own figures. Exit code 0 unless the write failed or every node failed.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '#shared/log';
import type { NodeInfo, PodInfo } from '#shared/model';
import type { CollectConfig } from '#shared/collect/settings';
import { readInfluxAuth } from '#shared/config/common';
import { loadKubeConfig } from '#shared/kube/config';
import { listNodes, listPods } from '#shared/kube/list';
import { createSummaryFetcher, type FetchSummary } from '#shared/scrape/kubelet-client';
import { forEachLimit } from '#shared/scrape/pool';
import { Aggregator } from '#shared/derive/aggregate';
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { Writer, type WriterStats } from '#shared/influx/writer';
import { readStates } from '#shared/influx/state-store';
import { encodeRunStats, newRunStats, nodesFailed, type RunStats } from '#shared/collect/run-stats';
import { bucketsOf, inShard, type Shard } from '#shared/collect/shard';
import { collectNode, encodeAll, type PipelineContext } from '#shared/collect/node-pipeline';

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

export async function runCollect(config: CollectConfig, deps: CollectDeps): Promise<RunResult> {
  const started = (deps.now ?? Date.now)();
  const startedMono = performance.now();
  const { log } = deps;
  const timeMs = Math.floor(started / config.interval) * config.interval;
  const shard: Shard = { index: config.shardIndex, count: config.shardCount };
  if (config.kubeletInsecureTls) log.warn('kubelet_tls_unverified', { message: 'KUBELET_INSECURE_TLS=true: kubelet certificates are not verified; set KUBELET_CA_FILE instead' });
  routePackageLogs(log);

  const kc = loadKubeConfig(config.kubeconfig);
  const listOpts = { pageSize: config.pageSize, timeoutMs: config.apiTimeout };
  // Fail fast, before anything is written, when the API server cannot list what the run needs.
  const [allNodes, podList] = await Promise.all([listNodes(kc, listOpts), listPods(kc, listOpts)]);
  const nodes = allNodes.filter((n) => inShard(n.name, shard));
  const client = new InfluxClient({ url: config.influxUrl, db: config.influxDb, auth: readInfluxAuth(config), timeoutMs: config.influxTimeout });
  await client.ensureDatabase(config.influxRetention);
  const maxGapMs = config.rateMaxGap ?? Math.round(config.interval * 1.5);
  const stateRead = performance.now();
  const prev = await readStates(client, timeMs - maxGapMs - config.interval, timeMs, shard.count > 1 ? bucketsOf(shard) : undefined);
  const stats = newRunStats();
  stats.stateReadMs = Math.round(performance.now() - stateRead);
  const deadlineMs = started + (config.runDeadline ?? config.interval - 5_000);
  const writer = new Writer(client, { batchSize: config.influxBatchSize, maxInFlight: 2, deadlineMs });
  const shardTags: Record<string, string> = shard.count > 1 ? { shard: String(shard.index) } : {};
  const ctx: PipelineContext = { config, log, timeMs, maxGapMs, pods: podsOn(nodes, podList), prev, fetch: await fetcher(kc, config), writer, aggregator: new Aggregator(config.clusterName, shardTags), stats, held: { now: 0, max: 0 } };

  stats.nodes = nodes.length;
  await forEachLimit(nodes, config.kubeletConcurrency, (node) => collectNode(ctx, node));
  await writer.write(encodeAll(ctx.aggregator.series(), ctx));
  const written = await writer.close();
  Object.assign(stats, { points: written.points, bytes: written.bytes, failedPoints: written.failedPoints, maxPayloadsHeld: ctx.held.max });
  stats.durationMs = Math.round(performance.now() - startedMono);

  const runWritten = await writeRunPoint(client, encodeRunStats('collect', stats, timeMs, config.clusterName, shardTags), deadlineMs);
  const errors = [...written.errors, ...runWritten.errors];
  const writeFailed = written.failedPoints > 0 || errors.length > 0;
  log.info('run', { runTime: new Date(timeMs).toISOString(), ...(shard.count > 1 ? { shard: `${shard.index}/${shard.count}` } : {}), ...summary(stats), ...(writeFailed ? { writeErrors: errors } : {}) });
  return { exitCode: writeFailed || (stats.nodes > 0 && stats.nodesOk === 0) ? 1 : 0, stats, timeMs };
}

function summary(s: RunStats): Record<string, unknown> {
  return { nodes: s.nodes, nodesOk: s.nodesOk, nodesFailed: nodesFailed(s), failures: s.failures, points: s.points, bytes: s.bytes, failedPoints: s.failedPoints, stateReadMs: s.stateReadMs, maxPayloadsHeld: s.maxPayloadsHeld, durationMs: s.durationMs };
}

async function writeRunPoint(client: InfluxClient, line: string, deadlineMs: number): Promise<WriterStats> {
  const w = new Writer(client, { batchSize: 1, maxInFlight: 1, deadlineMs });
  await w.write([line]);
  return w.close();
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

/** Pods on this shard's nodes, by `namespace/name`: a shard keeps only its own pods in memory. */
function podsOn(nodes: readonly NodeInfo[], pods: readonly PodInfo[]): Map<string, PodInfo> {
  const names = new Set(nodes.map((n) => n.name));
  const out = new Map<string, PodInfo>();
  for (const p of pods) if (p.nodeName !== undefined && names.has(p.nodeName)) out.set(`${p.namespace}/${p.name}`, p);
  return out;
}
