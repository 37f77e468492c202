// @ts-check
/**
 * The view lives in the URL's query (`?view=pod&ns=shop&pod=web-1&range=24h`), so a reload, a
 * bookmark or a shared link shows the same view. Unknown or missing values fall back to the
 * overview over the last hour.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The charts' ranges, with their axis steps (seconds) and tick format. The last step is the
 * whole range (one tick), so even the narrowest chart has no colliding labels. The model API reads a long
 * range from a rollup level (the coarsest that holds it), so 30 days cost about as many points as an hour.
 * @type {Record<string, { ms: number, label: string, steps: number[], ticks: 'time' | 'date' }>}
 */
export const RANGES = {
  '1h': { ms: HOUR_MS, label: 'last hour', steps: [300, 600, 900, 1800, 3600], ticks: 'time' },
  '24h': { ms: DAY_MS, label: 'last 24 hours', steps: [3600, 7200, 10800, 21600, 43200, 86400], ticks: 'time' },
  '7d': { ms: 7 * DAY_MS, label: 'last 7 days', steps: [86400, 172800, 604800], ticks: 'date' },
  '30d': {
    ms: 30 * DAY_MS,
    label: 'last 30 days',
    steps: [86400, 172800, 432000, 604800, 1209600, 2592000],
    ticks: 'date',
  },
};

/**
 * @typedef {{ view: string, range: string, ns: string, node: string, kind: string, name: string, pod: string }} State
 */

const KEYS = /** @type {const} */ (['view', 'range', 'ns', 'node', 'kind', 'name', 'pod']);

/** @returns {State} */
export function readState() {
  const q = new URLSearchParams(location.search);
  const get = (/** @type {string} */ k) => q.get(k) ?? '';
  const range = get('range');
  return {
    view: get('view') || 'overview',
    // Own keys only: `?range=constructor` is no range.
    range: Object.hasOwn(RANGES, range) ? range : '1h',
    ns: get('ns'),
    node: get('node'),
    kind: get('kind'),
    name: get('name'),
    pod: get('pod'),
  };
}

/** The query string of a state: defaults and empty values left out, keys in one order. @param {Partial<State>} s */
export function href(s) {
  const q = new URLSearchParams();
  for (const k of KEYS) {
    const v = s[k];
    if (!v || (k === 'view' && v === 'overview') || (k === 'range' && v === '1h')) continue;
    q.set(k, v);
  }
  const text = q.toString();
  return text ? `?${text}` : location.pathname;
}

/** The current state with some keys changed; a new view drops the old view's keys. @param {Partial<State>} change */
export function withState(change) {
  const now = readState();
  const base = change.view && change.view !== now.view ? { view: now.view, range: now.range, ns: now.ns } : now;
  return href({ ...base, ...change });
}

/** A new history entry, so Back returns to the view before. @param {string} url */
export function go(url) {
  history.pushState(null, '', url);
}

/** The selected range's bounds, as of now. @param {State} s */
export function rangeBounds(s) {
  const end = Date.now();
  return { startMs: end - (RANGES[s.range] ?? RANGES['1h'] ?? { ms: HOUR_MS }).ms, endMs: end };
}
