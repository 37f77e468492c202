/**
 * @module collect/run
 * One collection run: list nodes and pods → read the previous counters → run every node of this
 * shard through the pipeline (collect/node-pipeline.ts) → namespace and cluster aggregates →
 * the run's own figures. RUN_DEADLINE bounds all of it (collect/budget.ts), and SIGTERM ends it
 * early the same way: stop scraping, write for TERM_GRACE, spool the rest, report.
 * With a spool, scraping never waits for InfluxDB: what it cannot take in time overflows to the
 * spool and is replayed in the writer's idle slots (influx/writer.ts).
 * Exit code 0 unless the write failed or lost points, a node was cut by the deadline, every node
 * failed, or the run was terminated.
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
import { Writer, type WriterStats } from '#shared/influx/writer';
import { readStates, type PackedState } from '#shared/influx/state-store';
import { Spool } from '#shared/influx/spool';
import { Replayer, replayUntil } from '#shared/influx/replay';
import { asError } from '#shared/errors';
import { join } from 'node:path';
import { encodeRunStats, newRunStats, nodesFailed, type RunStats } from '#shared/collect/run-stats';
import { bucketsOf, inShard, type Shard } from '#shared/collect/shard';
import { collectNode, countFailure, encodeAll, type PipelineContext } from '#shared/collect/node-pipeline';
import { RunBudget, reserveMs } from '#shared/collect/budget';
import { defaultMaxBodyBytes } from '#shared/scrape/body-cap';
import { InfluxUnreachableError, influxProblem, noAnswer } from '#shared/influx/unreachable';
import { logWriteFailed } from '#shared/collect/write-failed';

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

/**
 * A failed listing ends the run before any point but the run's own, written with
 * `list_failed=1` so that a dashboard or alert sees the run; then the error goes on to the entry
 * point, which logs it once with its hint and sets the exit code.
 */
async function listFailed(
  client: InfluxClient,
  config: CollectConfig,
  run: { stats: RunStats; timeMs: number; shard: Shard; startedMono: number; spool: Spool | undefined },
  err: unknown,
): Promise<never> {
  const { stats, shard } = run;
  stats.listFailed = true;
  stats.durationMs = Math.round(performance.now() - run.startedMono);
  stats.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const tags: Record<string, string> = shard.count > 1 ? { shard: String(shard.index) } : {};
  const line = encodeRunStats('collect', stats, run.timeMs, config.clusterName, tags);
  await writeRunPoint(client, line, Date.now() + 1_000, run.spool).catch(() => undefined);
  throw err;
}

/** Field-selected pod LISTs in flight at once (a sharded run). */
const LIST_CONCURRENCY = 8;

/**
 * How long the spool is replayed before the previous counters are read (ms): a tenth of the
 * deadline, at most 5 s. Counters an outage left in the spool then give rates; what is left is
 * replayed in the writer's idle slots, so the replay never holds scraping back for longer.
 */
export function replayFirstMs(runDeadlineMs: number): number {
  return Math.min(5_000, Math.round(runDeadlineMs / 10));
}

function deadlineHint(spooling: boolean, writer: Writer): string {
  if (!spooling && writer.stats.waitedMs > 0)
    return `scraping waited ${writer.stats.waitedMs} ms for InfluxDB: set SPOOL_DIR so that it never waits, or give InfluxDB more CPU`;
  return 'RUN_DEADLINE left no time for these nodes: raise KUBELET_CONCURRENCY, lower KUBELET_TIMEOUT, or shard';
}

interface Outcome {
  stats: RunStats;
  written: WriterStats;
  runWritten: WriterStats;
  timeMs: number;
  shard: Shard;
  terminated: boolean;
}

/** The run's log lines; the exit code: 1 when the write failed or every node failed. */
function report(log: Logger, config: CollectConfig, o: Outcome): number {
  const { stats, written } = o;
  const errors = [...written.errors, ...o.runWritten.errors];
  if (written.badLines.length > 0)
    log.warn('bad_points', {
      count: written.badPoints,
      examples: written.badLines,
      hint: 'InfluxDB rejected these lines; the rest of their batches was stored',
    });
  if (stats.spoolDroppedPoints > 0)
    log.warn('spool_full', {
      droppedPoints: stats.spoolDroppedPoints,
      spoolDir: config.spoolDir,
      hint: 'InfluxDB has been unreachable for long: the oldest spooled points were dropped; raise SPOOL_MAX_BYTES or restore InfluxDB',
    });
  const writeFailed = written.failedPoints > 0 || written.spooledPoints > 0 || errors.length > 0;
  const lost = stats.spoolDroppedPoints > 0 || stats.nodesCut > 0;
  log.info('run', {
    runTime: new Date(o.timeMs).toISOString(),
    ...(o.shard.count > 1 ? { shard: `${o.shard.index}/${o.shard.count}` } : {}),
    ...(o.terminated ? { terminated: true } : {}),
    spool: config.spoolDir ? 'on' : 'off: scraping waits while InfluxDB is slow; set SPOOL_DIR so that it never does',
    ...summary(stats),
    ...(writeFailed ? { writeErrors: errors } : {}),
  });
  if (writeFailed) logWriteFailed(log, config, stats, errors);
  return writeFailed || lost || o.terminated || (stats.nodes > 0 && stats.nodesOk === 0) ? 1 : 0;
}

