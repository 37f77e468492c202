/**
 * @module collect/run
 * One collection run: list nodes and pods → read the previous counters → run every node of this
 * shard through the pipeline (collect/node-pipeline.ts) → namespace and cluster aggregates →
 * the run's own figures. RUN_DEADLINE bounds all of it (collect/budget.ts), and SIGTERM ends it
 * early the same way: stop scraping, write for TERM_GRACE, spool the rest, report.
 * With a spool, scraping never waits for InfluxDB: what it cannot take in time overflows to the
 * spool and is replayed in the writer's idle slots (influx/writer.ts).
 * Exit code 0 unless the write failed or lost points, a node was cut by the deadline, every node
 * failed, or the run was terminated. InfluxDB's preparation and the run's own point are in
 * collect/run-influx.ts, the summary line and the exit code in collect/run-report.ts.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '#shared/log';
import type { NodeInfo, PodInfo } from '#shared/model';
import type { CollectConfig } from '#shared/collect/settings';
import { readInfluxAuth } from '#shared/config/common';
import { loadKubeConfig } from '#shared/kube/config';
import { createListClient, listNodes, listPods, listPodsOfNodes } from '#shared/kube/list';
import { listOwners } from '#shared/kube/owners';
import { assignWorkloads } from '#shared/derive/workload';
import { createSummaryFetcher, type FetchSummary } from '#shared/scrape/kubelet-client';
import { forEachLimit } from '#shared/scrape/pool';
import { Aggregator } from '#shared/derive/aggregate';
import { InfluxClient, routePackageLogs } from '#shared/influx/client';
import { Writer } from '#shared/influx/writer';
import { Spool } from '#shared/influx/spool';
import { Replayer } from '#shared/influx/replay';
import { join } from 'node:path';
import { encodeRunStats, newRunStats, type RunStats } from '#shared/collect/run-stats';
import { bucketsOf, inShard, type Shard } from '#shared/collect/shard';
import { collectNode, countFailure, encodeAll, type PipelineContext } from '#shared/collect/node-pipeline';
import { RunBudget, reserveMs } from '#shared/collect/budget';
import { defaultMaxBodyBytes } from '#shared/scrape/body-cap';
import { InfluxUnreachableError } from '#shared/influx/unreachable';
import { deadlineHint, report } from '#shared/collect/run-report';
import { listFailed, prepareInflux, replayFirstMs, spoolRunPoint, writeRunPoint } from '#shared/collect/run-influx';

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
  if (config.kubeletInsecureTls)
    log.warn('kubelet_tls_unverified', {
      message: 'KUBELET_INSECURE_TLS=true: kubelet certificates are not verified; set KUBELET_CA_FILE instead',
    });
  routePackageLogs(log);

  const client = new InfluxClient({
    url: config.influxUrl,
    db: config.influxDb,
    auth: readInfluxAuth(config),
    timeoutMs: config.influxTimeout,
    maxSockets: config.influxConcurrency,
  });
  const stats = newRunStats();
  // The deadline is wall-clock time, whatever clock stamps the points.
  const runDeadlineMs = config.runDeadline ?? config.interval - 5_000;
  const deadlineMs = Date.now() + runDeadlineMs;
  const budget = new RunBudget(deadlineMs, runDeadlineMs);
  let writer: Writer | undefined;
  // SIGTERM (activeDeadlineSeconds, a node drain): stop scraping now, write for TERM_GRACE, spool
  // the rest, report. While this listener is installed Node does not exit on SIGTERM by itself.
  const onTerm = (): void => {
    log.warn('terminated', {
      signal: 'SIGTERM',
      graceMs: config.termGrace,
      hint: 'scraped points are written or spooled',
    });
    budget.terminate();
    writer?.shorten(Date.now() + config.termGrace);
  };
  process.once('SIGTERM', onTerm);
  try {
    return await collectWithin(config, deps, { client, stats, budget, timeMs, shard, startedMono }, (w) => {
      writer = w;
      if (budget.terminated) w.shorten(Date.now() + config.termGrace);
    });
  } finally {
    process.off('SIGTERM', onTerm);
    budget.dispose();
  }
}

interface RunParts {
  client: InfluxClient;
  stats: RunStats;
  budget: RunBudget;
  timeMs: number;
  shard: Shard;
  startedMono: number;
}

async function collectWithin(
  config: CollectConfig,
  deps: CollectDeps,
  { client, stats, budget, timeMs, shard, startedMono }: RunParts,
  onWriter: (w: Writer) => void,
): Promise<RunResult> {
  const { log } = deps;
  const { deadlineMs } = budget;
  const runDeadlineMs = config.runDeadline ?? config.interval - 5_000;
  const kc = loadKubeConfig(config.kubeconfig);
  const spool = config.spoolDir
    ? new Spool(shard.count > 1 ? join(config.spoolDir, `shard-${shard.index}`) : config.spoolDir, config.spoolMaxBytes)
    : undefined;
  const replayer = spool ? new Replayer(client, spool) : undefined;
  const maxGapMs = config.rateMaxGap ?? Math.round(config.interval * 1.5);
  // Listing and InfluxDB's preparation are independent: side by side, they shorten the time to
  // the first kubelet request. A failed listing still ends the run before any of its points.
  const listStarted = performance.now();
  const preparing = prepareInflux(client, config, {
    log,
    stats,
    replayer,
    replayUntilMs: Date.now() + replayFirstMs(runDeadlineMs),
    since: timeMs - maxGapMs - config.interval,
    before: timeMs,
    buckets: shard.count > 1 ? bucketsOf(shard) : undefined,
  });
  const listing = listShard(kc, config, shard, log, budget.signal)
    .finally(() => {
      stats.listMs = Math.round(performance.now() - listStarted);
    })
    .catch(async (err: unknown) => {
      // The run's point goes to the database the preparation creates: wait for it.
      await preparing.catch(() => undefined);
      return listFailed(client, config, { stats, timeMs, shard, startedMono, spool }, err);
    });
  const [{ nodes, pods }, prev] = await Promise.all([listing, preparing]);
  // Said at once (prepareInflux); thrown once the listing is done, whose own failure wins.
  if (prev instanceof InfluxUnreachableError) throw prev;
  const writer = new Writer(client, {
    batchSize: config.influxBatchSize,
    maxInFlight: config.influxConcurrency,
    deadlineMs,
    ...(spool ? { spool, overflow: true } : {}),
    ...(replayer ? { replayer } : {}),
  });
  onWriter(writer);
  const shardTags: Record<string, string> = shard.count > 1 ? { shard: String(shard.index) } : {};
  const ctx: PipelineContext = {
    config,
    log,
    timeMs,
    maxGapMs,
    pods,
    prev,
    fetch: await fetcher(kc, config),
    writer,
    aggregator: new Aggregator(config.clusterName, shardTags),
    stats,
    held: { now: 0, max: 0 },
    stop: budget.signal,
  };

  stats.nodes = nodes.length;
  // A node is started only while half the write reserve (or its timeout, if shorter) is left
  // before the scrape cutoff; the ones never started count as `deadline` (or `terminated`).
  const minScrapeMs = Math.min(reserveMs(runDeadlineMs) / 2, config.kubeletTimeout);
  const skipped = await forEachLimit(
    nodes,
    config.kubeletConcurrency,
    (node) => collectNode(ctx, node),
    () => budget.mayStart(minScrapeMs),
  );
  if (skipped.length > 0) {
    const why = budget.terminated ? 'terminated' : 'deadline';
    for (const _ of skipped) countFailure(ctx.stats, why);
    log.warn('nodes_skipped', {
      count: skipped.length,
      reason: why,
      examples: skipped.slice(0, 5).map((n) => n.name),
      hint: why === 'terminated' ? 'the next run collects them' : deadlineHint(spool !== undefined, writer),
    });
  }
  encodeAll(ctx.aggregator.series(), ctx);
  const samples = ctx.aggregator.samples.lines(timeMs);
  for (const line of samples) writer.push(line);
  stats.rightsizingSamples = samples.length;
  const written = await writer.close();
  const replayed = replayer?.figures;
  stats.nodesCut = (stats.failures['deadline'] ?? 0) + (stats.failures['terminated'] ?? 0);
  Object.assign(stats, {
    // This run's own points count as written whether they went straight in or through the spool.
    points: written.points + (replayed?.ownPoints ?? 0),
    bytes: written.bytes + (replayed?.ownBytes ?? 0),
    failedPoints: written.failedPoints,
    spooledPoints: written.spooledPoints,
    overflowPoints: written.overflowPoints,
    replayedPoints: replayed?.replayedPoints ?? 0,
    spoolBacklogPoints: replayed?.remainingPoints ?? 0,
    influxWaitMs: written.waitedMs,
    badPoints: written.badPoints + (replayed?.badPoints ?? 0),
    maxPayloadsHeld: ctx.held.max,
    spoolDroppedPoints: spool?.figures.droppedPoints ?? 0,
  });
  if (replayed && (replayed.replayedPoints > 0 || replayed.remaining > 0 || replayed.error))
    log.info('spool_replayed', { ...replayed });
  stats.durationMs = Math.round(performance.now() - startedMono);
  stats.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  // The run's own point gets a second of its own: past the deadline it would go to the spool.
  // While some of the run's points still wait in the spool, the point waits behind them: the
  // rollup counts `heapless_run` points to find windows whose points arrived late (rollup/late).
  const runLine = encodeRunStats('collect', stats, timeMs, config.clusterName, shardTags);
  const runWritten =
    spool && (replayer?.ownRemaining ?? 0) > 0
      ? spoolRunPoint(spool, runLine)
      : await writeRunPoint(client, runLine, Date.now() + 1_000, spool);
  const exitCode = report(log, config, { stats, written, runWritten, timeMs, shard, terminated: budget.terminated });
  return { exitCode, stats, timeMs };
}

/**
 * This shard's nodes and the pods on them. Fails fast, before anything is written, when the API
 * server cannot list what the run needs. One shard lists every pod in one LIST; a shard of
 * several lists only its own nodes' pods (kube/list explains the choice and its RBAC).
 */
