/**
 * @module query/label-selector
 * Kubernetes label selectors (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`,
 * `k>1`, `k<1`) parsed and validated as apimachinery's labels.Parse does, and matched in memory
 * against the labels read back from the `labels` tag. Selectors never reach InfluxQL.
 */
import { ParamError } from '#shared/query/errors';

export type LabelOp = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

/** `prefix/name`: prefix a DNS subdomain (≤ 253), name ≤ 63 alphanumerics with - _ . inside. */
const KEY_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const KEY_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const KEY_CHARS = '[^\\s!=<>(),]+';
const EXISTS = new RegExp(`^(!?)\\s*(${KEY_CHARS})$`);
const EQUALITY = new RegExp(`^(${KEY_CHARS})\\s*(==|=|!=)\\s*([^\\s!=<>(),]*)$`);
const SET = new RegExp(`^(${KEY_CHARS})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const COMPARE = new RegExp(`^(${KEY_CHARS})\\s*(<|>)\\s*(-?\\d+)$`);

/**
 * Parses a selector; an empty or absent one selects everything.
 * @throws ParamError naming `param` when the syntax, a key or a value is invalid
 */
export function parseLabelSelector(param: string, raw: string | undefined): LabelRequirement[] {
  if (raw === undefined || raw.trim() === '') return [];
  if (raw.length > 4096) throw new ParamError(param, 'expected at most 4096 characters');
  return splitTopLevel(raw).map((term) => {
    const req = parseTerm(term.trim());
    if (!req || !validKey(req.key) || !validValues(req))
      throw new ParamError(
        param,
        'expected a label selector such as app=web,tier in (a,b),!canary with valid label keys and values',
      );
    return req;
  });
}

function parseTerm(term: string): LabelRequirement | undefined {
  let m = SET.exec(term);
  if (m && (m[3] as string).trim() !== '')
    return {
      key: m[1] as string,
      op: m[2] as 'in' | 'notin',
      values: (m[3] as string).split(',').map((v) => v.trim()),
    };
  m = EQUALITY.exec(term);
  if (m) return { key: m[1] as string, op: m[2] === '!=' ? '!=' : '=', values: [m[3] as string] };
  m = COMPARE.exec(term);
  if (m) return { key: m[1] as string, op: m[2] === '>' ? 'gt' : 'lt', values: [m[3] as string] };
  m = EXISTS.exec(term);
  if (m) return { key: m[2] as string, op: m[1] ? '!exists' : 'exists', values: [] };
  return undefined;
}

/** gt/lt take one integer (COMPARE already ensured it); the others take label values. */
function validValues(req: LabelRequirement): boolean {
  return req.op === 'gt' || req.op === 'lt' || req.values.every((v) => VALUE.test(v));
}

function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return KEY_NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && KEY_PREFIX.test(prefix) && KEY_NAME.test(key.slice(slash + 1));
}

/** Commas inside `( … )` belong to a set; any other comma separates requirements. */
function splitTopLevel(raw: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms;
}

/** True when `labels` satisfies every requirement (apimachinery semantics). */
export function matchesLabels(reqs: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  // Own properties only: `constructor`, `toString`, `__proto__` are valid label keys, not labels.
  return reqs.every((r) => matchesOne(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined));
}

function matchesOne(r: LabelRequirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case '=':
    case 'in':
      return value !== undefined && r.values.includes(value);
    case '!=':
    case 'notin':
      return value === undefined || !r.values.includes(value);
    case 'gt':
    case 'lt': {
      // Only integer label values compare; anything else does not match (labels.Requirement.Matches).
      if (value === undefined || !/^-?\d+$/.test(value)) return false;
      const diff = Number(value) - Number(r.values[0]);
      return r.op === 'gt' ? diff > 0 : diff < 0;
    }
  }
}
