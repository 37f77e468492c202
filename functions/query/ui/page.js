// @ts-check
/**
 * The page's entry (no framework): reads the view from the URL (state.js), mounts it (views.js)
 * into <main>, and reloads its data every 15 s. The range and namespace pickers and every link
 * inside the page change the URL (history), so Back, a reload and a bookmark show the same view.
 * A 401 shows the token form (MODEL_AUTH).
 */
import { api, AuthNeeded, setToken } from './api.js';
import { forgetCharts } from './chart.js';
import { el } from './format.js';
import { go, readState, withState } from './state.js';
import { NAV, VIEWS } from './views.js';

const REFRESH_MS = 15_000;
/** Views of one namespaced object. */
const OBJECT_VIEWS = ['pod', 'workload'];

/** @type {{ load(s: import('./state.js').State): Promise<unknown> } | undefined} */
let current;
/** The mounted view's name (an unknown `?view=` mounts the overview). */
let currentName = 'overview';
let loads = 0;
/** Counts mounts: a load that a newer view overtook does not mark the page loaded. */
let generation = 0;

/** @param {string} id */
function byId(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

/** @param {string} text @param {boolean} [error] */
function status(text, error = false) {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

/** @param {unknown} err */
function failed(err) {
  if (err instanceof AuthNeeded) {
    byId('token-form').hidden = false;
    status('credentials needed', true);
  } else status(`could not load: ${err instanceof Error ? err.message : String(err)}`, true);
}

async function load() {
  const s = readState();
  const mine = generation;
  try {
    await Promise.all([current?.load(s), loadNamespaces(s.ns)]);
    if (mine !== generation) return;
    loads += 1;
    document.body.dataset.loads = String(loads);
    document.body.dataset.view = currentName;
    status(`updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    if (mine === generation) failed(err);
  }
}

/** The namespace picker lists the namespaces with pods now, plus the one in the URL. @param {string} selected */
async function loadNamespaces(selected) {
  /** @type {string[]} */
  const names = (await api('api/v1/model/namespaces')).sort();
  if (selected && !names.includes(selected)) names.push(selected);
  const select = /** @type {HTMLSelectElement} */ (byId('namespace'));
  const known = [...select.options].map((o) => o.value).filter(Boolean);
  if (known.join(',') !== names.join(',')) {
    const all = /** @type {HTMLOptionElement} */ (el('option', 'all namespaces'));
    all.value = '';
    select.replaceChildren(all, ...names.map((ns) => el('option', ns)));
  }
  select.value = selected;
}

/** Mounts the URL's view (an unknown one is the overview) and loads it. */
function route() {
  const s = readState();
  currentName = Object.hasOwn(VIEWS, s.view) ? s.view : 'overview';
  const view = VIEWS[currentName];
  /** @type {HTMLSelectElement} */ (byId('range')).value = s.range;
  /** @type {HTMLSelectElement} */ (byId('namespace')).value = s.ns;
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('current', a.getAttribute('data-view') === currentName);
  const main = byId('view');
  main.replaceChildren();
  forgetCharts();
  generation += 1;
  delete document.body.dataset.view;
  current = view?.mount(main, s);
  document.title = currentName === 'overview' ? 'heapless' : `${view?.title ?? ''} · heapless`;
  void load();
}

function nav() {
  const box = byId('nav');
  for (const id of NAV) {
    const a = /** @type {HTMLAnchorElement} */ (el('a', VIEWS[id]?.title ?? id));
    a.href = withState({ view: id });
    a.dataset.nav = '';
    a.dataset.view = id;
    box.append(a);
  }
}

function start() {
  nav();
  byId('namespace').addEventListener('change', (e) => {
    const ns = /** @type {HTMLSelectElement} */ (e.target).value;
    // A pod or workload lives in one namespace: picking another one goes back to the overview.
    const view = OBJECT_VIEWS.includes(readState().view) ? 'overview' : undefined;
    go(withState(view ? { view, ns } : { ns }));
    route();
  });
  byId('range').addEventListener('change', (e) => {
    go(withState({ range: /** @type {HTMLSelectElement} */ (e.target).value }));
    route();
  });
  // Links inside the page change the view without a reload; the nav links keep range and namespace.
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[data-nav]') : null;
    if (!(a instanceof HTMLAnchorElement) || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    const view = a.dataset.view;
    go(view ? withState({ view }) : a.href);
    route();
  });
  window.addEventListener('popstate', route);
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setToken(/** @type {HTMLInputElement} */ (byId('token')).value.trim());
    byId('token-form').hidden = true;
    void load();
  });
  route();
  setInterval(() => void load(), REFRESH_MS);
}

start();