async function listShard(
  kc: KubeConfig,
  config: CollectConfig,
  shard: Shard,
  log: Logger,
  signal: AbortSignal,
): Promise<{ nodes: NodeInfo[]; pods: Map<string, PodInfo> }> {
  const opts = { pageSize: config.pageSize, timeoutMs: config.apiTimeout, signal, log };
  const lists = await createListClient(kc, LIST_CONCURRENCY);
  const onShard = (node: string | undefined): boolean => node !== undefined && inShard(node, shard);
  // Never rejects (a failed owner listing falls back to direct owners), so it can wait unobserved.
  const owners = listOwners(lists, opts, log);
  let nodes: NodeInfo[];
  let pods: PodInfo[];
  if (shard.count === 1) [nodes, pods] = await Promise.all([listNodes(lists, opts), listPods(lists, opts)]);
  else {
    nodes = (await listNodes(lists, opts)).filter((n) => onShard(n.name));
    pods = await listPodsOfNodes(
      lists,
      opts,
      nodes.map((n) => n.name),
      LIST_CONCURRENCY,
    );
  }
  const unresolved = assignWorkloads(pods, await owners);
  if (unresolved.count > 0)
    log.warn('workload_unresolved', { ...unresolved, hint: 'these pods were tagged with their direct owner' });
  return { nodes, pods: new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p])) };
}

/** Field-selected pod LISTs in flight at once (a sharded run). */
const LIST_CONCURRENCY = 8;

function fetcher(kc: KubeConfig, c: CollectConfig): Promise<FetchSummary> {
  return createSummaryFetcher(kc, {
    access: c.kubeletAccess,
    ...(c.kubeletCaFile ? { caFile: c.kubeletCaFile } : {}),
    insecure: c.kubeletInsecureTls,
    timeoutMs: c.kubeletTimeout,
    maxBodyBytes: c.kubeletMaxBodyBytes ?? defaultMaxBodyBytes(c.kubeletConcurrency),
    concurrency: c.kubeletConcurrency,
  });
}
