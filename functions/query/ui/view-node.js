// @ts-check
/** One node: its CPU and memory over the range (with requests and allocatable), its pods with kubectl's numbers, its events. */
import { enc } from './api.js';
import { el, fill, panel } from './format.js';
import { COLOURS, chartPair, eventsTable, loadEvents, podRow, podsTable, podUsage } from './parts.js';

/** @typedef {import('./state.js').State} State */

export const title = 'Node';

/** @param {HTMLElement} root @param {State} s */
export function mount(root, s) {
  const charts = chartPair('node-', `/nodes/${enc(s.node)}`, [
    ['request', 'requests', COLOURS.request],
    ['node_allocatable', 'allocatable', COLOURS.capacity],
  ]);
  root.append(
    el('h2', `node/${s.node}`, 'view-title'),
    charts.element,
    panel('Pods on this node', [podsTable('node-pods')]),
    panel('Events of this node', [eventsTable('node-events')]),
  );
  return {
    /** @param {State} st */
    load: async (st) => {
      const pods = podUsage({ node: st.node }).then((list) => {
        fill(
          'node-pods',
          list.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)).map(podRow),
        );
      });
      await Promise.all([charts.load(st), pods, loadEvents('node-events', { objects: [st.node] })]);
    },
  };
}
