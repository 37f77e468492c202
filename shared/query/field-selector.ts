/**
 * @module query/field-selector
 * Field selectors (`path=v`, `path==v`, `path!=v`, comma-joined, `\` escapes) as apimachinery's
 * fields.ParseSelector reads them, turned into tag predicates for InfluxQL. Only the fields the
 * caller maps to tags are pushed down; like metrics-server, any other field reads as "" — so
 * `status.phase=Running` selects nothing and `status.phase!=x` everything.
 */
import { ParamError } from '#shared/query/errors';
import { objectName } from '#shared/query/validate';

export interface FieldTerm {
  field: string;
  negated: boolean;
  value: string;
}

/** A tag condition for a WHERE clause; `value` is validated here and quoted by the builder. */
export interface TagPredicate {
  tag: string;
  negated: boolean;
  value: string;
}

/** `none` = the selector can match nothing, so the caller answers an empty list without asking InfluxDB. */
export type FieldFilter = { none: true } | { none: false; predicates: TagPredicate[] };

const EXPECTED = 'expected a field selector such as metadata.name=x,metadata.namespace!=y';

export function parseFieldSelector(param: string, raw: string | undefined): FieldTerm[] {
  if (raw === undefined || raw.trim() === '') return [];
  if (raw.length > 4096) throw new ParamError(param, 'expected at most 4096 characters');
  return splitUnescaped(raw, ',').map((term) => {
    const m = /^([^=!\\\s]+)\s*(==|=|!=)(.*)$/s.exec(term.trim());
    if (!m) throw new ParamError(param, EXPECTED);
    return { field: m[1] as string, negated: m[2] === '!=', value: unescapeValue(param, m[3] as string) };
  });
}

/**
 * Maps terms onto tags (`{'metadata.name': 'pod_name', …}`). Values of mapped fields must be
 * names (or empty), since they reach InfluxQL.
 */
export function fieldFilter(
  param: string,
  terms: readonly FieldTerm[],
  tags: Readonly<Record<string, string>>,
): FieldFilter {
  const predicates: TagPredicate[] = [];
  for (const t of terms) {
    const tag = Object.hasOwn(tags, t.field) ? tags[t.field] : undefined;
    if (tag === undefined) {
      // An unknown field's value is "": `=v` can never hold, `!=v` always does.
      if ((t.value === '') === t.negated) return { none: true };
      continue;
    }
    predicates.push({ tag, negated: t.negated, value: t.value === '' ? '' : objectName(param, t.value) });
  }
  return { none: false, predicates };
}

/** Splits on `sep` not preceded by a backslash escape. */
function splitUnescaped(raw: string, sep: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\\' && i + 1 < raw.length) {
      current += ch + (raw[++i] as string);
    } else if (ch === sep) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** apimachinery escapes `\`, `,` and `=` in values; anything else after `\` is an error. */
function unescapeValue(param: string, value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = value[++i];
    if (next !== '\\' && next !== ',' && next !== '=') throw new ParamError(param, EXPECTED);
    out += next;
  }
  return out;
}
