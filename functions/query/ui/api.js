// @ts-check
/**
 * The page's reads: every URL is relative, so the page works wherever the service is mounted
 * (port-forward, proxy). A 401 throws AuthNeeded (the page then shows its token form); the
 * token stays in sessionStorage.
 */

let token = sessionStorage.getItem('heapless-token') ?? '';

export class AuthNeeded extends Error {}

/** @param {string} value */
export function setToken(value) {
  token = value;
  sessionStorage.setItem('heapless-token', token);
}

/** @param {string} path @returns {Promise<any>} */
export async function api(path) {
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (res.status === 401) throw new AuthNeeded('credentials needed');
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(`${path.split('?')[0]}: ${res.status} ${body.error ?? body.message ?? ''}`);
  }
  return res.json();
}

/** RFC 3339 without milliseconds. @param {number} ms */
export function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** @typedef {{ timestamp: string, value: number }} Point */
/** @typedef {{ metrics: Point[], latestTimestamp: string }} MetricResult */

/**
 * A series (a model-API MetricResult) from `startMs` to `endMs`.
 * @param {string} path e.g. `api/v1/model/nodes/node-0/metrics/cpu/usage_rate`
 * @param {number} startMs @param {number} endMs @returns {Promise<MetricResult>}
 */
export function series(path, startMs, endMs) {
  return api(`${path}?start=${iso(startMs)}&end=${iso(endMs)}`);
}

/** Path segments and query values. */
export const enc = encodeURIComponent;
