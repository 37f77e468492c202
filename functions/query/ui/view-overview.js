// @ts-check
/**
 * The overview: the cluster's CPU and memory over the range, every node with kubectl top's
 * numbers, the top workloads and pods by CPU and by memory (in the chosen namespace), the latest events.
 */
import { api, enc } from './api.js';
import {
  cpu,
  el,
  fill,
  kubectlCpu,
  kubectlMemory,
  kubectlPercent,
  link,
  memory,
  milliOf,
  num,
  panel,
  row,
  table,
  utilisation,
} from './format.js';
import { COLOURS, chartPair, eventsTable, loadEvents, podRow, podsTable, podTotals, podUsage } from './parts.js';
import { withState } from './state.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {{ usage: number | null, request: number | null, limit: number | null }} Amounts */
/** @typedef {{ namespace: string, kind: string, name: string, cpu: Amounts, memory: Amounts }} Workload */

const TOP = 10;

export const title = 'Overview';

/** @param {HTMLElement} root */
export function mount(root) {
  // Heapster's schema has no cluster working set: the page's route adds the nodes'.
  const charts = chartPair(
    '',
    '',
    [['request', 'requests', COLOURS.request]],
    'api/v1/ui/cluster/metrics/memory/working_set',
  );
  root.append(
    charts.element,
    panel('Nodes', [
      table('nodes', [
        'Node',
        { num: 'CPU(cores)' },
        'CPU(%)',
        { num: 'Memory(bytes) working set' },
        'Memory(%)',
        { num: 'CPU requests' },
        { num: 'CPU allocatable' },
        { num: 'Memory requests' },
        { num: 'Memory allocatable' },
      ]),
    ]),
    // Eight columns each: full width, one under the other.
    panel('Top workloads by CPU', [workloadsTable('workloads-cpu')]),
    panel('Top workloads by memory (working set)', [workloadsTable('workloads-memory')]),
    el(
      'div',
      [
        panel('Top pods by CPU', [podsTable('pods-cpu')]),
        panel('Top pods by memory (working set)', [podsTable('pods-memory')]),
      ],
      'pair',
    ),
    panel('Latest events', [eventsTable()]),
  );
  return {
    /** @param {State} s */
    load: (s) =>
      Promise.all([charts.load(s), loadNodes(), loadWorkloads(s), loadPods(s), loadEvents('events', { ns: s.ns })]),
  };
}

/** Ties in a top list in one order, whatever order the answer came in. @param {{ namespace: string, name: string }} a @param {{ namespace: string, name: string }} b */
function byName(a, b) {
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

/** @param {string} id */
function workloadsTable(id) {
  return table(id, [
    'Namespace',
    'Workload',
    { num: 'CPU usage' },
    { num: 'requests' },
    { num: 'limits' },
    { num: 'Memory working set' },
    { num: 'requests' },
    { num: 'limits' },
  ]);
}

async function loadNodes() {
  /** @type {{ items: { name: string, cpuNanocores: number, memoryBytes: number, cpu: { request: number | null, allocatable: number | null }, memory: { request: number | null, allocatable: number | null } }[] }} */
  const answer = await api('api/v1/ui/nodes');
  const rows = answer.items.map((n) => {
    const alloc = n.cpu.allocatable ?? undefined;
    const memAlloc = n.memory.allocatable ?? undefined;
    const tr = row([
      link(n.name, withState({ view: 'node', node: n.name })),
      num(kubectlCpu(n.cpuNanocores)),
      utilisation(
        kubectlPercent(milliOf(n.cpuNanocores), alloc === undefined ? undefined : milliOf(Math.round(alloc * 1e6))),
        'cpu',
      ),
      num(kubectlMemory(n.memoryBytes)),
      utilisation(kubectlPercent(n.memoryBytes * 1000, memAlloc === undefined ? undefined : memAlloc * 1000), 'mem'),
      num(cpu(n.cpu.request)),
      num(cpu(n.cpu.allocatable)),
      num(memory(n.memory.request)),
      num(memory(n.memory.allocatable)),
    ]);
    tr.dataset.node = n.name;
    return tr;
  });
  fill('nodes', rows);
}

/** @param {State} s */
async function loadWorkloads(s) {
  /** @type {{ items: Workload[] }} */
  const answer = await api(s.ns ? `api/v1/ui/namespaces/${enc(s.ns)}/workloads` : 'api/v1/ui/workloads');
  /** @param {'cpu' | 'memory'} key */
  const top = (key) =>
    answer.items
      .filter((w) => w[key].usage !== null)
      .sort((a, b) => (b[key].usage ?? 0) - (a[key].usage ?? 0) || byName(a, b))
      .slice(0, TOP)
      .map(workloadRow);
  fill('workloads-cpu', top('cpu'));
  fill('workloads-memory', top('memory'));
}

/** @param {Workload} w */
export function workloadRow(w) {
  const tr = row([
    w.namespace,
    link(
      `${w.kind.toLowerCase()}/${w.name}`,
      withState({ view: 'workload', ns: w.namespace, kind: w.kind, name: w.name }),
    ),
    num(cpu(w.cpu.usage)),
    num(cpu(w.cpu.request)),
    num(cpu(w.cpu.limit)),
    num(memory(w.memory.usage)),
    num(memory(w.memory.request)),
    num(memory(w.memory.limit)),
  ]);
  tr.dataset.workload = `${w.namespace}/${w.kind}/${w.name}`;
  return tr;
}

/** @param {State} s */
async function loadPods(s) {
  const pods = await podUsage({ ns: s.ns });
  /** @param {'cpuNanocores' | 'memoryBytes'} key */
  const top = (key) =>
    pods
      .map((p) => ({ p, t: podTotals(p) }))
      .sort((a, b) => b.t[key] - a.t[key] || byName(a.p, b.p))
      .slice(0, TOP)
      .map(({ p }) => podRow(p));
  fill('pods-cpu', top('cpuNanocores'));
  fill('pods-memory', top('memoryBytes'));
}
