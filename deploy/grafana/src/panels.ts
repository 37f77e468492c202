/**
 * @module deploy/grafana/panels
 * Grafana dashboard JSON (schemaVersion 39) from a few builders: rows, time series, stats, tables
 * and bar gauges laid out left to right, the datasource and template variables, and the
 * "Warning events" annotation. Every query target is raw InfluxQL from ./influxql.
 */
import { CLUSTER, matches, tagValues } from './influxql';

export type Json = Record<string, unknown>;

const DS = { type: 'influxdb', uid: '${datasource}' };
const EXPR = { type: '__expr__', uid: '__expr__' };

export interface Target {
  query: string;
  /** Legend: text and `$tag_<key>`; for tables, the column comes from the query's AS. */
  alias?: string;
  hide?: boolean;
}

/** `unit` is a Grafana unit id: bytes, Bps, percentunit, short, none, ms, s… */
export interface PanelOptions {
  title: string;
  description?: string;
  unit?: string;
  w?: number;
  h?: number;
  /** Series whose legend matches are drawn dashed and unfilled (requests, limits, capacity). */
  dashed?: string;
  stack?: boolean;
  min?: number;
  max?: number;
  decimals?: number;
}

/** Legends that name a reference line rather than a usage. */
export const REFERENCE_LINES =
  '/(^|\\s)(requests|limits|requests \\(namespace\\)|limits \\(namespace\\)|allocatable|capacity|Requests|Limits|Allocatable|Capacity|Limit|Request)$/';

function refId(i: number): string {
  return String.fromCharCode(65 + i);
}

function influxTargets(targets: readonly Target[], format: 'time_series' | 'table' = 'time_series'): Json[] {
  return targets.map((t, i) => ({
    refId: refId(i),
    datasource: DS,
    rawQuery: true,
    resultFormat: format,
    query: t.query,
    ...(t.alias ? { alias: t.alias } : {}),
    ...(t.hide ? { hide: true } : {}),
  }));
}

export class DashboardBuilder {
  private readonly panels: Json[] = [];
  private nextId = 1;
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  constructor(
    private readonly meta: { uid: string; title: string; description: string; tags?: string[] },
    private readonly variables: Json[],
    private readonly annotations: Json[] = [],
  ) {}

