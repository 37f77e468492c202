// @ts-check
/**
 * The page's one script (no framework): reads the model API and /api/v1/ui/events, draws the two
 * cluster charts (last hour or 30 days) with uPlot (loaded before it, as the global `uPlot`) and fills the tables.
 * Every URL is relative, so the page works wherever the service is mounted (port-forward, proxy).
 * Refreshes every 15 s. A 401 shows a token form (MODEL_AUTH); the token stays in sessionStorage.
 */

const HOUR_MS = 3_600_000;
/**
 * The charts' ranges. The model API reads a long range from a rollup level (the coarsest that
 * holds it), so 30 days cost about as many points as the last hour.
 */
const RANGES = /** @type {Record<string, { ms: number, label: string }>} */ ({
  '1h': { ms: HOUR_MS, label: 'last hour' },
  '30d': { ms: 30 * 24 * HOUR_MS, label: '30 days' },
});
/** Latest values: the last point within the last 5 minutes (a few collector runs). */
const LATEST_MS = 300_000;
const REFRESH_MS = 15_000;
const TOP = 10;
/** The model API takes at most this many names in one pod list. */
const NAMES_PER_REQUEST = 50;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const BINARY_STEPS = Array.from({ length: 48 }, (_, i) => 2 ** i);

/** @typedef {{ timestamp: string, value: number }} Point */
/** @typedef {{ metrics: Point[], latestTimestamp: string }} MetricResult */

let token = sessionStorage.getItem('heapless-token') ?? '';
/** @type {Record<string, any>} */
const charts = {};
let loads = 0;
/** @type {{ namespace: string, pod: string, cpu: number | undefined, memory: number | undefined }[]} */
let pods = [];

class AuthNeeded extends Error {}

/** @param {string} path @returns {Promise<any>} */
async function api(path) {
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: 'no-store' });
  if (res.status === 401) throw new AuthNeeded('credentials needed');
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(`${path.split('?')[0]}: ${res.status} ${body.error ?? body.message ?? ''}`);
  }
  return res.json();
}

/** RFC 3339 without milliseconds. @param {number} ms */
function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** @param {string} objectPath @param {string} name @param {number} sinceMs @returns {Promise<any>} */
function metric(objectPath, name, sinceMs) {
  return api(`api/v1/model${objectPath}/metrics/${name}?start=${iso(Date.now() - sinceMs)}`);
}

/** @param {MetricResult | undefined} r */
function latest(r) {
  const points = r?.metrics ?? [];
  return points.length ? points[points.length - 1]?.value : undefined;
}

/** Millicores as kubectl prints them. @param {number | undefined} m */
function cpu(m) {
  return m === undefined ? '–' : `${Math.round(m)}m`;
}

/** @param {number | undefined} b */
function memory(b) {
  if (b === undefined) return '–';
  return b >= 10 * GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / MIB)} MiB`;
}

/** @param {number | undefined} r a ratio 0..1 */
function percent(r) {
  return r === undefined ? '–' : `${Math.round(r * 100)}%`;
}

/** @param {string} tag @param {string | Node} [content] @param {string} [cls] */
function el(tag, content, cls) {
  const e = document.createElement(tag);
  if (content !== undefined) e.append(content);
  if (cls) e.className = cls;
  return e;
}

/** @param {string} id @param {HTMLElement[]} rows @param {number} columns */
function fill(id, rows, columns) {
  const body = document.querySelector(`#${id} tbody`);
  if (!body) return;
  if (rows.length === 0) {
    const td = el('td', 'no data yet', 'empty');
    td.setAttribute('colspan', String(columns));
    rows = [el('tr', td)];
  }
  body.replaceChildren(...rows);
}

/** @param {number | undefined} ratio @param {string} kind */
function utilisation(ratio, kind) {
  const bar = el('div', undefined, 'bar');
  const inner = el('div', undefined, `fill ${kind}${ratio !== undefined && ratio >= 0.9 ? ' high' : ''}`);
  inner.style.width = `${Math.min(100, Math.max(0, (ratio ?? 0) * 100))}%`;
  bar.append(inner);
  const box = el('div', undefined, 'util');
  box.append(bar, el('span', percent(ratio)));
  return box;
}

// --- cluster charts -------------------------------------------------------------------------

/**
 * @param {string} id @param {MetricResult} usage @param {MetricResult} requests
 * @param {(v: number) => string} format @param {string} colour @param {number[] | undefined} incrs tick steps
 */
