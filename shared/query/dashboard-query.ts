/**
 * @module query/dashboard-query
 * The Dashboard metrics-scraper API (kubelet-and-apis.md §5) from InfluxDB. The scraper stores
 * what metrics.k8s.io gave it each minute — CPU as millicores rounded up (Quantity.MilliValue),
 * memory as working-set bytes — sums a pod's containers per scrape, and answers with its quirks:
 * `uids` holds names, `dataPoints` is always empty, and no data at all is `{"items":null}`.
 */
import type { QueryResult } from '#shared/influx/client';
import { from, idents, tagEquals, tagIn, where, type Scope } from '#shared/query/where';
import { rfc3339Seconds } from '#shared/query/format';
import { forEachRow, num, str } from '#shared/query/rows';
import { CPU_MEASUREMENT, MEMORY_MEASUREMENT } from '#shared/query/usage-query';

export interface ScraperItem {
  dataPoints: [];
  metricPoints: Array<{ timestamp: string; value: number }>;
  metricName: string;
  uids: [string];
}

export interface ScraperAnswer {
  items: ScraperItem[] | null;
}

/** `cpu` selects CPU; anything else memory, as the scraper's SQL did. */
function measurement(metric: string): string {
  return metric === 'cpu' ? CPU_MEASUREMENT : MEMORY_MEASUREMENT;
}

export function nodesStatement(nodes: readonly string[], metric: string, scope: Scope): string {
  return `SELECT ${idents(['value', 'nodename'])} FROM ${from(measurement(metric), scope)} ${where('node', [tagIn('nodename', nodes)], scope)}`;
}

export function podsStatement(namespace: string, pods: readonly string[], metric: string, scope: Scope): string {
  const conditions = [tagEquals('namespace_name', namespace), tagIn('pod_name', pods)];
  return `SELECT ${idents(['value', 'pod_name'])} FROM ${from(measurement(metric), scope)} ${where('pod_container', conditions, scope)}`;
}

/** One stored value: CPU millicores via nanocores, rounded up like MilliValue; bytes as integers. */
function stored(metric: string, value: number): number {
  if (value <= 0) return 0;
  return metric === 'cpu' ? Math.ceil(Math.round(value * 1e6) / 1e6) : Math.round(value);
}

/** Sums the rows per (name, time) — a pod's containers — and shapes the answer in request order. */
export function foldScraper(
  result: QueryResult | undefined,
  nameColumn: string,
  names: readonly string[],
  metric: string,
): ScraperAnswer {
  const sums = new Map<string, Map<number, number>>(names.map((n) => [n, new Map()]));
  forEachRow(result, ({ cell }) => {
    const byTime = sums.get(str(cell(nameColumn)));
    const time = num(cell('time'));
    const value = num(cell('value'));
    if (!byTime || time === undefined || value === undefined) return;
    byTime.set(time, (byTime.get(time) ?? 0) + stored(metric, value));
  });
  const items: ScraperItem[] = [];
  for (const name of names) {
    const byTime = sums.get(name);
    if (!byTime || byTime.size === 0) continue;
    const metricPoints = [...byTime]
      .sort((a, b) => a[0] - b[0])
      .map(([t, v]) => ({ timestamp: rfc3339Seconds(t), value: v }));
    items.push({ dataPoints: [], metricPoints, metricName: metric, uids: [name] });
  }
  return { items: items.length > 0 ? items : null };
}
