/**
 * @module influx/lines
 * Splits a line-protocol body into lines. A newline inside a quoted string field (event
 * messages) belongs to the field; a `"` in a measurement or tag (where quotes are literal) does
 * not open a string. So the scan follows the line's sections: key, fields, timestamp.
 */
const BACKSLASH = 92;
const QUOTE = 34;
const SPACE = 32;
const NEWLINE = 10;

export function splitLines(body: string): string[] {
  if (!body.includes('"')) return body === '' ? [] : body.split('\n');
  const out: string[] = [];
  let start = 0;
  let section: 'key' | 'fields' | 'time' = 'key';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === BACKSLASH && section !== 'time') i++;
    else if (c === QUOTE && section === 'fields') quoted = !quoted;
    else if (c === SPACE && !quoted && section !== 'time') section = section === 'key' ? 'fields' : 'time';
    else if (c === NEWLINE && !quoted) {
      out.push(body.slice(start, i));
      start = i + 1;
      section = 'key';
    }
  }
  if (start < body.length) out.push(body.slice(start));
  return out;
}
