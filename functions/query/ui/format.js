// @ts-check
/**
 * The page's number formats and DOM helpers. Numbers that `kubectl top` also prints are printed
 * as kubectl 1.32 prints them (k8s.io/kubectl/pkg/metricsutil/metrics_printer.go): CPU as
 * Quantity.MilliValue() (nanocores rounded up to a millicore) + "m", memory as whole Mi rounded
 * down, percentages of allocatable as int64(float64(usage milli) / float64(allocatable milli) × 100).
 */

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** kubectl's millicores from exact nanocores (MilliValue rounds up). @param {number} nanocores */
export function milliOf(nanocores) {
  return Math.ceil(nanocores / 1e6);
}

/** kubectl's CPU column. @param {number | undefined | null} nanocores */
export function kubectlCpu(nanocores) {
  return nanocores == null ? '–' : `${milliOf(nanocores)}m`;
}

/** kubectl's MEMORY(bytes) column: whole Mi, rounded down. @param {number | undefined | null} bytes */
export function kubectlMemory(bytes) {
  return bytes == null ? '–' : `${Math.floor(bytes / MIB)}Mi`;
}

/**
 * kubectl's CPU(%) / MEMORY(%): both sides as milli-units, the fraction in float64, truncated.
 * @param {number | undefined} usageMilli @param {number | undefined} allocatableMilli
 */
export function kubectlPercent(usageMilli, allocatableMilli) {
  if (usageMilli === undefined || !allocatableMilli) return undefined;
  return Math.trunc((usageMilli / allocatableMilli) * 100);
}

/** A model-API millicores value (float) in kubectl's form: nanocores rounded, then up to a millicore. @param {number | undefined | null} m */
export function cpu(m) {
  return m == null ? '–' : kubectlCpu(Math.max(0, Math.round(m * 1e6)));
}

/** Bytes in kubectl's form (whole Mi). @param {number | undefined | null} b */
export function memory(b) {
  return kubectlMemory(b == null ? b : Math.max(0, Math.round(b)));
}

/** @param {string} tag @param {string | Node | (string | Node)[]} [content] @param {string} [cls] */
export function el(tag, content, cls) {
  const e = document.createElement(tag);
  if (Array.isArray(content)) e.append(...content);
  else if (content !== undefined) e.append(content);
  if (cls) e.className = cls;
  return e;
}

/** A link inside the page (the router takes the click; a new tab or a bookmark works too). @param {string} text @param {string} href */
export function link(text, href) {
  const a = /** @type {HTMLAnchorElement} */ (el('a', text));
  a.href = href;
  a.dataset.nav = '';
  return a;
}

/**
 * A table in a scrolling box, so a wide table never widens the page.
 * @param {string} id @param {(string | { num: string })[]} headers `{ num }`: a right-aligned number column
 */
export function table(id, headers) {
  const t = el('table');
  t.id = id;
  const head = el('tr');
  for (const h of headers) head.append(typeof h === 'string' ? el('th', h) : el('th', h.num, 'num'));
  t.append(el('thead', head), el('tbody'));
  return el('div', t, 'scroll');
}

/** @param {string} id @param {HTMLElement[]} rows */
export function fill(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  if (!body) return;
  if (rows.length === 0) {
    const td = el('td', 'no data yet', 'empty');
    td.setAttribute('colspan', String(document.querySelectorAll(`#${id} th`).length));
    rows = [el('tr', td)];
  }
  body.replaceChildren(...rows);
}

/** A right-aligned number cell. @param {string} text */
export function num(text) {
  return el('td', text, 'num');
}

/** @param {(string | Node)[]} cells a `td` is used as it is, anything else is wrapped in one */
export function row(cells) {
  const tr = el('tr');
  for (const c of cells) tr.append(c instanceof HTMLElement && c.tagName === 'TD' ? c : el('td', c));
  return tr;
}

/** A bar and kubectl's percentage. @param {number | undefined} pct @param {string} kind */
export function utilisation(pct, kind) {
  const bar = el('div', undefined, 'bar');
  const inner = el('div', undefined, `fill ${kind}${pct !== undefined && pct >= 90 ? ' high' : ''}`);
  inner.style.width = `${Math.min(100, Math.max(0, pct ?? 0))}%`;
  bar.append(inner);
  return el('div', [bar, el('span', pct === undefined ? '–' : `${pct}%`)], 'util');
}

/** @param {string} title @param {(string | Node)[]} body */
export function panel(title, body, cls = '') {
  return el('section', [el('h2', title), ...body], cls || undefined);
}
