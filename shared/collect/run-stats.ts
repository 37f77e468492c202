/**
 * @module collect/run-stats
 * A run's own figures: logged as one JSON line and written as a `heapless_run` point.
 */
import { escapeTag } from '#shared/encode/escape';
import { SAMPLES_RUN_FIELD } from '#shared/families/rightsizing-samples';

export interface RunStats {
  nodes: number;
  nodesOk: number;
  /** Failed nodes by reason (`timeout`, `tls`, `http_5xx`, `invalid_json`, …). */
  failures: Record<string, number>;
  /**
   * Nodes the run itself did not scrape: cut by RUN_DEADLINE or SIGTERM (failures `deadline` and
   * `terminated`). Counted like lost points: they fail the run.
   */
  nodesCut: number;
  points: number;
  bytes: number;
  failedPoints: number;
  /** Points kept in the spool because InfluxDB did not take them in time. */
  spooledPoints: number;
  /** Points sent to the spool because InfluxDB was slower than scraping; replayed from there. */
  overflowPoints: number;
  /** Points of earlier runs stored from the spool by this run (its own overflow counts in `points`). */
  replayedPoints: number;
  /** Points still in the spool when the run ended, for the next run to replay. */
  spoolBacklogPoints: number;
  /** Time scrapers were held back waiting for InfluxDB, summed over them (ms; only without a spool). */
  influxWaitMs: number;
  /** Points dropped because the spool was full (oldest first). */
  spoolDroppedPoints: number;
  /** Lines InfluxDB rejected as invalid. */
  badPoints: number;
  /** The listing failed (the run ends before any point but this one). */
  listFailed: boolean;
  /** Time to list the shard's nodes, pods and their owners from the API server (ms, wall). */
  listMs: number;
  /** Time to read the previous run's counters from InfluxDB. */
  stateReadMs: number;
  /** Most kubelet payloads held in memory at once; bounded by KUBELET_CONCURRENCY. */
  maxPayloadsHeld: number;
  /** Peak resident memory of the process so far (MB), from getrusage. */
  peakRssMb: number;
  durationMs: number;
  /** heapless_rightsizing_samples points written (its field says, by its presence, where that series begins). */
  rightsizingSamples: number;
}

export function newRunStats(): RunStats {
  return {
    nodes: 0,
    nodesOk: 0,
    failures: {},
    nodesCut: 0,
    points: 0,
    bytes: 0,
    failedPoints: 0,
    spooledPoints: 0,
    overflowPoints: 0,
    replayedPoints: 0,
    spoolBacklogPoints: 0,
    influxWaitMs: 0,
    spoolDroppedPoints: 0,
    badPoints: 0,
    listFailed: false,
    listMs: 0,
    stateReadMs: 0,
    maxPayloadsHeld: 0,
    peakRssMb: 0,
    durationMs: 0,
    rightsizingSamples: 0,
  };
}

export function nodesFailed(s: RunStats): number {
  return Object.values(s.failures).reduce((a, b) => a + b, 0);
}

/** `heapless_run,fn=collect[,cluster_name=…] nodes=…i,… <time>`; failure reasons become `failed_<reason>` fields. */
export function encodeRunStats(
  fn: string,
  s: RunStats,
  timeMs: number,
  clusterName: string | undefined,
  extraTags: Record<string, string> = {},
): string {
  const all: Record<string, string> = { ...extraTags, fn, ...(clusterName ? { cluster_name: clusterName } : {}) };
  const tags = Object.keys(all)
    .sort()
    .map((k) => `${escapeTag(k)}=${escapeTag(all[k] as string)}`)
    .join(',');
  const fields = [
    `nodes=${s.nodes}i`,
    `nodes_ok=${s.nodesOk}i`,
    `nodes_failed=${nodesFailed(s)}i`,
    `nodes_cut=${s.nodesCut}i`,
    `points=${s.points}i`,
    `bytes=${s.bytes}i`,
    `failed_points=${s.failedPoints}i`,
    `spooled_points=${s.spooledPoints}i`,
    `overflow_points=${s.overflowPoints}i`,
    `replayed_points=${s.replayedPoints}i`,
    `spool_backlog_points=${s.spoolBacklogPoints}i`,
    `influx_wait_ms=${s.influxWaitMs}i`,
    `spool_dropped_points=${s.spoolDroppedPoints}i`,
    `bad_points=${s.badPoints}i`,
    `list_failed=${s.listFailed ? 1 : 0}i`,
    `list_ms=${s.listMs}i`,
    `state_read_ms=${s.stateReadMs}i`,
    `max_payloads_held=${s.maxPayloadsHeld}i`,
    `peak_rss_mb=${s.peakRssMb}i`,
    `duration_ms=${Math.round(s.durationMs)}i`,
    `${SAMPLES_RUN_FIELD}=${s.rightsizingSamples}i`,
  ];
  for (const [reason, n] of Object.entries(s.failures))
    fields.push(`failed_${reason.replace(/[^a-z0-9_]/gi, '_')}=${n}i`);
  return `heapless_run,${tags} ${fields.join(',')} ${timeMs}`;
}
