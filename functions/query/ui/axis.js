// @ts-check
/**
 * The charts' axes, pure (no DOM, so test/ui-axis.test.ts runs them in Node): x ticks on whole
 * steps of the range's unit, spaced wider than their labels; one y unit per chart.
 */
import { GIB, MIB } from './format.js';

/** Minimum gap between x ticks, CSS px: the widest label ("00:00", "30 Dec") is about 40 px. */
export const MIN_TICK_GAP = 70;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** @typedef {{ unit: string, scale: number }} Unit */

/** @param {'cpu' | 'memory'} kind @param {number} max raw (millicores or bytes) @returns {Unit} */
export function unitFor(kind, max) {
  if (kind === 'cpu') return max >= 1000 ? { unit: 'cores', scale: 1000 } : { unit: 'millicores', scale: 1 };
  return max >= GIB ? { unit: 'GiB', scale: GIB } : { unit: 'MiB', scale: MIB };
}

/** A value in the axis's unit, without the unit (the axis names it). @param {number} v @param {Unit} u */
export function inUnit(v, u) {
  return String(Number((v / u.scale).toFixed(2)));
}

/** @param {number} n */
const two = (n) => String(n).padStart(2, '0');

/** A tick label in the range's unit (local time). @param {number} s epoch seconds @param {'time' | 'date'} kind */
export function tickLabel(s, kind) {
  const d = new Date(s * 1000);
  return kind === 'time' ? `${two(d.getHours())}:${two(d.getMinutes())}` : `${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

/**
 * Ticks between min and max (epoch seconds): the smallest of the range's steps whose gap is at
 * least MIN_TICK_GAP px at this plot width, on whole steps of local time (midnights for days).
 * @param {number} min @param {number} max @param {number} widthPx @param {number[]} steps
 */
export function timeTicks(min, max, widthPx, steps) {
  const span = Math.max(1, max - min);
  const step = steps.find((s) => (s / span) * widthPx >= MIN_TICK_GAP) ?? steps[steps.length - 1] ?? span;
  const offset = -new Date(min * 1000).getTimezoneOffset() * 60;
  const ticks = [];
  for (let t = Math.ceil((min + offset) / step) * step - offset; t <= max; t += step) ticks.push(t);
  return { step, ticks };
}
