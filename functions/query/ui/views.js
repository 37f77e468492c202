// @ts-check
/**
 * The page's views: one module each, named by `?view=` in the URL. A view exports `title` and
 * `mount(root, state)`, which builds its panels and returns `{ load(state) }` (called at once and
 * on every refresh). `NAV` lists the views the header links to; the others open from a click
 * (a node, workload or pod name).
 */
import * as node from './view-node.js';
import * as overview from './view-overview.js';
import * as pod from './view-pod.js';
import * as rightsizing from './view-rightsizing.js';
import * as workload from './view-workload.js';

/** @typedef {import('./state.js').State} State */
/** @typedef {{ title: string, mount(root: HTMLElement, s: State): { load(s: State): Promise<unknown> } }} View */

/** @type {Record<string, View>} */
export const VIEWS = { overview, node, workload, pod, rightsizing };

/** Header links, in order. */
export const NAV = ['overview', 'rightsizing'];
