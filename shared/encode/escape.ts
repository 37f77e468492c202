/**
 * @module encode/escape
 * InfluxDB line-protocol escaping (1.x rules, which 2.x and 3.x accept), the same rules in every
 * name position: measurement, tag key, tag value, field key.
 * - A line must never contain a raw newline, so CR/LF in names become the two characters `\n`
 *   (Kubernetes names and labels cannot contain them; event text is a field and keeps them).
 * - InfluxDB 1.x cannot store a backslash that ends a name or stands before `,` `=` space or `"`
 *   (it would escape our separator, and the line breaks or swallows its tags; before `"` it is
 *   dropped), so such a backslash becomes `＼` (U+FF3C); other backslashes are stored as they are.
 * - InfluxDB skips the tabs and NULs that start a line, and a line starting with `#` is a comment:
 *   a measurement's leading tabs and NULs are dropped, and a leading `#` becomes `＃` (U+FF03).
 * Kubernetes names and labels contain none of these; custom-metric names and labels might.
 */

const NEEDS_ESCAPE = /[,= \\\n\r]/;

/** Measurement names: comma and space (an `=` is literal there). */
export function escapeMeasurement(s: string): string {
  const name = lineStart(s);
  return NEEDS_ESCAPE.test(name) ? storable(name).replace(/[, ]/g, '\\$&') : name;
}

/** Tag keys, tag values and field keys: comma, equals sign and space. */
export function escapeTag(s: string): string {
  return NEEDS_ESCAPE.test(s) ? storable(s).replace(/[,= ]/g, '\\$&') : s;
}

/**
 * escapeTag of recent values. The same values (a pod's labels, its node, namespace and workload)
 * recur in every series of the pod, its containers and their filesystems, and labels hold commas,
 * so each would be escaped a dozen times. Cleared when full: memory stays bounded.
 */
const escaped = new Map<string, string>();
const ESCAPED_MAX = 4096;

export function escapeTagCached(s: string): string {
  let e = escaped.get(s);
  if (e === undefined) {
    if (escaped.size >= ESCAPED_MAX) escaped.clear();
    escaped.set(s, (e = escapeTag(s)));
  }
  return e;
}

/** String field values: double quote and backslash; newlines are legal inside the quotes. */
export function quoteString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** Newlines as `\n`, then every backslash 1.x could not store as `＼`. */
function storable(s: string): string {
  return s.replace(/\r?\n|\r/g, '\\n').replace(/\\(?=[,= "]|$)/g, '\uFF3C');
}

/** What starts a line is neither skipped (tabs, NULs) nor a comment (`#`). */
function lineStart(s: string): string {
  const name = s.replace(/^[\t\0]+/, '');
  return name.startsWith('#') ? `\uFF03${name.slice(1)}` : name;
}
