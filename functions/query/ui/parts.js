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
 * A chart's figure. `paths[i]` (a series route) is read for `defs[i]`.
 * @param {string} id @param {string} title @param {'cpu' | 'memory'} kind
 * @param {string[]} paths @param {SeriesDef[]} defs
 */
export function chart(id, title, kind, paths, defs) {
  const box = el('div', undefined, 'chart');
  box.id = id;
  const caption = el('figcaption', [`${title}, `, el('span', '', 'range-label')]);
  const figure = el('figure', [caption, box]);
  /** @param {State} s */
  const load = async (s) => {
    const bounds = rangeBounds(s);
    const results = await Promise.all(paths.map((p) => series(p, bounds.startMs, bounds.endMs)));
    const label = figure.querySelector('.range-label');
    if (label) label.textContent = RANGES[s.range]?.label ?? '';
    drawChart(box, kind, defs, results, bounds, s.range);
  };
  return { element: figure, load };
}

/**
 * CPU and memory charts of one object: usage (the working set for memory, as kubectl) and the
 * given companions (requests, limits, allocatable).
 * @param {string} prefix @param {string} objectPath the model API's object ('' = the cluster)
 * @param {[string, string, string][]} companions [metric suffix, label, colour]
 * @param {string} [workingSet] the working set's route, when the model API has none for the object
 */
export function chartPair(prefix, objectPath, companions, workingSet) {
  const path = (/** @type {string} */ metric) => `api/v1/model${objectPath}/metrics/${metric}`;
  const defs = (/** @type {'cpu' | 'memory'} */ kind, /** @type {string} */ usageLabel) => [
    { label: usageLabel, colour: COLOURS[kind], fill: true },
    ...companions.map(([, label, colour]) => ({ label, colour, dash: [6, 4] })),
  ];
  const cpu = chart(
    `${prefix}cpu-chart`,
    'CPU',
    'cpu',
    [path('cpu/usage_rate'), ...companions.map(([m]) => path(`cpu/${m}`))],
    defs('cpu', 'usage'),
  );
  const memory = chart(
    `${prefix}memory-chart`,
    'Memory working set',
    'memory',
    [workingSet ?? path('memory/working_set'), ...companions.map(([m]) => path(`memory/${m}`))],
    defs('memory', 'working set'),
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
