/**
 * @module influx/influxql
 * The only way values reach InfluxQL: identifiers are double-quoted, string literals
 * single-quoted, regexes built from escaped literals. Nothing from a request is ever
 * concatenated raw into a query.
 */

/**
 * Line breaks as the line-protocol encoder stores them in names (the two characters `\n`), so a
 * query finds what was written; InfluxQL has no escape for a carriage return at all.
 */
function storedForm(s: string): string {
  return s.replace(/\r?\n|\r/g, '\\n');
}

/** `"name"` with `\` and `"` escaped. Measurement, tag and field names. */
export function ident(name: string): string {
  return `"${storedForm(name).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `'value'` with `\` and `'` escaped; never a raw line break, so a statement stays one line. */
export function literal(value: string): string {
  return `'${storedForm(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `/^(?:a|b)$/` matching exactly the given values, every regex metacharacter escaped. */
export function exactRegex(values: readonly string[]): string {
  const alts = values.map((v) => storedForm(v).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return `/^(?:${alts.join('|')})$/`;
}

/** RFC 3339 time literal for WHERE clauses. */
export function timeLiteral(ms: number): string {
  return `'${new Date(ms).toISOString()}'`;
}