function drawChart(id, usage, requests, format, colour, incrs) {
  const byTime = new Map(requests.metrics.map((p) => [p.timestamp, p.value]));
  const xs = usage.metrics.map((p) => Date.parse(p.timestamp) / 1000);
  const data = [xs, usage.metrics.map((p) => p.value), usage.metrics.map((p) => byTime.get(p.timestamp) ?? null)];
  const box = /** @type {HTMLElement} */ (document.getElementById(id));
  // What was drawn, for the browser test: the point count and the range asked for.
  box.dataset.points = String(xs.length);
  box.dataset.range = selectedRange();
  if (charts[id]) {
    charts[id].setData(data);
    return;
  }
  // @ts-expect-error: the global from ui/uplot.js
  const UPlot = window.uPlot;
  const value = (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : format(v));
  charts[id] = new UPlot(
    {
      width: Math.max(300, box.clientWidth),
      height: 230,
      scales: {
        y: {
          range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [
            0,
            max > 0 ? max * 1.15 : 1,
          ],
        },
      },
      series: [
        {},
        { label: 'usage', stroke: colour, fill: `${colour}22`, width: 2, value },
        { label: 'requests', stroke: '#d97706', dash: [6, 4], width: 1.5, value },
      ],
      axes: [
        {},
        {
          size: 70,
          ...(incrs ? { incrs } : {}),
          values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map(format),
        },
      ],
    },
    data,
    box,
  );
}

/** Axis labels: cores past one core. @param {number} m */
function cores(m) {
  return m >= 1000 ? `${Number((m / 1000).toFixed(2))} cores` : `${Math.round(m)}m`;
}

/** @param {number} b */
function gib(b) {
  return b >= GIB ? `${Number((b / GIB).toFixed(2))} GiB` : `${Math.round(b / MIB)} MiB`;
}

async function loadCharts() {
  const range = RANGES[selectedRange()] ?? { ms: HOUR_MS };
  const [cpuUse, cpuReq, memUse, memReq] = await Promise.all([
    metric('', 'cpu/usage_rate', range.ms),
    metric('', 'cpu/request', range.ms),
    metric('', 'memory/usage', range.ms),
    metric('', 'memory/request', range.ms),
  ]);
  drawChart('cpu-chart', cpuUse, cpuReq, cores, '#2563eb', undefined);
  // Memory ticks on powers of two (256 MiB, 1 GiB, 2 GiB…), not on decimal steps of bytes.
  drawChart('memory-chart', memUse, memReq, gib, '#0f9d58', BINARY_STEPS);
}

// --- nodes -----------------------------------------------------------------------------------

const NODE_METRICS = [
  'cpu/usage_rate',
  'cpu/request',
  'cpu/node_allocatable',
  'cpu/node_utilization',
  'memory/usage',
  'memory/request',
  'memory/node_allocatable',
  'memory/node_utilization',
];

async function loadNodes() {
  /** @type {string[]} */
  const names = await api('api/v1/model/nodes');
  const rows = await Promise.all(
    names.sort().map(async (name) => {
      const path = `/nodes/${encodeURIComponent(name)}`;
      const v = (await Promise.all(NODE_METRICS.map((m) => metric(path, m, LATEST_MS)))).map(latest);
      const tr = el('tr');
      tr.dataset.node = name;
      const cells = [
        el('td', name),
        el('td', cpu(v[0]), 'num'),
        el('td', cpu(v[1]), 'num'),
        el('td', cpu(v[2]), 'num'),
        el('td', utilisation(v[3], 'cpu')),
        el('td', memory(v[4]), 'num'),
        el('td', memory(v[5]), 'num'),
        el('td', memory(v[6]), 'num'),
        el('td', utilisation(v[7], 'mem')),
      ];
      tr.append(...cells);
      return tr;
    }),
  );
  fill('nodes', rows, 9);
}

// --- pods ------------------------------------------------------------------------------------

/** @param {string} ns @param {string[]} names @param {string} m */
async function podList(ns, names, m) {
  /** @type {(number | undefined)[]} */
  const out = [];
  for (let i = 0; i < names.length; i += NAMES_PER_REQUEST) {
    const chunk = names.slice(i, i + NAMES_PER_REQUEST);
    const path = `/namespaces/${encodeURIComponent(ns)}/pod-list/${chunk.map(encodeURIComponent).join(',')}`;
    /** @type {{ items: MetricResult[] }} */
    const answer = await metric(path, m, LATEST_MS);
    out.push(...answer.items.map(latest));
  }
  return out;
}

async function loadPods() {
  /** @type {string[]} */
  const namespaces = (await api('api/v1/model/namespaces')).sort();
  updateNamespaces(namespaces);
  const perNamespace = await Promise.all(
    namespaces.map(async (ns) => {
      /** @type {string[]} */
      const names = await api(`api/v1/model/namespaces/${encodeURIComponent(ns)}/pods`);
      if (names.length === 0) return [];
      const [cpus, mems] = await Promise.all([
        podList(ns, names, 'cpu/usage_rate'),
        podList(ns, names, 'memory/working_set'),
      ]);
      return names.map((pod, i) => ({ namespace: ns, pod, cpu: cpus[i], memory: mems[i] }));
    }),
  );
  pods = perNamespace.flat();
  renderPods();
}

