/**
 * @module test/helpers/dashboards
 * Grafana dashboards as the tests see them: every InfluxQL query a dashboard would run (panel
 * targets, template variables, annotations), with Grafana's macros and variables filled in the
 * way Grafana's InfluxDB datasource does. Builder targets (rawQuery false, as in Heapster's
 * dashboards) are rendered like Grafana's InfluxQueryModel; raw ones are taken as written.
 */
import { readFileSync } from 'node:fs';

type Json = Record<string, unknown>;

export interface DashboardQuery {
  /** Where it comes from, for failure messages: `panel 3 "CPU Usage" A`, `variable node`… */
  where: string;
  kind: 'panel' | 'variable' | 'annotation';
  panelTitle?: string;
  /** InfluxQL with the macros and variables still in it. */
  query: string;
}

export interface Variable {
  name: string;
  query: string;
  includeAll: boolean;
  multi: boolean;
  allValue?: string;
}

/** Reads a dashboard file; Heapster's files wrap it as `{"dashboard": …, "overwrite": false}`. */
export function readDashboard(path: string): Json {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Json;
  return (parsed['dashboard'] as Json | undefined) ?? parsed;
}

/** Every panel: schema ≥ 16 `panels` (rows' nested panels included) and old `rows[].panels`. */
export function panelsOf(d: Json): Json[] {
  const out: Json[] = [];
  const walk = (list: unknown): void => {
    for (const p of (list as Json[] | undefined) ?? []) {
      if (p['type'] !== 'row') out.push(p);
      walk(p['panels']);
    }
  };
  walk(d['panels']);
  for (const row of (d['rows'] as Json[] | undefined) ?? []) walk(row['panels']);
  return out;
}

function isExpression(t: Json): boolean {
  const ds = t['datasource'] as Json | string | undefined;
  return (typeof ds === 'object' && ds?.['type'] === '__expr__') || t['type'] === 'math' || t['type'] === 'reduce';
}

/** Every InfluxQL query of the dashboard: panel targets (not server-side expressions), variables, annotations. */
export function queriesOf(d: Json): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of panelsOf(d)) {
    for (const t of (p['targets'] as Json[] | undefined) ?? []) {
      if (isExpression(t)) continue;
      out.push({
        where: `panel ${String(p['id'])} "${String(p['title'])}" ${String(t['refId'])}`,
        kind: 'panel',
        panelTitle: String(p['title']),
        query: renderTarget(t),
      });
    }
  }
  for (const v of variablesOf(d)) out.push({ where: `variable ${v.name}`, kind: 'variable', query: v.query });
  const annotations = ((d['annotations'] as Json | undefined)?.['list'] as Json[] | undefined) ?? [];
  for (const a of annotations) {
    if (typeof a['query'] === 'string' && a['query'])
      out.push({ where: `annotation "${String(a['name'])}"`, kind: 'annotation', query: a['query'] });
  }
  return out;
}

/** The custom template variables with the value a dashboard opens with (`current.value`). */
export function customValuesOf(d: Json): Record<string, string> {
  const list = ((d['templating'] as Json | undefined)?.['list'] as Json[] | undefined) ?? [];
  return Object.fromEntries(
    list
      .filter((v) => v['type'] === 'custom')
      .map((v) => [String(v['name']), String((v['current'] as Json | undefined)?.['value'] ?? '')]),
  );
}

/** The query-type template variables, in dashboard order. */
export function variablesOf(d: Json): Variable[] {
  const list = ((d['templating'] as Json | undefined)?.['list'] as Json[] | undefined) ?? [];
  return list
    .filter((v) => v['type'] === 'query')
    .map((v) => {
      const q = v['query'];
      const query = typeof q === 'string' ? q : String((q as Json | undefined)?.['query'] ?? '');
      return {
        name: String(v['name']),
        query,
        includeAll: v['includeAll'] === true,
        multi: v['multi'] === true,
        ...(typeof v['allValue'] === 'string' ? { allValue: v['allValue'] } : {}),
      };
    });
}

// --- Grafana's InfluxQueryModel.render() for builder targets -----------------------------------

