/**
 * @module query/rows
 * Walks InfluxDB's JSON answer (`results[].series[]` with `columns` and `values`) without building
 * an object per row: the pod list of a large cluster is a few hundred thousand rows.
 */
import type { QueryResult, QuerySeries } from '#shared/influx/client';

/** Reads one column of the current row by name; `undefined` when the series lacks it. */
export type Cell = (column: string) => unknown;

export interface RowVisit {
  measurement: string;
  /** GROUP BY tags of the series (empty for raw queries). */
  tags: Readonly<Record<string, string>>;
  cell: Cell;
}

/** Calls `visit` for every row of every series of one statement's result. */
export function forEachRow(result: QueryResult | undefined, visit: (row: RowVisit) => void): void {
  for (const series of result?.series ?? []) {
    const index = columnIndex(series);
    let values: unknown[] = [];
    const cell: Cell = (column) => {
      const at = index.get(column);
      return at === undefined ? undefined : values[at];
    };
    const row: RowVisit = { measurement: series.name ?? '', tags: series.tags ?? {}, cell };
    for (const v of series.values ?? []) {
      values = v;
      visit(row);
    }
  }
}

function columnIndex(series: QuerySeries): Map<string, number> {
  return new Map(series.columns.map((c, i) => [c, i]));
}

/** A cell as a finite number, else undefined (InfluxDB returns null for absent fields). */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A cell as a string tag value; null and absent tags are "". */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
