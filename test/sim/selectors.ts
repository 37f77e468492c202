/**
 * @module sim/selectors
 * Label selectors (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`) and field
 * selectors (`path=v`, `path==v`, `path!=v`, where path is any dotted field such as
 * `metadata.name`, `spec.nodeName` or `involvedObject.kind`), as object predicates.
 */

type Json = Record<string, unknown>;
export type Predicate = (obj: Json) => boolean;

/** Thrown for a selector that cannot be parsed (the API server answers 400). */
export class SelectorError extends Error {
  override name = 'SelectorError';
}

export function labelSelector(selector: string | null): Predicate {
  const terms = splitTerms(selector).map(labelTerm);
  return (obj) => {
    const labels = ((obj['metadata'] as Json | undefined)?.['labels'] ?? {}) as Record<string, string>;
    return terms.every((term) => term(labels));
  };
}

export interface FieldTerm {
  path: string;
  value: string;
  negated: boolean;
}

export function parseFieldSelector(selector: string | null): FieldTerm[] {
  return splitTerms(selector).map((term) => {
    const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw new SelectorError(`invalid field selector: ${term}`);
    return { path: match[1] ?? '', value: match[3] ?? '', negated: match[2] === '!=' };
  });
}

export function fieldSelector(terms: FieldTerm[]): Predicate {
  return (obj) => terms.every((t) => (fieldValue(obj, t.path) === t.value) !== t.negated);
}

/** A missing field compares as "" (so `spec.nodeName=` finds unscheduled pods). */
function fieldValue(obj: Json, path: string): string {
  let value: unknown = obj;
  for (const key of path.split('.')) value = (value as Json | undefined)?.[key];
  return value === undefined || value === null ? '' : String(value);
}

/** Split on commas that are not inside `( … )`. */
function splitTerms(selector: string | null): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector ?? '') {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

type LabelTerm = (labels: Record<string, string>) => boolean;

function labelTerm(term: string): LabelTerm {
  const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    const inSet = (labels: Record<string, string>): boolean =>
      labels[key] !== undefined && values.includes(labels[key]);
    return op === 'in' ? inSet : (labels) => !inSet(labels);
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
  if (equality) {
    const [, key = '', op, value = ''] = equality;
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  if (/^![^\s!=]+$/.test(term)) return (labels) => labels[term.slice(1)] === undefined;
  if (/^[^\s!=()]+$/.test(term)) return (labels) => labels[term] !== undefined;
  throw new SelectorError(`invalid label selector: ${term}`);
}