function renderPart(part: Json, inner: string): string {
  const type = String(part['type']);
  const params = ((part['params'] as unknown[] | undefined) ?? []).map(String);
  switch (type) {
    case 'field':
      return `"${params[0]}"`;
    case 'alias':
      return `${inner} AS "${params[0]}"`;
    case 'math':
      return `${inner} ${params[0]}`;
    case 'percentile':
    case 'top':
    case 'bottom':
    case 'moving_average':
    case 'derivative':
    case 'non_negative_derivative':
    case 'difference':
    case 'holt_winters':
      return `${type}(${[inner, ...params].join(', ')})`;
    default:
      return `${type}(${inner})`;
  }
}

function renderTagCondition(tag: Json, index: number): string {
  let operator = tag['operator'] as string | undefined;
  let value = String(tag['value']);
  if (!operator) operator = /^\/.*\/$/.test(value) ? '=~' : '=';
  if (operator !== '=~' && operator !== '!~' && operator !== '>' && operator !== '<')
    value = `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `${index > 0 ? `${String(tag['condition'] ?? 'AND')} ` : ''}"${String(tag['key'])}" ${operator} ${value}`;
}

/** A target's InfluxQL: its `query` when raw, else what Grafana builds from select/tags/groupBy. */
export function renderTarget(t: Json): string {
  if (t['rawQuery'] === true) return String(t['query']);
  const selects = (t['select'] as Json[][] | undefined) ?? [
    [
      { type: 'field', params: ['value'] },
      { type: 'mean', params: [] },
    ],
  ];
  const fields = selects.map((parts) => parts.reduce((acc, part) => renderPart(part, acc), ''));
  const measurement = String(t['measurement'] ?? 'measurement');
  const from = /^\/.*\/$/.test(measurement) ? measurement : `"${measurement}"`;
  const policy = t['policy'] && t['policy'] !== 'default' ? `"${String(t['policy'])}".` : '';
  let q = `SELECT ${fields.join(', ')} FROM ${policy}${from} WHERE `;
  const tags = (t['tags'] as Json[] | undefined) ?? [];
  if (tags.length > 0) q += `(${tags.map(renderTagCondition).join(' ')}) AND `;
  q += '$timeFilter';
  const groupBy = (t['groupBy'] as Json[] | undefined) ?? [
    { type: 'time', params: ['$__interval'] },
    { type: 'fill', params: ['null'] },
  ];
  let g = '';
  groupBy.forEach((part, i) => {
    const params = ((part['params'] as unknown[] | undefined) ?? []).map(String);
    if (i > 0) g += part['type'] === 'fill' ? ' ' : ', ';
    g +=
      part['type'] === 'time'
        ? `time(${params[0]})`
        : part['type'] === 'fill'
          ? `fill(${params[0]})`
          : `"${params[0]}"`;
  });
  if (g) q += ` GROUP BY ${g}`;
  if (t['fill']) q += ` fill(${String(t['fill'])})`;
  if (t['orderByTime'] === 'DESC') q += ' ORDER BY time DESC';
  if (t['limit']) q += ` LIMIT ${String(t['limit'])}`;
  if (t['slimit']) q += ` SLIMIT ${String(t['slimit'])}`;
  return q;
}

// --- macros and variables --------------------------------------------------------------------

export interface FillContext {
  fromMs: number;
  toMs: number;
  /** Grafana's computed interval, e.g. `1m`. */
  interval: string;
  /** Variable values: `'all'` (the variable's allValue, else `.*`) or the selected values. */
  values: Record<string, string[] | 'all'>;
  variables: Variable[];
  /** Custom variables (a fixed list, e.g. `$resolution`): name → the value to put in. */
  constants?: Record<string, string>;
}

/** Grafana's regex escaping of a variable value (kbn.regexEscape). */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function intervalMs(interval: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(interval);
  if (!m) throw new Error(`bad interval ${interval}`);
  return (
    Number(m[1]) *
    ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'] ?? 0)
  );
}

/**
 * The query Grafana would send: time filter, intervals, range variables and template variables
 * (multi-value `(a|b)` escaped, All = allValue or `.*`). Throws if a `$name` is left over.
 */
export function fillQuery(query: string, ctx: FillContext): string {
  const timeFilter = `time >= ${ctx.fromMs}ms and time <= ${ctx.toMs}ms`;
  let q = query
    .replaceAll('$__timeFilter', timeFilter)
    .replaceAll('$timeFilter', timeFilter)
    .replace(/\$\{__from(?::[^}]*)?\}|\$__from\b/g, String(ctx.fromMs))
    .replace(/\$\{__to(?::[^}]*)?\}|\$__to\b/g, String(ctx.toMs))
    .replace(/\$\{__interval_ms\}|\$__interval_ms\b/g, String(intervalMs(ctx.interval)))
    .replace(/\$\{__interval\}|\$__interval\b|\[\[interval\]\]|\$interval\b/g, ctx.interval);
  const byLength = [...ctx.variables].sort((a, b) => b.name.length - a.name.length);
  for (const v of byLength) {
    const selected = ctx.values[v.name];
    if (selected === undefined) continue;
    const value =
      selected === 'all'
        ? (v.allValue ?? '.*')
        : selected.length === 1
          ? regexEscape(selected[0] as string)
          : `(${selected.map(regexEscape).join('|')})`;
    const name = v.name.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&');
    q = q.replace(
      new RegExp(`\\$\\{${name}(?::[^}]*)?\\}|\\[\\[${name}\\]\\]|\\$${name}(?![A-Za-z0-9_])`, 'g'),
      () => value,
    );
  }
  for (const [name, value] of Object.entries(ctx.constants ?? {}))
    q = q.replace(
      new RegExp(`\\$\\{${name}(?::[^}]*)?\\}|\\[\\[${name}\\]\\]|\\$${name}(?![A-Za-z0-9_])`, 'g'),
      () => value,
    );
  const left = /\$(\{[^}]+\}|\[\[|[A-Za-z_][A-Za-z0-9_]*)/.exec(q);
  if (left) throw new Error(`unfilled ${left[0]} in ${q}`);
  return q;
}

// --- what a query names ----------------------------------------------------------------------

export interface QueryNames {
  measurements: string[];
  /** Values of `"type" = '…'` conditions. */
  types: string[];
  /** Tag keys in conditions, GROUP BY clauses and `WITH KEY`. */
  tags: string[];
  /** Keys read directly from a measurement in a SELECT list (fields, or tags selected as columns). */
  selected: string[];
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** The measurements, types, tag keys and selected keys an InfluxQL query names. */
export function namesIn(query: string): QueryNames {
  // `FROM "m"` or `FROM "policy"."m"` (a retention policy such as $resolution): the measurement.
  const measurements = [...query.matchAll(/\bFROM\s+(?:"[^"]+"\.)?"([^"]+)"/g)].map((m) => m[1] as string);
  const types = [...query.matchAll(/"type"\s*=\s*'([^']+)'/g)].map((m) => m[1] as string);
  const tags = [...query.matchAll(/"([^"]+)"\s*(?:=~|!~|!=|<>|=)/g)].map((m) => m[1] as string);
  for (const m of query.matchAll(/GROUP BY (.*?)(?= fill\(|\) WHERE| ORDER BY| LIMIT|\)$|$)/g)) {
    for (const t of (m[1] as string).matchAll(/"([^"]+)"/g)) tags.push(t[1] as string);
  }
  for (const m of query.matchAll(/WITH KEY\s*=\s*"([^"]+)"/g)) tags.push(m[1] as string);
  const selected: string[] = [];
  // Only SELECTs that read a measurement directly (not an outer query over a subquery).
  for (const m of query.matchAll(/SELECT\s+((?:(?!SELECT|FROM).)*?)\s+FROM\s+(?:"[^"]+"\.)?"[^"]+"/g)) {
    for (const id of (m[1] as string).matchAll(/(AS\s+)?"([^"]*)"/g)) if (!id[1]) selected.push(id[2] as string);
  }
  return {
    measurements: unique(measurements),
    types: unique(types),
    tags: unique(tags).filter((t) => t !== 'time'),
    selected: unique(selected),
  };
}
