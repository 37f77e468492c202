/**
 * @module ui-axis.test
 * The page's axis rules (functions/query/ui/axis.js, the browser's own module, run here in Node)
 * at every width the page can have, 200 to 1600 px, for every range: the x ticks lie inside the
 * range, on whole steps of the range's unit, labelled in that unit (HH:MM, or "7 Dec"), each
 * label different, spaced at least MIN_TICK_GAP px (wider than the widest label); a chart's y
 * ticks all share one unit. The browser test checks the same on the drawn page at 1400 px.
 */
import { describe, expect, it } from 'vitest';
import { anyDayStartMs } from '#test/helpers/any-day';

interface Axis {
  MIN_TICK_GAP: number;
  unitFor(kind: 'cpu' | 'memory', max: number): { unit: string; scale: number };
  inUnit(v: number, u: { unit: string; scale: number }): string;
  tickLabel(s: number, kind: 'time' | 'date'): string;
  timeTicks(min: number, max: number, widthPx: number, steps: number[]): { step: number; ticks: number[] };
}
interface State {
  RANGES: Record<string, { ms: number; label: string; steps: number[]; ticks: 'time' | 'date' }>;
}

// Plain JavaScript served to the browser as it is: imported by a computed path (no types to resolve).
const UI = '../functions/query/ui';
const axis = (await import(`${UI}/axis.js`)) as Axis;
const { RANGES } = (await import(`${UI}/state.js`)) as State;
/** The chart's plot is its box less the y axis and padding (chart.js). */
const PLOT_OFFSET_PX = 84;

describe('x ticks', () => {
  const endS = Math.floor(anyDayStartMs() / 1000) + 1234;

  for (const [name, range] of Object.entries(RANGES)) {
    it(`${name}: inside the range, in its unit, distinct, never closer than ${axis.MIN_TICK_GAP} px`, () => {
      const startS = endS - range.ms / 1000;
      const form = range.ticks === 'time' ? /^\d\d:\d\d$/ : /^\d{1,2} [A-Z][a-z]{2}$/;
      for (let width = 200; width <= 1600; width += 25) {
        const plot = width - PLOT_OFFSET_PX;
        const { step, ticks } = axis.timeTicks(startS, endS, plot, range.steps);
        const at = `${name} at ${width} px`;
        expect(range.steps, at).toContain(step);
        expect((step / (endS - startS)) * plot, at).toBeGreaterThanOrEqual(axis.MIN_TICK_GAP);
        expect(ticks.length, at).toBeGreaterThanOrEqual(1);
        expect(
          ticks.every((t) => t >= startS && t <= endS),
          at,
        ).toBe(true);
        expect(
          ticks.every((t, i) => i === 0 || t - (ticks[i - 1] ?? 0) === step),
          at,
        ).toBe(true);
        const labels = ticks.map((t) => axis.tickLabel(t, range.ticks));
        for (const l of labels) expect(l, at).toMatch(form);
        expect(new Set(labels).size, at).toBe(labels.length);
      }
    });
  }

  it('day ticks fall on midnights, hour ticks on whole hours', () => {
    const day = RANGES['30d'];
    const hour = RANGES['24h'];
    if (!day || !hour) throw new Error('the page has no 30d or 24h range');
    const days = axis.timeTicks(endS - day.ms / 1000, endS, 1316, day.steps).ticks;
    for (const t of days) expect(axis.tickLabel(t, 'time')).toBe('00:00');
    const hours = axis.timeTicks(endS - hour.ms / 1000, endS, 1316, hour.steps).ticks;
    for (const t of hours) expect(axis.tickLabel(t, 'time')).toMatch(/^\d\d:00$/);
  });
});

describe('y ticks', () => {
  it('share one unit per chart: no "0m" beside "2.5 cores"', () => {
    const cores = axis.unitFor('cpu', 2500);
    expect(cores.unit).toBe('cores');
    expect([0, 500, 1000, 2500].map((v) => axis.inUnit(v, cores))).toEqual(['0', '0.5', '1', '2.5']);
    const milli = axis.unitFor('cpu', 900);
    expect([0, 250, 900].map((v) => axis.inUnit(v, milli))).toEqual(['0', '250', '900']);
    const gib = axis.unitFor('memory', 3 * 2 ** 30);
    expect([0, 2 ** 29, 2 ** 31].map((v) => axis.inUnit(v, gib))).toEqual(['0', '0.5', '2']);
    expect(axis.unitFor('memory', 512 * 2 ** 20).unit).toBe('MiB');
  });
});