  row(title: string): this {
    this.newLine();
    this.panels.push({
      type: 'row',
      id: this.nextId++,
      title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y: this.y },
      panels: [],
    });
    this.y += 1;
    return this;
  }

  timeseries(o: PanelOptions, targets: readonly Target[]): this {
    const overrides = o.dashed
      ? [
          {
            matcher: { id: 'byRegexp', options: o.dashed },
            properties: [
              { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
              { id: 'custom.fillOpacity', value: 0 },
              { id: 'custom.stacking', value: { mode: 'none', group: 'A' } },
            ],
          },
        ]
      : [];
    return this.place(o, 12, 8, {
      type: 'timeseries',
      interval: '1m',
      targets: influxTargets(targets),
      fieldConfig: {
        defaults: {
          unit: o.unit ?? 'short',
          ...(o.min !== undefined ? { min: o.min } : {}),
          ...(o.max !== undefined ? { max: o.max } : {}),
          ...(o.decimals !== undefined ? { decimals: o.decimals } : {}),
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: o.stack ? 30 : 10,
            showPoints: 'never',
            spanNulls: 120_000,
            stacking: { mode: o.stack ? 'normal' : 'none', group: 'A' },
          },
        },
        overrides,
      },
      options: {
        legend: { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['lastNotNull', 'max'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    });
  }

  /** One number; with `ratio`, targets A and B are hidden and the stat shows A ÷ B. */
  stat(o: PanelOptions, targets: readonly Target[], ratio = false): this {
    const t = influxTargets(ratio ? targets.map((x) => ({ ...x, hide: true })) : targets);
    if (ratio)
      t.push({ refId: refId(targets.length), datasource: EXPR, type: 'math', expression: '$A / $B', hide: false });
    return this.place(o, 4, 4, {
      type: 'stat',
      interval: '1m',
      targets: t,
      fieldConfig: {
        defaults: {
          unit: o.unit ?? 'short',
          decimals: o.decimals ?? (o.unit === 'percentunit' ? 1 : undefined),
          thresholds: {
            mode: 'absolute',
            steps:
              o.unit === 'percentunit'
                ? [
                    { color: 'green', value: null },
                    { color: 'orange', value: 0.8 },
                    { color: 'red', value: 0.95 },
                  ]
                : [{ color: 'green', value: null }],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'area',
        textMode: 'auto',
        justifyMode: 'auto',
        orientation: 'auto',
      },
    });
  }

  /**
   * A table with one row per `key` tag value: each target is one column (its query's AS name),
   * merged on the key; `ratios` add columns computed from two others.
   */
  table(
    o: PanelOptions & {
      key: string;
      keyTitle: string;
      units: Record<string, string>;
      ratios?: Array<[string, string, string]>;
    },
    targets: readonly Target[],
  ): this {
    const ratios = (o.ratios ?? []).map(([alias, left, right]) => ({
      id: 'calculateField',
      options: { mode: 'binary', alias, binary: { left, operator: '/', right }, replaceFields: false },
    }));
    const units = { ...o.units, ...Object.fromEntries((o.ratios ?? []).map(([alias]) => [alias, 'percentunit'])) };
    return this.place(o, 24, 8, {
      type: 'table',
      interval: '1m',
      targets: influxTargets(targets, 'table'),
      transformations: [
        { id: 'merge', options: {} },
        ...ratios,
        { id: 'organize', options: { excludeByName: { Time: true }, renameByName: { [o.key]: o.keyTitle } } },
      ],
      fieldConfig: {
        defaults: { custom: { align: 'auto' } },
        overrides: Object.entries(units).map(([name, unit]) => ({
          matcher: { id: 'byName', options: name },
          properties: [{ id: 'unit', value: unit }, ...(unit === 'percentunit' ? [{ id: 'decimals', value: 1 }] : [])],
        })),
      },
      options: { showHeader: true, sortBy: [{ displayName: o.keyTitle, desc: false }] },
    });
  }

  /** Current value per series as horizontal bars (e.g. utilisation per node). */
  bars(o: PanelOptions, targets: readonly Target[]): this {
    return this.place(o, 12, 8, {
      type: 'bargauge',
      interval: '1m',
      targets: influxTargets(targets),
      fieldConfig: {
        defaults: {
          unit: o.unit ?? 'short',
          min: o.min ?? 0,
          ...(o.max !== undefined ? { max: o.max } : {}),
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'green', value: null },
              { color: 'orange', value: 0.8 },
              { color: 'red', value: 0.95 },
            ],
          },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
      },
    });
  }

  /** Raw rows (e.g. events), newest first. */
  rawTable(o: PanelOptions, targets: readonly Target[]): this {
    return this.place(o, 24, 12, {
      type: 'table',
      targets: influxTargets(targets, 'table'),
      fieldConfig: { defaults: { custom: { align: 'auto' } }, overrides: [] },
      options: { showHeader: true, sortBy: [{ displayName: 'Time', desc: true }] },
    });
  }

  build(): Json {
    return {
      uid: this.meta.uid,
      title: this.meta.title,
      description: this.meta.description,
      tags: this.meta.tags ?? ['kubernetes', 'heapless'],
      editable: false,
      graphTooltip: 1,
      schemaVersion: 39,
      version: 1,
      refresh: '1m',
      time: { from: 'now-1h', to: 'now' },
      timepicker: {},
      timezone: '',
      fiscalYearStartMonth: 0,
      liveNow: false,
      links: [
        {
          type: 'dashboards',
          tags: ['heapless'],
          asDropdown: true,
          title: 'heapless',
          includeVars: true,
          keepTime: true,
        },
      ],
      annotations: { list: [BUILTIN_ANNOTATION, ...this.annotations] },
      templating: { list: this.variables },
      panels: this.panels,
    };
  }

  private place(o: PanelOptions, defaultW: number, defaultH: number, panel: Json): this {
    const w = o.w ?? defaultW;
    const h = o.h ?? defaultH;
    if (this.x + w > 24) this.newLine();
    this.panels.push({
      id: this.nextId++,
      title: o.title,
      ...(o.description ? { description: o.description } : {}),
      datasource: DS,
      gridPos: { h, w, x: this.x, y: this.y },
      ...panel,
    });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return this;
  }

  private newLine(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

const BUILTIN_ANNOTATION = {
  builtIn: 1,
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  name: 'Annotations & Alerts',
  type: 'dashboard',
};

/** Kubernetes Warning events (the events exporter's measurement) as annotations. */
export function warningEvents(conditions: readonly string[] = []): Json {
  return {
    name: 'Warning events',
    datasource: DS,
    enable: true,
    iconColor: 'rgba(255, 152, 48, 1)',
    query: `SELECT "message", "reason", "kind", "object_name" FROM "events" WHERE "type" = 'Warning' AND ${[CLUSTER, ...conditions].join(' AND ')} AND $timeFilter`,
    textColumn: 'message',
    tagsColumn: 'reason,kind,object_name',
  };
}

export function datasourceVariable(): Json {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'influxdb',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
    includeAll: false,
    multi: false,
  };
}

/** A query variable over `SHOW TAG VALUES FROM "uptime"`, limited by the variables before it. */
export function tagVariable(
  name: string,
  label: string,
  key: string,
  conditions: readonly string[],
  opts: { all?: boolean; multi?: boolean; measurement?: string } = {},
): Json {
  const query = tagValues(key, conditions, opts.measurement);
  return {
    name,
    label,
    type: 'query',
    datasource: DS,
    query,
    definition: query,
    refresh: 1,
    sort: 1,
    regex: '',
    current: {},
    hide: 0,
    includeAll: opts.all ?? false,
    multi: opts.multi ?? false,
    ...(opts.all ? { allValue: '.*' } : {}),
  };
}

/** `$cluster`: every dashboard has it; All (`.*`) also matches points without the tag. */
export function clusterVariable(): Json {
  return tagVariable('cluster', 'cluster', 'cluster_name', [], { all: true });
}

/**
 * `$resolution`: the raw points (kept 7 days) or a rollup level (5-minute for 30 days, hourly for
 * 400 days) for every time series; the retention policies functions/rollup writes.
 */
export function resolutionVariable(): Json {
  const options = [
    { text: 'raw', value: 'heapless' },
    { text: '5m', value: 'heapless_5m' },
    { text: '1h', value: 'heapless_1h' },
  ];
  return {
    name: 'resolution',
    label: 'Resolution',
    type: 'custom',
    query: options.map((o) => `${o.text} : ${o.value}`).join(', '),
    options: options.map((o, i) => ({ ...o, selected: i === 0 })),
    current: { ...options[0], selected: true },
    hide: 0,
    includeAll: false,
    multi: false,
  };
}

export const VAR = { cluster: CLUSTER, matches };
