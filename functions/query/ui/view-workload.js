// @ts-check
/** One workload: its CPU and memory over the range (with requests and limits), its pods with kubectl's numbers, their events. */
import { api, enc } from './api.js';
import { el, fill, panel } from './format.js';
import { COLOURS, chartPair, eventsTable, loadEvents, podRow, podsTable, podUsage } from './parts.js';

/** @typedef {import('./state.js').State} State */

export const title = 'Workload';

/** @param {State} s */
function workloadPath(s) {
  return `/namespaces/${enc(s.ns)}/workloads/${enc(s.kind)}/${enc(s.name)}`;
}

/** @param {HTMLElement} root @param {State} s */
export function mount(root, s) {
  const charts = chartPair('workload-', workloadPath(s), [
    ['request', 'requests', COLOURS.request],
    ['limit', 'limits', COLOURS.limit],
  ]);
  root.append(
    el('h2', `${s.kind.toLowerCase()}/${s.ns}/${s.name}`, 'view-title'),
    charts.element,
    panel('Pods of this workload', [podsTable('workload-pods')]),
    panel('Events of this workload and its pods', [eventsTable('workload-events')]),
  );
  return {
    /** @param {State} st */
    load: async (st) => {
      /** @type {string[]} */
      const names = await api(`api/v1/model${workloadPath(st)}/pods`);
      const pods = podUsage({ ns: st.ns }).then((list) => {
        const mine = new Set(names);
        fill(
          'workload-pods',
          list
            .filter((p) => mine.has(p.name))
            .sort((a, b) => a.name.localeCompare(b.name))
            .map(podRow),
        );
      });
      const events = loadEvents('workload-events', { ns: st.ns, objects: [st.name, ...names] });
      await Promise.all([charts.load(st), pods, events]);
    },
  };
}
