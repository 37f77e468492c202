/**
 * @module influx/influxql
 * The only way values reach InfluxQL: identifiers are double-quoted, string literals
 * single-quoted, regexes built from escaped literals. Nothing from a request is ever
 * concatenated raw into a query.
 */

/** `"name"` with `\` and `"` escaped. Measurement, tag and field names. */
export function ident(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `'value'` with `\` and `'` escaped, and newlines written as escapes so a statement stays one line. */
export function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** `/^(?:a|b)$/` matching exactly the given values, every regex metacharacter escaped. */
export function exactRegex(values: readonly string[]): string {
  const alts = values.map((v) => v.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&').replace(/\n/g, '\\n'));
  return `/^(?:${alts.join('|')})$/`;
}

/** RFC 3339 time literal for WHERE clauses. */
export function timeLiteral(ms: number): string {
  return `'${new Date(ms).toISOString()}'`;
}
