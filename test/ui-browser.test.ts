/**
 * @module ui-browser.test
 * The page in a real browser (headless Chromium) against collected data: a simulated cluster
 * collected every 3 minutes over the last hour into the suite's influxd, its events exported,
 * the query service's app on a loopback port. The charts draw (their canvases hold the series'
 * colours), switched to 30 days they draw the model API's rollup answer, the numbers shown are the
 * model API's, the namespace filter filters, the console stays clean, and a screenshot is saved
 * to .cache/screenshots/ui.png.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collected, type Collected } from '#test/helpers/collected';
import { HAVE_CHROMIUM, launchBrowser, MISSING_CHROMIUM, type Browser } from '#test/helpers/browser';
import { PROJECT_DIR } from '#test/helpers/paths';
import { queryDeps } from '#test/helpers/query-fixture';
import { readEventsConfig } from '#shared/events/events-settings';
import { runEvents } from '#shared/events/run';
import { createLogger } from '#shared/log';
import { readRollupConfig } from '#shared/rollup/settings';
import { runRollup } from '#shared/rollup/run';
import { startAuth } from '#shared/query/auth/setup';
import { closeAll, listen, type Listener } from '#shared/query/server';
import { readQueryConfig } from '#shared/query/settings';
import { createApp } from '../functions/query/app';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RUN_EVERY_S = 180;
const RUNS = 21;

// The page's own formats (functions/query/ui/page.js), restated: the test checks the text shown.
const cpu = (m: number | undefined): string => (m === undefined ? '–' : `${Math.round(m)}m`);
const memory = (b: number | undefined): string =>
  b === undefined ? '–' : b >= 10 * GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / MIB)} MiB`;
const percent = (r: number | undefined): string => (r === undefined ? '–' : `${Math.round(r * 100)}%`);

if (!HAVE_CHROMIUM && process.env['CI'] === 'true') throw new Error(MISSING_CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM)('the page, in headless Chromium, over an hour of collected data', () => {
  let c: Collected;
  let listener: Listener;
  let base: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    // An hour ago, then a run every 3 minutes up to now: the page asks for the last hour by the wall clock.
    c = await collected('ui_browser', { startTimeMs: Date.now() - RUNS * RUN_EVERY_S * 1000, namespaces: 3 });
    for (let i = 0; i < RUNS; i++) await c.next(RUN_EVERY_S);
    c.sim.addEvents([
      {
        metadata: { namespace: 'ns-1', name: 'pod-0-1.unhealthy' },
        involvedObject: { kind: 'Pod', namespace: 'ns-1', name: 'pod-0-1' },
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        source: { component: 'kubelet', host: 'node-0' },
        count: 3,
      },
    ]);
    const events = await runEvents(
      readEventsConfig({
        KUBECONFIG: c.sim.kubeconfigPath,
        INFLUX_URL: c.client.options.url,
        INFLUX_DB: c.client.options.db,
        INTERVAL: '60s',
      }),
      { log: createLogger({ fn: 'events', level: 'error', sink: () => {} }), now: () => c.sim.clock.nowMs() },
    );
    expect(events.stats.points).toBeGreaterThan(0);
    // Rolled up with npm start's short levels: the 30-day view reads the coarsest, 5 minutes.
    const levels = { ROLLUP_LEVELS: '1m:1d,5m:7d' };
    const rolled = await runRollup(
      readRollupConfig({
        INFLUX_URL: c.client.options.url,
        INFLUX_DB: c.client.options.db,
        ROLLUP_BACKFILL: '2h',
        ROLLUP_MAX_WINDOWS: '200',
        ...levels,
      }),
      { log: createLogger({ fn: 'rollup', level: 'error', sink: () => {} }), now: () => c.sim.clock.nowMs() },
    );
    expect(rolled.exitCode).toBe(0);
    const deps = queryDeps(c.client, () => c.sim.clock.nowMs(), [], {
      MODEL_AUTH: 'none',
      QUERY_AUTH: 'none',
      ...levels,
    });
    listener = await listen(createApp({ ...deps, metricsApi: false }), { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${listener.port}`;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-loads]', { timeout: 30_000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    if (listener) await closeAll([listener], 1_000);
    await c?.stop();
  });

  async function latest(path: string, metric: string): Promise<number | undefined> {
    const start = new Date(Date.now() - 300_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const res = await fetch(`${base}/api/v1/model${path}/metrics/${metric}?start=${start}`);
    const body = (await res.json()) as { metrics: Array<{ value: number }> };
    return body.metrics.at(-1)?.value;
  }

  async function texts(selector: string): Promise<string[][]> {
    return page.$$eval(selector, (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
  }

  /** Per chart, how many pixels have the usage and the requests colours. */
  function drawnPixels(): Promise<Array<{ id: string; usage: number; requests: number }>> {
    return page.$$eval('.chart', (charts) =>
      charts.map((chart) => {
        const canvas = chart.querySelector('canvas');
        if (!canvas) return { id: chart.id, usage: 0, requests: 0 };
        const data: Uint8ClampedArray = (canvas.getContext('2d') as any).getImageData(
          0,
          0,
          canvas.width,
          canvas.height,
        ).data;
        const usage = chart.id === 'cpu-chart' ? [37, 99, 235] : [15, 157, 88];
        const near = (i: number, rgb: number[]): boolean =>
          Math.abs((data[i] ?? 0) - (rgb[0] ?? 0)) < 8 &&
          Math.abs((data[i + 1] ?? 0) - (rgb[1] ?? 0)) < 8 &&
          Math.abs((data[i + 2] ?? 0) - (rgb[2] ?? 0)) < 8 &&
          (data[i + 3] ?? 0) > 200;
        let u = 0;
        let r = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, usage)) u++;
          if (near(i, [217, 119, 6])) r++;
        }
        return { id: chart.id, usage: u, requests: r };
      }),
    );
  }

  it('draws both cluster charts over the hour, in the series colours', async () => {
    const drawn = await drawnPixels();
    expect(drawn.map((d) => d.id)).toEqual(['cpu-chart', 'memory-chart']);
    // A line across the plot is hundreds of pixels of its colour.
    for (const d of drawn) {
      expect(d.usage, d.id).toBeGreaterThan(200);
      expect(d.requests, d.id).toBeGreaterThan(100);
    }
    // The hour of points (one per run) is what the chart was given: uPlot's legend lists both series.
    expect(await page.$$eval('#cpu-chart .u-legend .u-series', (s) => s.length)).toBe(3);
  });

  it('switched to 30 days, draws the charts from the model API’s answer, read from the rollups', async () => {
    await page.selectOption('#range', '30d');
    await page.waitForSelector('#memory-chart[data-range="30d"]');
    await page.waitForSelector('#cpu-chart[data-range="30d"]');
    expect(await page.$$eval('.range-label', (s) => s.map((x) => x.textContent))).toEqual(['30 days', '30 days']);
    // The page asks for start = now − 30 days; ask the same: the coarsest level (5 minutes) answers.
    const start = new Date(Date.now() - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const res = await fetch(`${base}/api/v1/model/metrics/cpu/usage_rate?start=${start}`);
    const points = ((await res.json()) as { metrics: Array<{ timestamp: string }> }).metrics;
    const times = points.map((p) => Date.parse(p.timestamp));
    expect(times.length).toBeGreaterThanOrEqual(10);
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] ?? 0) === 300_000)).toBe(true);
    expect(await page.getAttribute('#cpu-chart', 'data-points')).toBe(String(times.length));
    for (const d of await drawnPixels()) {
      expect(d.usage, d.id).toBeGreaterThan(200);
      expect(d.requests, d.id).toBeGreaterThan(100);
    }
    await page.selectOption('#range', '1h');
    await page.waitForSelector('#cpu-chart[data-range="1h"]');
    expect(Number(await page.getAttribute('#cpu-chart', 'data-points'))).toBeGreaterThan(times.length);
  });

  it('shows every node with the model API’s usage, requests, allocatable and utilisation', async () => {
    const rows = await texts('#nodes tbody tr');
    const names = c.sim.truth.nodes.map((n) => n.name).sort();
    expect(rows.map((r) => r[0])).toEqual(names);
    for (const row of rows) {
      const path = `/nodes/${row[0]}`;
      const m = (metric: string): Promise<number | undefined> => latest(path, metric);
      expect(row.slice(1), row[0]).toEqual([
        cpu(await m('cpu/usage_rate')),
        cpu(await m('cpu/request')),
        cpu(await m('cpu/node_allocatable')),
        percent(await m('cpu/node_utilization')),
        memory(await m('memory/usage')),
        memory(await m('memory/request')),
        memory(await m('memory/node_allocatable')),
        percent(await m('memory/node_utilization')),
      ]);
    }
    // And the API's numbers are the simulator's: node-0's CPU usage.
    const node0 = c.sim.truth.nodes[0];
    expect(rows[0]?.[1]).toBe(`${node0?.cpuMillicores}m`);
  });

  it('lists the top pods by CPU and by memory with the model API’s numbers', async () => {
    const pods = c.sim.truth.nodes.flatMap((n) => n.pods);
    for (const [table, metric, format] of [
      ['#pods-cpu', 'cpu/usage_rate', cpu],
      ['#pods-memory', 'memory/working_set', memory],
    ] as const) {
      const rows = await texts(`${table} tbody tr`);
      expect(rows.length).toBe(Math.min(10, pods.length));
      const values: number[] = [];
      for (const [ns, pod, shown] of rows) {
        const v = await latest(`/namespaces/${ns}/pods/${pod}`, metric);
        expect(shown, `${ns}/${pod}`).toBe(format(v));
        values.push(v ?? 0);
      }
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
  });

  it('filters the pods and the events by namespace', async () => {
    await page.selectOption('#namespace', 'ns-1');
    await page.waitForFunction(
      "[...document.querySelectorAll('#events tbody tr td:nth-child(3)')].every((td) => td.textContent.includes('/ns-1/'))",
    );
    for (const table of ['#pods-cpu', '#pods-memory']) {
      const rows = await texts(`${table} tbody tr`);
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(['ns-1']));
    }
    await page.selectOption('#namespace', '');
  });

  it('shows the latest events, newest first, as the events route gives them', async () => {
    const api = (await (await fetch(`${base}/api/v1/ui/events?limit=20`)).json()) as {
      items: Array<{ reason: string; message: string; count: number }>;
    };
    expect(api.items.length).toBeGreaterThan(0);
    const rows = await texts('#events tbody tr');
    expect(rows.map((r) => [r[3], r[4], r[5]])).toEqual(api.items.map((e) => [e.reason, e.message, String(e.count)]));
    expect(rows.some((r) => r[3] === 'Unhealthy' && r[1] === 'Warning')).toBe(true);
  });

  it('with MODEL_AUTH=token, asks for the token, then shows the data with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heapless-ui-token-'));
    const token = 'page-token-0123456789abcdef';
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const settings = { QUERY_AUTH: 'none', MODEL_AUTH: 'token', QUERY_AUTH_TOKEN_FILE: join(dir, 'token') };
    const deps = queryDeps(c.client, () => c.sim.clock.nowMs(), [], settings);
    const auth = await startAuth(readQueryConfig(settings), deps.log);
    const guarded = await listen(createApp({ ...deps, metricsApi: false, guard: auth.guard }), {
      port: 0,
      host: '127.0.0.1',
    });
    const tab = await browser.context.newPage();
    try {
      await tab.goto(`http://127.0.0.1:${guarded.port}/ui`);
      await tab.waitForSelector('#token-form:not([hidden])');
      expect(await tab.textContent('#status')).toBe('credentials needed');
      await tab.fill('#token', token);
      await tab.click('#token-form button');
      await tab.waitForSelector('body[data-loads]');
      expect(await tab.$$eval('#nodes tbody tr', (rows) => rows.length)).toBe(c.sim.truth.nodes.length);
      expect(await tab.isHidden('#token-form')).toBe(true);
    } finally {
      await tab.close();
      auth.stop();
      await closeAll([guarded], 1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs no error to the console, and is saved as a screenshot', async () => {
    const dir = join(PROJECT_DIR, '.cache', 'screenshots');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'ui.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
