// @ts-check
/** One pod: its CPU and memory over the range (with requests and limits), its containers with kubectl's numbers, its events. */
import { enc } from './api.js';
import { el, fill, kubectlCpu, kubectlMemory, num, panel, row, table } from './format.js';
import { COLOURS, chartPair, eventsTable, loadEvents, podUsage } from './parts.js';

/** @typedef {import('./state.js').State} State */

export const title = 'Pod';

/** @param {HTMLElement} root @param {State} s */
export function mount(root, s) {
  const charts = chartPair('pod-', `/namespaces/${enc(s.ns)}/pods/${enc(s.pod)}`, [
    ['request', 'requests', COLOURS.request],
    ['limit', 'limits', COLOURS.limit],
  ]);
  root.append(
    el('h2', `pod/${s.ns}/${s.pod}`, 'view-title'),
    charts.element,
    panel('Containers', [
      table('pod-containers', ['Container', { num: 'CPU(cores)' }, { num: 'Memory(bytes) working set' }]),
    ]),
    panel('Events of this pod', [eventsTable('pod-events')]),
  );
  return {
    /** @param {State} st */
    load: async (st) => {
      const containers = podUsage({ ns: st.ns }).then((pods) => {
        const pod = pods.find((p) => p.name === st.pod);
        // kubectl top pod --containers: each container's own quantities.
        const rows = (pod?.containers ?? []).map((c) => {
          const tr = row([c.name, num(kubectlCpu(c.usage.cpuNanocores)), num(kubectlMemory(c.usage.memoryBytes))]);
          tr.dataset.container = c.name;
          return tr;
        });
        fill('pod-containers', rows);
      });
      await Promise.all([charts.load(st), containers, loadEvents('pod-events', { ns: st.ns, objects: [st.pod] })]);
    },
  };
}
