// @ts-check
/**
 * The page's Right-sizing view, a module of its own: the workloads with the most reclaimable CPU
 * and memory, and those that are short, current request → recommended, from
 * `api/v1/model/recommendations` (README "Right-sizing"). Follows the page's namespace filter
 * (`#namespace`) and token (sessionStorage); a 401 is left to the page's token form. Every value
 * is set as text, never as HTML.
 */

const TOP = 10;
const REFRESH_MS = 60_000;
const WINDOW = '7d';
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** @typedef {{ requestMillicores: number | null, recommendedMillicores: number | null, differenceMillicores: number | null }} Cpu */
/** @typedef {{ requestBytes: number | null, recommendedBytes: number | null, differenceBytes: number | null, oomKills: number }} Memory */
/** @typedef {{ name: string, cpu: Cpu, memory: Memory, notes: string[] }} Container */
/** @typedef {{ namespace: string, kind: string, name: string, replicas: number, reclaimableMillicores: number, reclaimableBytes: number, containers: Container[] }} Workload */

/** @param {number | null} m */
function cpu(m) {
  return m === null ? 'none' : `${Math.round(m)}m`;
}

/** @param {number | null} b */
function memory(b) {
  if (b === null) return 'none';
  return Math.abs(b) >= 10 * GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / MIB)} MiB`;
}

/** @param {string} tag @param {string} text @param {string} [cls] */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** The workload's own recommendation answer (the model API), as its link. @param {Workload} w */
function workloadLink(w) {
  const a = document.createElement('a');
  const parts = [w.namespace, w.kind, w.name].map(encodeURIComponent);
  a.href = `api/v1/model/namespaces/${parts[0]}/workloads/${parts[1]}/${parts[2]}/recommendation?window=${WINDOW}`;
  a.textContent = w.kind === 'Pod' ? 'bare pods' : `${w.kind}/${w.name}`;
  const td = document.createElement('td');
  td.append(a);
  return td;
}

/** @param {string} id @param {Array<[Workload, Container]>} rows */
function fill(id, rows) {
  const body = document.querySelector(`#${id} tbody`);
  if (!body) return;
  const trs = rows.map(([w, c]) => {
    const tr = document.createElement('tr');
    tr.append(
      el('td', w.namespace),
      workloadLink(w),
      el('td', c.name),
      el('td', `${cpu(c.cpu.requestMillicores)} → ${cpu(c.cpu.recommendedMillicores)}`, 'num'),
      el('td', `${memory(c.memory.requestBytes)} → ${memory(c.memory.recommendedBytes)}`, 'num'),
      el('td', c.notes.join(', '), 'message'),
    );
    return tr;
  });
  if (trs.length === 0) {
    const td = el('td', 'none', 'empty');
    td.setAttribute('colspan', '6');
    const tr = document.createElement('tr');
    tr.append(td);
    trs.push(tr);
  }
  body.replaceChildren(...trs);
}

/** @param {Workload[]} workloads */
function render(workloads) {
  /** @type {Array<[Workload, Container]>} */
  const all = workloads.flatMap((w) => w.containers.map((c) => /** @type {[Workload, Container]} */ ([w, c])));
  /** @param {[Workload, Container]} row @returns {number[]} CPU and memory reclaimable over the replicas */
  const reclaim = ([w, c]) => [
    Math.max(0, c.cpu.differenceMillicores ?? 0) * w.replicas,
    Math.max(0, c.memory.differenceBytes ?? 0) * w.replicas,
  ];
  const reclaimable = all
    .filter(([w, c]) => reclaim([w, c]).some((v) => v > 0))
    .sort((a, b) => reclaim(b)[0] - reclaim(a)[0] || reclaim(b)[1] - reclaim(a)[1]);
  const short = all
    .filter(([, c]) => (c.cpu.differenceMillicores ?? 0) < 0 || (c.memory.differenceBytes ?? 0) < 0)
    .sort(([, a], [, b]) => (a.cpu.differenceMillicores ?? 0) - (b.cpu.differenceMillicores ?? 0));
  fill('rightsizing-reclaimable', reclaimable.slice(0, TOP));
  fill('rightsizing-short', short.slice(0, TOP));
}

async function load() {
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById('namespace'));
  const ns = select?.value ?? '';
  const token = sessionStorage.getItem('heapless-token') ?? '';
  const query = `window=${WINDOW}${ns ? `&namespace=${encodeURIComponent(ns)}` : ''}`;
  const section = document.getElementById('rightsizing');
  try {
    const res = await fetch(`api/v1/model/recommendations?${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
    });
    if (!res.ok) throw new Error(`recommendations: ${res.status}`);
    const body = await res.json();
    render(body.workloads);
    section?.setAttribute('data-loaded', ns || '*');
  } catch (err) {
    // The page's status line reports the API's state; this view only marks itself stale.
    section?.setAttribute('data-error', String(err instanceof Error ? err.message : err));
  }
}

document.getElementById('namespace')?.addEventListener('change', () => void load());
void load();
setInterval(() => void load(), REFRESH_MS);