function renderPods() {
  const ns = selectedNamespace();
  const shown = pods.filter((p) => !ns || p.namespace === ns);
  /** @param {'cpu' | 'memory'} key @param {(v: number | undefined) => string} format */
  const top = (key, format) =>
    shown
      .filter((p) => p[key] !== undefined)
      .sort((a, b) => (b[key] ?? 0) - (a[key] ?? 0) || a.pod.localeCompare(b.pod))
      .slice(0, TOP)
      .map((p) => {
        const tr = el('tr');
        tr.dataset.pod = `${p.namespace}/${p.pod}`;
        tr.append(el('td', p.namespace), el('td', p.pod), el('td', format(p[key]), 'num'));
        return tr;
      });
  fill('pods-cpu', top('cpu', cpu), 3);
  fill('pods-memory', top('memory', memory), 3);
}

// --- events ----------------------------------------------------------------------------------

async function loadEvents() {
  const ns = selectedNamespace();
  const path = ns ? `api/v1/ui/namespaces/${encodeURIComponent(ns)}/events` : 'api/v1/ui/events';
  /** @type {{ items: { time: string, namespace: string, kind: string, object: string, type: string, reason: string, message: string, count: number }[] }} */
  const answer = await api(`${path}?limit=20`);
  const rows = answer.items.map((e) => {
    const tr = el('tr');
    const object = `${e.kind ? `${e.kind.toLowerCase()}/` : ''}${e.namespace ? `${e.namespace}/` : ''}${e.object}`;
    tr.append(
      el('td', new Date(e.time).toLocaleTimeString(), 'num'),
      el('td', el('span', e.type || 'Normal', `badge ${e.type}`)),
      el('td', object),
      el('td', e.reason),
      el('td', e.message, 'message'),
      el('td', String(e.count), 'num'),
    );
    return tr;
  });
  fill('events', rows, 6);
}

// --- the page --------------------------------------------------------------------------------

function selectedRange() {
  return /** @type {HTMLSelectElement} */ (document.getElementById('range')).value;
}

function selectedNamespace() {
  return /** @type {HTMLSelectElement} */ (document.getElementById('namespace')).value;
}

/** @param {string[]} namespaces */
function updateNamespaces(namespaces) {
  const select = /** @type {HTMLSelectElement} */ (document.getElementById('namespace'));
  const known = [...select.options].map((o) => o.value).filter(Boolean);
  if (known.join(',') === namespaces.join(',')) return;
  const current = select.value;
  select.replaceChildren(el('option', 'all namespaces'), ...namespaces.map((ns) => el('option', ns)));
  /** @type {HTMLOptionElement} */ (select.options[0]).value = '';
  select.value = namespaces.includes(current) ? current : '';
}

/** @param {string} text @param {boolean} [error] */
function status(text, error = false) {
  const s = /** @type {HTMLElement} */ (document.getElementById('status'));
  s.textContent = text;
  s.classList.toggle('error', error);
}

async function load() {
  try {
    await Promise.all([loadCharts(), loadNodes(), loadPods(), loadEvents()]);
    loads += 1;
    document.body.dataset.loads = String(loads);
    status(`updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    if (err instanceof AuthNeeded) {
      /** @type {HTMLElement} */ (document.getElementById('token-form')).hidden = false;
      status('credentials needed', true);
    } else status(`could not load: ${err instanceof Error ? err.message : String(err)}`, true);
  }
}

function start() {
  document.getElementById('namespace')?.addEventListener('change', () => {
    renderPods();
    void loadEvents().catch(() => {});
  });
  document.getElementById('range')?.addEventListener('change', () => {
    const label = RANGES[selectedRange()]?.label ?? '';
    for (const span of document.querySelectorAll('.range-label')) span.textContent = label;
    loadCharts().catch((err) => {
      if (err instanceof AuthNeeded) return;
      status(`could not load: ${err instanceof Error ? err.message : String(err)}`, true);
    });
  });
  document.getElementById('token-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    token = /** @type {HTMLInputElement} */ (document.getElementById('token')).value.trim();
    sessionStorage.setItem('heapless-token', token);
    /** @type {HTMLElement} */ (document.getElementById('token-form')).hidden = true;
    void load();
  });
  window.addEventListener('resize', () => {
    for (const [id, chart] of Object.entries(charts))
      chart.setSize({ width: Math.max(300, document.getElementById(id)?.clientWidth ?? 300), height: 230 });
  });
  void load();
  setInterval(() => void load(), REFRESH_MS);
}

start();
