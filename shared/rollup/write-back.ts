/**
 * @module rollup/write-back
 * The `copy` mode's half that INTO does inside InfluxDB 1.x: the rows of a rollup SELECT become
 * line protocol for the level's policy. Field types follow the source: a mean is a float, a count
 * an integer, a max or last an integer where the raw field is one (a float written where an
 * integer was stored would be refused).
 */
import type { QueryResult } from '#shared/influx/client';
import { escapeMeasurement, escapeTag } from '#shared/encode/escape';
import { tagString } from '#shared/encode/line-protocol';
import type { Plan } from '#shared/rollup/catalog';

function columnKind(plan: Plan, column: string): 'int' | 'float' {
  if (column.endsWith('_count')) return 'int';
  for (const f of plan.fields) {
    if (column === `${f.field}_max` || (column === f.field && f.main === 'last'))
      return plan.intFields.has(f.field) ? 'int' : 'float';
  }
  return 'float';
}

/** One line per row with at least one value; `out` receives them. */
export function rowsToLines(plan: Plan, result: QueryResult | undefined, out: string[]): void {
  const measurement = escapeMeasurement(plan.measurement);
  for (const series of result?.series ?? []) {
    const tags = tagString(series.tags ?? {});
    const kinds = series.columns.map((c) => columnKind(plan, c));
    const keys = series.columns.map((c) => escapeTag(c));
    for (const row of series.values) {
      const fields: string[] = [];
      for (let i = 1; i < row.length; i++) {
        const v = row[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        fields.push(`${keys[i]}=${kinds[i] === 'int' ? `${Math.round(v)}i` : String(v)}`);
      }
      if (fields.length > 0) out.push(`${measurement}${tags} ${fields.join(',')} ${row[0]}`);
    }
  }
}
