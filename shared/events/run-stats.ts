/**
 * @module events/run-stats
 * An events run's own figures: logged as one JSON line and written as a `heapless_run,fn=events`
 * point beside the collector's `heapless_run,fn=collect`.
 */
import { tagString } from '#shared/encode/line-protocol';

export interface EventsRunStats {
  /** List pages received from the API server. */
  pages: number;
  /** Events listed (every item of every page). */
  listed: number;
  /** Listed items that are not usable events (no uid, no timestamp); not exported. */
  invalid: number;
  /** Event versions not exported before: one point each. */
  new: number;
  /** Event versions the state says were exported already: skipped. */
  known: number;
  /** New versions older than the retention policy keeps: skipped (InfluxDB would refuse them). */
  expired: number;
  /** Versions remembered by the state read at the start (EVENTS_STATE_WINDOW). */
  remembered: number;
  /** Event points InfluxDB acknowledged, and their line-protocol bytes. */
  points: number;
  bytes: number;
  failedPoints: number;
  /** True when the API server could not be listed to the end. */
  listFailed: boolean;
  durationMs: number;
}

export function newEventsRunStats(): EventsRunStats {
  return {
    pages: 0,
    listed: 0,
    invalid: 0,
    new: 0,
    known: 0,
    expired: 0,
    remembered: 0,
    points: 0,
    bytes: 0,
    failedPoints: 0,
    listFailed: false,
    durationMs: 0,
  };
}

/** `heapless_run,fn=events[,cluster_name=…] events_listed=…i,… <time>`. */
export function encodeEventsRunStats(s: EventsRunStats, timeMs: number, clusterName: string | undefined): string {
  const fields = [
    `events_listed=${s.listed}i`,
    `events_new=${s.new}i`,
    `events_known=${s.known}i`,
    `events_expired=${s.expired}i`,
    `events_invalid=${s.invalid}i`,
    `events_remembered=${s.remembered}i`,
    `pages=${s.pages}i`,
    `points=${s.points}i`,
    `bytes=${s.bytes}i`,
    `failed_points=${s.failedPoints}i`,
    `list_failed=${s.listFailed ? 1 : 0}i`,
    `duration_ms=${Math.round(s.durationMs)}i`,
  ];
  return `heapless_run${tagString({ fn: 'events', cluster_name: clusterName ?? '' })} ${fields.join(',')} ${timeMs}`;
}