function summary(s: RunStats): Record<string, unknown> {
  return {
    nodes: s.nodes,
    nodesOk: s.nodesOk,
    nodesFailed: nodesFailed(s),
    nodesCut: s.nodesCut,
    failures: s.failures,
    points: s.points,
    bytes: s.bytes,
    failedPoints: s.failedPoints,
    spooledPoints: s.spooledPoints,
    overflowPoints: s.overflowPoints,
    replayedPoints: s.replayedPoints,
    spoolBacklogPoints: s.spoolBacklogPoints,
    influxWaitMs: s.influxWaitMs,
    spoolDroppedPoints: s.spoolDroppedPoints,
    badPoints: s.badPoints,
    listMs: s.listMs,
    stateReadMs: s.stateReadMs,
    maxPayloadsHeld: s.maxPayloadsHeld,
    peakRssMb: s.peakRssMb,
    durationMs: s.durationMs,
    ...memory(),
  };
}

/** Where memory is at the end of a run (MB), to tell live data from garbage and buffers. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  const mb = (b: number) => Math.round(b / 1048576);
  return {
    rssMb: mb(m.rss),
    heapUsedMb: mb(m.heapUsed),
    heapTotalMb: mb(m.heapTotal),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
  };
}

interface Prepare {
  log: Logger;
  stats: RunStats;
  replayer: Replayer | undefined;
  /** The replay before the counters are read stops here; the writer replays the rest. */
  replayUntilMs: number;
  since: number;
  before: number;
  buckets: number[] | undefined;
}

/**
 * Database, spool replay and previous counters. An unreachable InfluxDB does not stop a run with
 * a spool: it still scrapes, and what it cannot write goes to the spool (without previous
 * counters this run simply has no rates). Without one, nothing could be kept: the run ends.
 */
async function prepareInflux(
  client: InfluxClient,
  config: CollectConfig,
  p: Prepare,
): Promise<Map<string, PackedState> | InfluxUnreachableError> {
  try {
    if (config.influxCreateDb) await client.ensureDatabase(config.influxRetention);
    if (p.replayer) await replayUntil(p.replayer, p.replayUntilMs);
    const t0 = performance.now();
    const prev = await readStates(client, p.since, p.before, p.buckets);
    p.stats.stateReadMs = Math.round(performance.now() - t0);
    return prev;
  } catch (err) {
    if (!p.replayer && noAnswer(err)) return reportedAtOnce(p.log, new InfluxUnreachableError(config.influxUrl, err));
    p.log.error('influx_unavailable', {
      error: asError(err),
      url: config.influxUrl,
      hint: p.replayer
        ? 'collecting anyway; points that cannot be written go to SPOOL_DIR'
        : 'collecting anyway; set SPOOL_DIR to keep points InfluxDB cannot take',
    });
    return new Map();
  }
}

function reportedAtOnce(log: Logger, err: InfluxUnreachableError): InfluxUnreachableError {
  const problem = influxProblem(err);
  if (problem) log.error(problem.event, { error: problem.error, hint: problem.hint });
  err.reported = true;
  return err;
}

async function writeRunPoint(
  client: InfluxClient,
  line: string,
  deadlineMs: number,
  spool: Spool | undefined,
): Promise<WriterStats> {
  const w = new Writer(client, { batchSize: 1, maxInFlight: 1, deadlineMs, ...(spool ? { spool } : {}) });
  await w.write([line]);
  return w.close();
}

function spoolRunPoint(spool: Spool, line: string): WriterStats {
  const stats: WriterStats = {
    points: 0,
    bytes: 0,
    batches: 0,
    failedPoints: 0,
    spooledPoints: 1,
    overflowPoints: 0,
    waitedMs: 0,
    badPoints: 0,
    badLines: [],
    errors: [],
  };
  try {
    spool.add(line, 1);
  } catch (err) {
    stats.spooledPoints = 0;
    stats.failedPoints = 1;
    stats.errors.push(`spool: cannot keep the run's own point: ${asError(err).message}`);
  }
  return stats;
}

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
