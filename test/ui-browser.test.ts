/**
 * @module ui-browser.test
 * The page in a real browser (headless Chromium) against an hour of collected data
 * (test/helpers/ui-cluster), checked from outside as a user meets it:
 * - every number that `kubectl top` also prints (the real kubectl 1.32, at the same moment) is
 *   kubectl's, on the overview and in the node and pod views; memory is the working set;
 * - each range's axis spans the range (its left part stays empty when the data covers only the
 *   last hour), with ticks in the range's unit, spaced wider than their labels;
 * - the URL holds range, namespace and view: a reload or Back restores them;
 * - the workloads and the node, workload and pod views show their data (the simulator's truth);
 * - at 400 px nothing scrolls sideways; a two-shard collection shows the same page as one collector;
 * - no console errors; screenshots at 1400 and 400 px go to .cache/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { HAVE_CHROMIUM, launchBrowser, MISSING_CHROMIUM, type Browser } from '#test/helpers/browser';
import { PROJECT_DIR } from '#test/helpers/paths';
import { queryDeps } from '#test/helpers/query-fixture';
import { uiCluster, type UiCluster } from '#test/helpers/ui-cluster';
import type { PodTruth } from '#test/sim/truth';
import { startAuth } from '#shared/query/auth/setup';
import { closeAll, listen } from '#shared/query/server';
import { readQueryConfig } from '#shared/query/settings';
import { createApp } from '../functions/query/app';

const MIB = 1024 * 1024;
const SCREENSHOTS = join(PROJECT_DIR, '.cache', 'screenshots');
// kubectl's forms (metrics_printer.go), restated for values the page shows that kubectl does not.
const cpu = (m: number): string => `${Math.ceil(Math.round(m * 1e6) / 1e6)}m`;
const memory = (b: number): string => `${Math.floor(b / MIB)}Mi`;
const RANGE_S: Record<string, number> = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 };

if (!HAVE_CHROMIUM && process.env['CI'] === 'true') throw new Error(MISSING_CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM)('the page, in headless Chromium, over an hour of collected data', () => {
  let u: UiCluster;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  /** `watch`: its console errors fail the last test (not for the token tab, whose first answers are 401s). */
  async function newTab(width = 1400, watch = true): Promise<Page> {
    const tab = await browser.context.newPage();
    await tab.setViewportSize({ width, height: 1000 });
    if (!watch) return tab;
    tab.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return tab;
  }

  /** Opens `url` (or waits after a click) until the view `view` has loaded once. */
  async function loaded(tab: Page, view: string, url?: string): Promise<void> {
    if (url) await tab.goto(url);
    // A function, not a string: the page's CSP forbids eval, which a string predicate needs.
    await tab.waitForFunction((v) => (globalThis as any).document.body.dataset.view === v, view, { timeout: 30_000 });
  }

  beforeAll(async () => {
    u = await uiCluster('ui_browser');
    browser = await launchBrowser();
    page = await newTab();
    await loaded(page, 'overview', `${u.base}/`);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await u?.stop();
  });

  function texts(tab: Page, selector: string): Promise<string[][]> {
    return tab.$$eval(selector, (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
  }

  const pods = (): PodTruth[] => u.c.sim.truth.nodes.flatMap((n) => n.pods);

  describe('numbers kubectl top also prints', () => {
    it('the nodes table is kubectl top node: CPU, CPU%, the working set and MEMORY%', async () => {
      const [header, ...top] = await u.kubectl('top', 'node');
      expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
      const rows = await texts(page, '#nodes tbody tr');
      expect(rows.map((r) => r.slice(0, 5))).toEqual(top);
      const headers = await page.$$eval('#nodes th', (th) => th.map((h) => h.textContent));
      expect(headers.slice(0, 5)).toEqual(['Node', 'CPU(cores)', 'CPU(%)', 'Memory(bytes) working set', 'Memory(%)']);
      // The working set, not memory/usage (which counts the page cache): the simulator's own figure.
      for (const [i, n] of u.c.sim.truth.nodes.entries()) {
        expect(n.memory.usageBytes).toBeGreaterThan(n.memory.workingSetBytes + MIB);
        expect(rows[i]?.[3], n.name).toBe(memory(n.memory.workingSetBytes));
      }
      // So is the cluster's memory chart: its latest point is the nodes' working sets added.
      const total = u.c.sim.truth.nodes.reduce((s, n) => s + n.memory.workingSetBytes, 0);
      expect(JSON.parse((await page.getAttribute('#memory-chart', 'data-last')) ?? '[]')[0]).toBe(total);
      expect(await page.textContent('#memory-chart figcaption, figure:has(#memory-chart) figcaption')).toMatch(
        /^Memory working set, /,
      );
    });

    it('the top pods are kubectl top pod -A’s numbers, the ten highest of each', async () => {
      const [, ...top] = await u.kubectl('top', 'pod', '-A');
      const byPod = new Map(top.map(([ns, pod, c, m]) => [`${ns}/${pod}`, [c, m]]));
      for (const [table, column] of [
        ['#pods-cpu', 2],
        ['#pods-memory', 3],
      ] as const) {
        const rows = await texts(page, `${table} tbody tr`);
        expect(rows.length).toBe(Math.min(10, top.length));
        for (const [ns, pod, c, m] of rows) expect([c, m], `${ns}/${pod}`).toEqual(byPod.get(`${ns}/${pod}`));
        const shown = rows.map((r) => Number.parseInt(r[column] ?? '', 10));
        expect(shown).toEqual([...shown].sort((a, b) => b - a));
        const highest = Math.max(...top.map((r) => Number.parseInt(r[column] ?? '', 10)));
        expect(shown[0]).toBe(highest);
      }
    });

    it('the node view’s pods are kubectl top pod --field-selector spec.nodeName’s', async () => {
      const tab = await newTab();
      try {
        await loaded(tab, 'node', `${u.base}/?view=node&node=node-1`);
        const [, ...top] = await u.kubectl('top', 'pod', '-A', '--field-selector', 'spec.nodeName=node-1');
        const rows = await texts(tab, '#node-pods tbody tr');
        expect(rows.sort()).toEqual(top.sort());
      } finally {
        await tab.close();
      }
    });

    it('the pod view’s containers are kubectl top pod --containers’s', async () => {
      const pod = pods()[3] as PodTruth;
      const tab = await newTab();
      try {
        await loaded(tab, 'pod', `${u.base}/?view=pod&ns=${pod.namespace}&pod=${pod.name}`);
        const [, ...top] = await u.kubectl('top', 'pod', '-n', pod.namespace, pod.name, '--containers');
        const rows = await texts(tab, '#pod-containers tbody tr');
        expect(rows).toEqual(top.map((r) => r.slice(1)));
        expect(rows.map((r) => r[0])).toEqual(pod.containers.map((c) => c.name).sort());
      } finally {
        await tab.close();
      }
    });
  });

  describe('the charts’ axes', () => {
    /** Per chart: the span and ticks it drew, and its usage-colour pixels in the plot's left 40 %. */
    function drawn(tab: Page) {
      return tab.$$eval('#cpu-chart, #memory-chart', (charts) =>
        charts.map((chart) => {
          const box = chart as any;
          const canvas = box.querySelector('canvas') as any;
          const ctx = canvas.getContext('2d') as any;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          const rgb = box.id === 'cpu-chart' ? [37, 99, 235] : [15, 157, 88];
          let left = 0;
          let all = 0;
          for (let i = 0; i < data.length; i += 4) {
            const near = [0, 1, 2].every((k) => Math.abs((data[i + k] ?? 0) - (rgb[k] ?? 0)) < 8);
            if (!near || (data[i + 3] ?? 0) < 200) continue;
            all++;
            if ((i / 4) % canvas.width < canvas.width * 0.4) left++;
          }
          return { ...box.dataset, left, all };
        }),
      );
    }

    it('span the range in the title, whatever data there is, with ticks in its unit that do not collide', async () => {
      const tab = await newTab();
      try {
        await loaded(tab, 'overview', `${u.base}/`);
        for (const range of ['1h', '24h', '7d', '30d']) {
          await tab.selectOption('#range', range);
          await tab.waitForSelector(`#memory-chart[data-range="${range}"]`);
          await tab.waitForSelector(`#cpu-chart[data-range="${range}"]`);
          const nowS = Date.now() / 1000;
          for (const d of await drawn(tab)) {
            const at = `${range} ${d['points']} points`;
            expect(Number(d['xMax']) - Number(d['xMin']), at).toBe(RANGE_S[range]);
            expect(Math.abs(Number(d['xMax']) - nowS), at).toBeLessThan(60);
            const ticks = (d['xTicks'] ?? '').split('|');
            expect(ticks.length, at).toBeGreaterThanOrEqual(3);
            const form = range === '1h' || range === '24h' ? /^\d\d:\d\d$/ : /^\d{1,2} [A-Z][a-z]{2}$/;
            for (const t of ticks) expect(t, at).toMatch(form);
            expect(new Set(ticks).size, at).toBe(ticks.length);
            expect(Number(d['xGapPx']), at).toBeGreaterThan(Number(d['xLabelPx']) + 8);
            expect(['millicores', 'cores', 'MiB', 'GiB'], at).toContain(d['yUnit']);
            expect(d.all, at).toBeGreaterThan(0);
            // An hour of data fills the hour, and only the last part of a longer range.
            if (range === '1h') expect(d.left, at).toBeGreaterThan(50);
            else expect(d.left, at).toBe(0);
          }
          if (range === '30d') {
            mkdirSync(SCREENSHOTS, { recursive: true });
            await tab.screenshot({ path: join(SCREENSHOTS, 'ui-30d-1400.png') });
          }
          const labels = await tab.$$eval('.range-label', (s) => s.map((x) => x.textContent));
          expect(new Set(labels)).toEqual(
            new Set([await tab.$eval('#range', (s) => (s as any).selectedOptions[0]?.textContent)]),
          );
        }
      } finally {
        await tab.close();
      }
    });
  });

  describe('the URL', () => {
    it('holds the range, the namespace and the view: a reload and Back restore them', async () => {
      const tab = await newTab();
      try {
        await loaded(tab, 'overview', `${u.base}/`);
        await tab.selectOption('#range', '24h');
        await tab.selectOption('#namespace', 'ns-1');
        await tab.waitForSelector('#pods-cpu tbody tr[data-pod^="ns-1/"]');
        expect(new URL(tab.url()).search).toBe('?range=24h&ns=ns-1');
        await tab.reload();
        await loaded(tab, 'overview');
        await tab.waitForSelector('#cpu-chart[data-range="24h"]');
        expect(await tab.$eval('#range', (s) => (s as any).value)).toBe('24h');
        expect(await tab.$eval('#namespace', (s) => (s as any).value)).toBe('ns-1');
        for (const table of ['#pods-cpu', '#workloads-cpu']) {
          const rows = await texts(tab, `${table} tbody tr`);
          expect(rows.length, table).toBeGreaterThan(0);
          expect(new Set(rows.map((r) => r[0])), table).toEqual(new Set(['ns-1']));
        }
        await tab.click('#workloads-cpu tbody tr:first-child a');
        await loaded(tab, 'workload');
        const url = new URL(tab.url());
        expect(url.searchParams.get('view')).toBe('workload');
        expect(url.searchParams.get('range')).toBe('24h');
        await tab.reload();
        await loaded(tab, 'workload');
        await tab.waitForSelector('#workload-cpu-chart[data-range="24h"]');
        await tab.goBack();
        await loaded(tab, 'overview');
        expect(new URL(tab.url()).search).toBe('?range=24h&ns=ns-1');
        // Unknown values (even an object's own property names) are the defaults, not an error.
        await loaded(tab, 'overview', `${u.base}/?view=constructor&range=toString`);
        await tab.waitForSelector('#cpu-chart[data-range="1h"]');
      } finally {
        await tab.close();
      }
    });
  });

  describe('workloads and the drill-down views', () => {
    /** The simulator's workloads with their sums. */
    function workloads() {
      const out = new Map<
        string,
        { cpu: number; ws: number; req: number; lim: number; memReq: number; memLim: number; pods: string[] }
      >();
      for (const p of pods()) {
        const key = `${p.namespace}/${p.workload?.kind}/${p.workload?.name}`;
        const w = out.get(key) ?? { cpu: 0, ws: 0, req: 0, lim: 0, memReq: 0, memLim: 0, pods: [] };
        w.cpu += p.cpuMillicores;
        w.ws += p.memory.workingSetBytes;
        for (const c of p.containers) {
          w.req += c.requests.cpuMillicores;
          w.lim += c.limits.cpuMillicores;
          w.memReq += c.requests.memoryBytes;
          w.memLim += c.limits.memoryBytes;
        }
        w.pods.push(p.name);
        out.set(key, w);
      }
      return out;
    }

    it('lists the top workloads by CPU and by memory with usage, requests and limits', async () => {
      const truth = workloads();
      for (const [table, sortBy] of [
        ['#workloads-cpu', 'cpu'],
        ['#workloads-memory', 'ws'],
      ] as const) {
        const keys = await page.$$eval(`${table} tbody tr`, (rows) =>
          rows.map((r) => (r as any).dataset.workload ?? ''),
        );
        expect(keys.length).toBe(Math.min(10, truth.size));
        const rows = await texts(page, `${table} tbody tr`);
        for (const [i, key] of keys.entries()) {
          const w = truth.get(key);
          expect(w, key).toBeDefined();
          if (!w) continue;
          expect(rows[i]?.slice(2), key).toEqual([
            cpu(w.cpu),
            cpu(w.req),
            cpu(w.lim),
            memory(w.ws),
            memory(w.memReq),
            memory(w.memLim),
          ]);
        }
        const values = keys.map((k) => truth.get(k)?.[sortBy] ?? 0);
        expect(values).toEqual([...values].sort((a, b) => b - a));
      }
    });

    it('a click on a node, a workload and a pod opens its view: charts over the range, its pods or containers, its events', async () => {
      const tab = await newTab();
      try {
        await loaded(tab, 'overview', `${u.base}/`);
        await tab.click('#nodes a:text-is("node-0")');
        await loaded(tab, 'node');
        expect(await tab.textContent('.view-title')).toBe('node/node-0');
        expect((await texts(tab, '#node-pods tbody tr')).map((r) => r[1]).sort()).toEqual(
          u.c.sim.truth.nodes[0]?.pods.map((p) => p.name).sort(),
        );
        expect((await texts(tab, '#node-events tbody tr')).map((r) => r[3])).toEqual(['SystemOOM']);
        for (const id of ['#node-cpu-chart', '#node-memory-chart'])
          expect(Number(await tab.getAttribute(id, 'data-points')), id).toBeGreaterThanOrEqual(20);

        const [key, w] = [...workloads()].find(([k]) => k.includes('/Deployment/')) ?? [];
        const [ns, kind, name] = (key ?? '').split('/');
        await tab.goBack();
        await loaded(tab, 'overview');
        await tab.selectOption('#namespace', ns ?? '');
        await tab.waitForSelector(`#workloads-cpu tr[data-workload="${key}"] a`);
        await tab.click(`#workloads-cpu tr[data-workload="${key}"] a`);
        await loaded(tab, 'workload');
        expect(await tab.textContent('.view-title')).toBe(`${kind?.toLowerCase()}/${ns}/${name}`);
        const workloadPods = await texts(tab, '#workload-pods tbody tr');
        expect(workloadPods.map((r) => r[1]).sort()).toEqual(w?.pods.sort());
        const [, ...top] = await u.kubectl('top', 'pod', '-n', ns ?? '');
        expect(workloadPods.map((r) => r.slice(1)).sort()).toEqual(
          top.filter((r) => w?.pods.includes(r[0] ?? '')).sort(),
        );
        for (const id of ['#workload-cpu-chart', '#workload-memory-chart'])
          expect(Number(await tab.getAttribute(id, 'data-points')), id).toBeGreaterThanOrEqual(20);

        await tab.goto(`${u.base}/?view=pod&ns=ns-1&pod=pod-0-1`);
        await loaded(tab, 'pod');
        expect(await tab.textContent('.view-title')).toBe('pod/ns-1/pod-0-1');
        const events = await texts(tab, '#pod-events tbody tr');
        expect(events.map((r) => [r[1], r[3], r[5]])).toEqual([['Warning', 'Unhealthy', '3']]);
        for (const id of ['#pod-cpu-chart', '#pod-memory-chart'])
          expect(Number(await tab.getAttribute(id, 'data-points')), id).toBeGreaterThanOrEqual(20);
        await tab.screenshot({ path: join(SCREENSHOTS, 'ui-pod-1400.png'), fullPage: true });
        // Another namespace has no such pod: the picker goes back to the overview, filtered.
        await tab.selectOption('#namespace', 'ns-2');
        await loaded(tab, 'overview');
        expect(new URL(tab.url()).search).toBe('?ns=ns-2');
      } finally {
        await tab.close();
      }
    });
  });

  describe('layout', () => {
    it('at 400 px the panels stack and nothing scrolls sideways, in every view', async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const tab = await newTab(400);
      try {
        for (const [view, query] of [
          ['overview', ''],
          ['node', '?view=node&node=node-0'],
          ['workload', '?view=workload&ns=ns-0&kind=Deployment&name=web'],
          ['pod', '?view=pod&ns=ns-1&pod=pod-0-1'],
        ] as const) {
          await loaded(tab, view, `${u.base}/${query}`);
          const widths = (await tab.evaluate(
            '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
          )) as { scroll: number; client: number };
          expect(widths.scroll, view).toBeLessThanOrEqual(widths.client);
          if (view === 'overview') {
            // Stacked: the memory chart sits below the CPU chart, not beside it.
            const [a, b] = await tab.$$eval('#cpu-chart, #memory-chart', (c) =>
              c.map((x) => x.getBoundingClientRect()),
            );
            expect(b?.top).toBeGreaterThan((a?.bottom ?? 0) - 1);
            await tab.screenshot({ path: join(SCREENSHOTS, 'ui-400.png'), fullPage: true });
          }
          if (view === 'node') await tab.screenshot({ path: join(SCREENSHOTS, 'ui-node-400.png'), fullPage: true });
        }
      } finally {
        await tab.close();
      }
    });
  });

  it('loads the overview in 9 requests, however many nodes, namespaces and pods there are', async () => {
    const tab = await newTab();
    const asked: string[] = [];
    tab.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/api/')) asked.push(path);
    });
    try {
      await loaded(tab, 'overview', `${u.base}/`);
      // 2 charts × 2 series, nodes, workloads, pods, events, the namespace picker.
      expect(asked.length, asked.join('\n')).toBe(9);
    } finally {
      await tab.close();
    }
  });

  it('a two-shard collection shows the same page as one collector', async () => {
    const views = [
      '',
      '?view=node&node=node-2',
      '?view=workload&ns=ns-0&kind=Deployment&name=web',
      '?view=pod&ns=ns-1&pod=pod-0-1',
    ];
    const one = await newTab();
    const two = await newTab();
    try {
      for (const query of views) {
        const view = new URLSearchParams(query).get('view') ?? 'overview';
        await Promise.all([loaded(one, view, `${u.base}/${query}`), loaded(two, view, `${u.shardedBase}/${query}`)]);
        const tables = (tab: Page) =>
          tab.$$eval('main table', (ts) =>
            ts.map((t) => [t.id, ...[...t.querySelectorAll('tbody tr')].map((r) => r.textContent)]),
          );
        const charts = (tab: Page) =>
          tab.$$eval('main .chart', (cs) => cs.map((c) => [c.id, (c as any).dataset.points, (c as any).dataset.last]));
        const shown = await tables(one);
        expect(shown.flat().length, query).toBeGreaterThan(shown.length * 2);
        expect(await tables(two), query || 'overview').toEqual(shown);
        const drawn = await charts(one);
        expect(drawn.length, query).toBe(2);
        expect(await charts(two), query || 'overview').toEqual(drawn);
      }
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('with MODEL_AUTH=token, asks for the token, then shows the data with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heapless-ui-token-'));
    const token = 'page-token-0123456789abcdef';
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const settings = { QUERY_AUTH: 'none', MODEL_AUTH: 'token', QUERY_AUTH_TOKEN_FILE: join(dir, 'token') };
    const deps = queryDeps(u.c.client, () => u.c.sim.clock.nowMs(), [], settings);
    const auth = await startAuth(readQueryConfig(settings), deps.log);
    const guarded = await listen(createApp({ ...deps, metricsApi: false, guard: auth.guard }), {
      port: 0,
      host: '127.0.0.1',
    });
    const tab = await newTab(1400, false);
    try {
      await tab.goto(`http://127.0.0.1:${guarded.port}/ui`);
      await tab.waitForSelector('#token-form:not([hidden])');
      expect(await tab.textContent('#status')).toBe('credentials needed');
      await tab.fill('#token', token);
      await tab.click('#token-form button');
      await loaded(tab, 'overview');
      expect(await tab.$$eval('#nodes tbody tr', (rows) => rows.length)).toBe(u.c.sim.truth.nodes.length);
      expect(await tab.isHidden('#token-form')).toBe(true);
    } finally {
      await tab.close();
      auth.stop();
      await closeAll([guarded], 1_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs no error to the console, and is saved as a screenshot at 1400 px', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'ui-1400.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
