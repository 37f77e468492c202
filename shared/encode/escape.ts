/**
 * @module encode/escape
 * InfluxDB line-protocol escaping (1.x rules, which 2.x and 3.x accept).
 * A line must never contain a raw newline, so CR/LF in names become the two characters `\n`
 * (Kubernetes names and labels cannot contain them; event text is a field and keeps them).
 * InfluxDB 1.x cannot store a backslash that ends a tag value or stands before an escaped
 * character (the line is rejected), so such a backslash becomes `＼` (U+FF3C); other
 * backslashes are stored as they are. Kubernetes names and labels never contain one.
 */

const NEEDS_TAG_ESCAPE = /[,= \\\n\r]/;
const NEEDS_MEASUREMENT_ESCAPE = /[, \\\n\r]/;

/** Measurement names: comma and space. */
export function escapeMeasurement(s: string): string {
  return NEEDS_MEASUREMENT_ESCAPE.test(s) ? newlines(s).replace(/[, ]/g, '\\$&') : s;
}

/** Tag keys, tag values and field keys: comma, equals sign and space. */
export function escapeTag(s: string): string {
  return NEEDS_TAG_ESCAPE.test(s) ? unstorableBackslashes(newlines(s)).replace(/[,= ]/g, '\\$&') : s;
}

/** String field values: double quote and backslash; newlines are legal inside the quotes. */
export function quoteString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

function newlines(s: string): string {
  return s.replace(/\r?\n|\r/g, '\\n');
}

function unstorableBackslashes(s: string): string {
  return s.replace(/\\(?=[,= ]|$)/g, '\uFF3C');
}
