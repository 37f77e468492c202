/**
 * @module query/self-metrics
 * The service's own figures in Prometheus text format 0.0.4: requests, latency and errors by
 * route. Label values are route patterns (`/apis/metrics.k8s.io/v1beta1/nodes/:name`), never raw
 * paths, so the number of series stays bounded whatever clients send.
 */

type Labels = Readonly<Record<string, string>>;

/** Seconds; spans a cached discovery answer (~1 ms) to a 30,000-pod list (~1 s) and timeouts. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface HistogramCell {
  counts: number[];
  sum: number;
  count: number;
}

export class Counter {
  private readonly cells = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels, by = 1): void {
    const key = labelText(labels);
    const cell = this.cells.get(key);
    if (cell) cell.value += by;
    else this.cells.set(key, { labels, value: by });
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, cell] of this.cells) lines.push(`${this.name}${key} ${cell.value}`);
    return lines;
  }
}

export class Histogram {
  private readonly cells = new Map<string, HistogramCell>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((le, i) => {
      if (value <= le) (cell as HistogramCell).counts[i]! += 1;
    });
    cell.sum += value;
    cell.count += 1;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, cell] of this.cells) {
      const inner = key.slice(1, -1);
      const join = inner ? `${inner},` : '';
      this.buckets.forEach((le, i) => lines.push(`${this.name}_bucket{${join}le="${le}"} ${cell.counts[i]}`));
      lines.push(
        `${this.name}_bucket{${join}le="+Inf"} ${cell.count}`,
        `${this.name}_sum${key} ${cell.sum}`,
        `${this.name}_count${key} ${cell.count}`,
      );
    }
    return lines;
  }
}

/** `{a="x",b="y"}` with Prometheus escaping; `""` for no labels. */
function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** The query service's metrics. */
export class QueryMetrics {
  readonly requests = new Counter(
    'heapless_query_requests_total',
    'HTTP requests answered, by route pattern, method and status code.',
  );
  readonly latency = new Histogram(
    'heapless_query_request_duration_seconds',
    'Time to answer a request, by route pattern, in seconds.',
  );
  readonly errors = new Counter(
    'heapless_query_errors_total',
    'Requests that failed, by route pattern and reason (bad_request, unauthorized, forbidden, not_found, influx_unavailable, auth_unavailable, internal).',
  );
  readonly influxLatency = new Histogram(
    'heapless_query_influx_duration_seconds',
    'Time InfluxDB took to answer the statement of a request, by route pattern, in seconds.',
  );

  render(): string {
    return (
      [
        ...this.requests.render(),
        ...this.latency.render(),
        ...this.errors.render(),
        ...this.influxLatency.render(),
      ].join('\n') + '\n'
    );
  }
}
