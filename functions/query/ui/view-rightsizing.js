// @ts-check
/**
 * Right-sizing: the containers with the most reclaimable CPU and memory, and those that are
 * short, current request → recommended over the last 7 days, from `api/v1/model/recommendations`
 * (README "Right-sizing"). Follows the namespace picker; each workload links to its own view.
 * The section's `data-loaded` names the namespace it shows ('*' for all), for the browser test.
 */
import { api, enc } from './api.js';
import { el, fill, link, num, panel, row, table } from './format.js';
import { withState } from './state.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {{ requestMillicores: number | null, recommendedMillicores: number | null, differenceMillicores: number | null }} Cpu */
/** @typedef {{ requestBytes: number | null, recommendedBytes: number | null, differenceBytes: number | null, oomKills: number }} Memory */
/** @typedef {{ name: string, cpu: Cpu, memory: Memory, notes: string[] }} Container */
/** @typedef {{ namespace: string, kind: string, name: string, replicas: number, containers: Container[] }} Workload */

export const title = 'Right-sizing';

const TOP = 10;
const WINDOW = '7d';
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const HEADERS = ['Namespace', 'Workload', 'Container', { num: 'CPU' }, { num: 'Memory' }, 'Notes'];

/** Millicores, whole (recommendations are rounded up to 1m already). @param {number | null} m */
function cpu(m) {
  return m === null ? 'none' : `${Math.round(m)}m`;
}

/** Bytes in MiB (recommendations are whole MiB), GiB from 10 GiB. @param {number | null} b */
function memory(b) {
  if (b === null) return 'none';
  return Math.abs(b) >= 10 * GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / MIB)} MiB`;
}

/** The workload's own view; a namespace's bare pods have none. @param {Workload} w */
function workloadCell(w) {
  if (w.kind === 'Pod') return el('td', 'bare pods');
  return el(
    'td',
    link(`${w.kind}/${w.name}`, withState({ view: 'workload', ns: w.namespace, kind: w.kind, name: w.name })),
  );
}

/** @param {[Workload, Container]} pair */
function line([w, c]) {
  return row([
    w.namespace,
    workloadCell(w),
    c.name,
    num(`${cpu(c.cpu.requestMillicores)} → ${cpu(c.cpu.recommendedMillicores)}`),
    num(`${memory(c.memory.requestBytes)} → ${memory(c.memory.recommendedBytes)}`),
    el('td', c.notes.join(', '), 'message'),
  ]);
}

/** CPU (millicores) and memory (bytes) reclaimable over the replicas. @param {[Workload, Container]} pair */
function reclaim([w, c]) {
  return [
    Math.max(0, c.cpu.differenceMillicores ?? 0) * w.replicas,
    Math.max(0, c.memory.differenceBytes ?? 0) * w.replicas,
  ];
}

/** @param {Workload[]} workloads */
function render(workloads) {
  /** @type {Array<[Workload, Container]>} */
  const all = workloads.flatMap((w) => w.containers.map((c) => /** @type {[Workload, Container]} */ ([w, c])));
  const reclaimable = all
    .filter((p) => reclaim(p).some((v) => v > 0))
    .sort((a, b) => reclaim(b)[0] - reclaim(a)[0] || reclaim(b)[1] - reclaim(a)[1]);
  const short = all
    .filter(([, c]) => (c.cpu.differenceMillicores ?? 0) < 0 || (c.memory.differenceBytes ?? 0) < 0)
    .sort(([, a], [, b]) => (a.cpu.differenceMillicores ?? 0) - (b.cpu.differenceMillicores ?? 0));
  fill('rightsizing-reclaimable', reclaimable.slice(0, TOP).map(line));
  fill('rightsizing-short', short.slice(0, TOP).map(line));
}

/** @param {HTMLElement} root @param {State} _s */
export function mount(root, _s) {
  const section = el(
    'div',
    [
      panel(`Most reclaimable, request → recommended (last ${WINDOW})`, [table('rightsizing-reclaimable', HEADERS)]),
      panel('Short, request → recommended', [table('rightsizing-short', HEADERS)]),
    ],
    'stack',
  );
  section.id = 'rightsizing';
  root.append(section);
  return {
    /** @param {State} s */
    load: async (s) => {
      const query = `window=${WINDOW}${s.ns ? `&namespace=${enc(s.ns)}` : ''}`;
      /** @type {{ workloads: Workload[] }} */
      const body = await api(`api/v1/model/recommendations?${query}`);
      render(body.workloads);
      section.dataset.loaded = s.ns || '*';
    },
  };
}
