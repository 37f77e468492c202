// @ts-check
/**
 * A time chart (uPlot, loaded before the modules as the global `uPlot`) whose x axis always spans
 * the selected range, whatever data there is, with ticks at whole steps of that range's unit
 * (5 minutes … 12 hours, or days) spaced wider than their labels; and whose y axis shows every
 * tick in one unit (millicores or cores, MiB or GiB), named on the axis.
 */
import { inUnit, tickLabel, timeTicks, unitFor } from './axis.js';
import { RANGES } from './state.js';

const Y_AXIS_PX = 64;
const HEIGHT = 230;
const BINARY_STEPS = Array.from({ length: 48 }, (_, i) => 2 ** i);
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** @typedef {{ label: string, colour: string, dash?: number[], fill?: boolean }} SeriesDef */
/** @typedef {import('./api.js').MetricResult} MetricResult */

/** @type {Map<HTMLElement, { chart: any, redraw: () => void }>} */
const charts = new Map();

/** @param {string} text */
function measure(text) {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return 0;
  ctx.font = AXIS_FONT;
  return ctx.measureText(text).width;
}

/**
 * Draws (or redraws) the chart in `box`: `results[i]` is series `defs[i]`'s answer.
 * @param {HTMLElement} box @param {'cpu' | 'memory'} kind @param {SeriesDef[]} defs
 * @param {MetricResult[]} results @param {{ startMs: number, endMs: number }} bounds @param {string} range
 */
export function drawChart(box, kind, defs, results, bounds, range) {
  const r = RANGES[range] ?? RANGES['1h'];
  if (!r) return;
  const times = [...new Set(results.flatMap((res) => res.metrics.map((p) => Date.parse(p.timestamp) / 1000)))].sort(
    (a, b) => a - b,
  );
  const columns = results.map((res) => {
    const byTime = new Map(res.metrics.map((p) => [Date.parse(p.timestamp) / 1000, p.value]));
    return times.map((t) => byTime.get(t) ?? null);
  });
  const max = Math.max(0, ...columns.flat().map((v) => v ?? 0));
  const unit = unitFor(kind, max * 1.15);
  const xMin = bounds.startMs / 1000;
  const xMax = bounds.endMs / 1000;
  const width = Math.max(200, box.clientWidth);
  const plotWidth = width - Y_AXIS_PX - 20;
  const { step, ticks } = timeTicks(xMin, xMax, plotWidth, r.steps);
  const labels = ticks.map((t) => tickLabel(t, r.ticks));
  // What was drawn, for the browser test: the span, the ticks, their gap and widest label (CSS px).
  Object.assign(box.dataset, {
    range,
    points: String(times.length),
    xMin: String(xMin),
    xMax: String(xMax),
    xTicks: labels.join('|'),
    xGapPx: String(Math.round((step / (xMax - xMin)) * plotWidth)),
    xLabelPx: String(Math.ceil(Math.max(0, ...labels.map(measure)))),
    yUnit: unit.unit,
    // Each series' latest value: a two-shard collection must draw what one collector does.
    last: JSON.stringify(columns.map((col) => col.filter((v) => v !== null).at(-1) ?? null)),
  });
  charts.get(box)?.chart.destroy();
  box.replaceChildren();
  const value = (/** @type {any} */ _u, /** @type {number | null} */ v) =>
    v == null ? '–' : `${inUnit(v, unit)} ${unit.unit}`;
  // @ts-expect-error: the global from ui/uplot.js
  const UPlot = window.uPlot;
  const chart = new UPlot(
    {
      width,
      height: HEIGHT,
      scales: {
        x: { time: true, range: () => [xMin, xMax] },
        y: {
          range: (/** @type {any} */ _u, /** @type {number} */ _lo, /** @type {number} */ hi) => [
            0,
            hi > 0 ? hi * 1.15 : 1,
          ],
        },
      },
      series: [
        {},
        ...defs.map((d) => ({
          label: d.label,
          stroke: d.colour,
          width: d.dash ? 1.5 : 2,
          value,
          spanGaps: false,
          ...(d.dash ? { dash: d.dash } : {}),
          ...(d.fill ? { fill: `${d.colour}22` } : {}),
        })),
      ],
      axes: [
        {
          font: AXIS_FONT,
          splits: () => ticks,
          values: () => labels,
        },
        {
          font: AXIS_FONT,
          size: Y_AXIS_PX,
          label: unit.unit,
          labelFont: AXIS_FONT,
          ...(kind === 'memory' ? { incrs: BINARY_STEPS } : {}),
          values: (/** @type {any} */ _u, /** @type {number[]} */ ys) => ys.map((y) => inUnit(y, unit)),
        },
      ],
    },
    [times, ...columns],
    box,
  );
  charts.set(box, { chart, redraw: () => drawChart(box, kind, defs, results, bounds, range) });
}

/** Charts no longer on the page are let go. */
export function forgetCharts() {
  for (const [box, c] of charts) {
    if (box.isConnected) continue;
    c.chart.destroy();
    charts.delete(box);
  }
}

// A new width can hold more or fewer ticks: redrawn, not stretched.
window.addEventListener('resize', () => {
  for (const c of [...charts.values()]) c.redraw();
});
