// @ts-check
/**
 * Pieces the views share: a pair of CPU and memory charts over the selected range, the events
 * table, and the pods table with kubectl's numbers.
 */
import { api, enc, series } from './api.js';
import { drawChart } from './chart.js';
import { el, fill, kubectlCpu, kubectlMemory, link, num, row, table } from './format.js';
import { RANGES, rangeBounds, withState } from './state.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {import('./chart.js').SeriesDef} SeriesDef */
/** @typedef {{ name: string, usage: { cpuNanocores: number, memoryBytes: number } }} ContainerUsage */
/** @typedef {{ namespace: string, name: string, containers: ContainerUsage[] }} PodUsage */

export const COLOURS = { cpu: '#2563eb', memory: '#0f9d58', request: '#d97706', limit: '#b42318', capacity: '#616e7c' };

/**
 * A chart's figure. `metrics[i]` is read for `defs[i]`.
 * @param {string} id @param {string} title @param {'cpu' | 'memory'} kind
 * @param {string} objectPath the model API object ('' = cluster) @param {string[]} metrics @param {SeriesDef[]} defs
 */
export function chart(id, title, kind, objectPath, metrics, defs) {
  const box = el('div', undefined, 'chart');
  box.id = id;
  const caption = el('figcaption', [`${title}, `, el('span', '', 'range-label')]);
  const figure = el('figure', [caption, box]);
  /** @param {State} s */
  const load = async (s) => {
    const bounds = rangeBounds(s);
    const results = await Promise.all(metrics.map((m) => series(objectPath, m, bounds.startMs, bounds.endMs)));
    const label = figure.querySelector('.range-label');
    if (label) label.textContent = RANGES[s.range]?.label ?? '';
    drawChart(box, kind, defs, results, bounds, s.range);
  };
  return { element: figure, load };
}

/**
 * CPU and memory charts of one object: usage (the working set for memory, as kubectl) and the
 * given companions (requests, limits, allocatable).
 * @param {string} prefix @param {string} objectPath @param {[string, string, string][]} companions [metric suffix, label, colour]
 */
export function chartPair(prefix, objectPath, companions, memoryUsage = 'memory/working_set') {
  const defs = (/** @type {'cpu' | 'memory'} */ kind, /** @type {string} */ usageLabel) => [
    { label: usageLabel, colour: COLOURS[kind], fill: true },
    ...companions.map(([, label, colour]) => ({ label, colour, dash: [6, 4] })),
  ];
  const cpu = chart(
    `${prefix}cpu-chart`,
    'CPU',
    'cpu',
    objectPath,
    ['cpu/usage_rate', ...companions.map(([m]) => `cpu/${m}`)],
    defs('cpu', 'usage'),
  );
  const memoryLabel = memoryUsage === 'memory/working_set' ? 'working set' : 'usage with page cache';
  const memory = chart(
    `${prefix}memory-chart`,
    `Memory ${memoryLabel}`,
    'memory',
    objectPath,
    [memoryUsage, ...companions.map(([m]) => `memory/${m}`)],
    defs('memory', memoryLabel),
  );
  const element = el('section', [cpu.element, memory.element], 'charts');
  return { element, load: (/** @type {State} */ s) => Promise.all([cpu.load(s), memory.load(s)]) };
}

/** @param {string} id */
export function eventsTable(id = 'events') {
  return table(id, ['Time', 'Type', 'Object', 'Reason', 'Message', { num: 'Count' }]);
}

/**
 * The latest events of the last hour, newest first: of a namespace, or about some objects.
 * @param {string} id @param {{ ns?: string, objects?: string[] }} scope
 */
export async function loadEvents(id, scope) {
  const path = scope.ns ? `api/v1/ui/namespaces/${enc(scope.ns)}/events` : 'api/v1/ui/events';
  const objects = scope.objects?.length ? `&object=${scope.objects.map(enc).join(',')}` : '';
  /** @type {{ items: { time: string, namespace: string, kind: string, object: string, type: string, reason: string, message: string, count: number }[] }} */
  const answer = await api(`${path}?limit=20${objects}`);
  const rows = answer.items.map((e) => {
    // Nodes have no namespace (their events are filed in `default`).
    const namespace = e.namespace && e.kind !== 'Node' ? `${e.namespace}/` : '';
    const name = `${e.kind ? `${e.kind.toLowerCase()}/` : ''}${namespace}${e.object}`;
    const object =
      e.kind === 'Pod'
        ? link(name, withState({ view: 'pod', ns: e.namespace, pod: e.object }))
        : e.kind === 'Node'
          ? link(name, withState({ view: 'node', node: e.object }))
          : name;
    return row([
      num(new Date(e.time).toLocaleTimeString()),
      el('span', e.type || 'Normal', `badge ${e.type}`),
      object,
      e.reason,
      el('td', e.message, 'message'),
      num(String(e.count)),
    ]);
  });
  fill(id, rows);
}

/**
 * Pods with usage, as kubectl top pod reads them (pods with every container's reading).
 * @param {{ ns?: string, node?: string }} scope @returns {Promise<PodUsage[]>}
 */
export async function podUsage(scope) {
  const base = scope.ns ? `api/v1/ui/namespaces/${enc(scope.ns)}/pods` : 'api/v1/ui/pods';
  const answer = await api(scope.node ? `${base}?node=${enc(scope.node)}` : base);
  return answer.items;
}

/** kubectl top pod sums the containers' exact quantities. @param {PodUsage} p */
export function podTotals(p) {
  return {
    cpuNanocores: p.containers.reduce((s, c) => s + c.usage.cpuNanocores, 0),
    memoryBytes: p.containers.reduce((s, c) => s + c.usage.memoryBytes, 0),
  };
}

/** @param {string} id */
export function podsTable(id) {
  return table(id, ['Namespace', 'Pod', { num: 'CPU(cores)' }, { num: 'Memory(bytes) working set' }]);
}

/** @param {PodUsage} p */
export function podRow(p) {
  const t = podTotals(p);
  const tr = row([
    p.namespace,
    link(p.name, withState({ view: 'pod', ns: p.namespace, pod: p.name })),
    num(kubectlCpu(t.cpuNanocores)),
    num(kubectlMemory(t.memoryBytes)),
  ]);
  tr.dataset.pod = `${p.namespace}/${p.name}`;
  return tr;
}
