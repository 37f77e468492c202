/**
 * @module collect/run-stats
 * A run's own figures: logged as one JSON line and written as a `heapless_run` point.
 */
import { escapeTag } from '#shared/encode/escape';

export interface RunStats {
  nodes: number;
  nodesOk: number;
  /** Failed nodes by reason (`timeout`, `tls`, `http_5xx`, `invalid_json`, …). */
  failures: Record<string, number>;
  points: number;
  bytes: number;
  failedPoints: number;
  /** Points kept in the spool because InfluxDB did not take them in time. */
  spooledPoints: number;
  /** Points of earlier runs replayed from the spool by this run. */
  replayedPoints: number;
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
}

export function newRunStats(): RunStats {
  return {
    nodes: 0,
    nodesOk: 0,
    failures: {},
    points: 0,
    bytes: 0,
    failedPoints: 0,
    spooledPoints: 0,
    replayedPoints: 0,
    spoolDroppedPoints: 0,
    badPoints: 0,
    listFailed: false,
    listMs: 0,
    stateReadMs: 0,
    maxPayloadsHeld: 0,
    peakRssMb: 0,
    durationMs: 0,
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
    `points=${s.points}i`,
    `bytes=${s.bytes}i`,
    `failed_points=${s.failedPoints}i`,
    `spooled_points=${s.spooledPoints}i`,
    `replayed_points=${s.replayedPoints}i`,
    `spool_dropped_points=${s.spoolDroppedPoints}i`,
    `bad_points=${s.badPoints}i`,
    `list_failed=${s.listFailed ? 1 : 0}i`,
    `list_ms=${s.listMs}i`,
    `state_read_ms=${s.stateReadMs}i`,
    `max_payloads_held=${s.maxPayloadsHeld}i`,
    `peak_rss_mb=${s.peakRssMb}i`,
    `duration_ms=${Math.round(s.durationMs)}i`,
  ];
  for (const [reason, n] of Object.entries(s.failures))
    fields.push(`failed_${reason.replace(/[^a-z0-9_]/gi, '_')}=${n}i`);
  return `heapless_run,${tags} ${fields.join(',')} ${timeMs}`;
}
