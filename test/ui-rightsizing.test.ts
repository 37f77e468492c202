/**
 * @module ui-rightsizing.test
 * The page's Right-sizing view in headless Chromium: 40 minutes of varying usage collected up to
 * now, the query service on a loopback port. The view lists the most reclaimable and the short
 * containers as current → recommended, exactly the recommendations route's numbers, links each
 * workload to its own recommendation, follows the namespace filter, and logs no error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collected, type Collected } from '#test/helpers/collected';
import { HAVE_CHROMIUM, launchBrowser, MISSING_CHROMIUM, type Browser } from '#test/helpers/browser';
import { queryDeps } from '#test/helpers/query-fixture';
import { closeAll, listen, type Listener } from '#shared/query/server';
import { createApp } from '../functions/query/app';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const RUNS = 40;

// The view's own formats (functions/query/ui/view-rightsizing.js), restated.
const cpu = (m: number | null): string => (m === null ? 'none' : `${Math.round(m)}m`);
const memory = (b: number | null): string =>
  b === null ? 'none' : Math.abs(b) >= 10 * GIB ? `${(b / GIB).toFixed(1)} GiB` : `${Math.round(b / MIB)} MiB`;

if (!HAVE_CHROMIUM && process.env['CI'] === 'true') throw new Error(MISSING_CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM)('the page’s Right-sizing view, in headless Chromium', () => {
  let c: Collected;
  let listener: Listener;
  let base: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    c = await collected('ui_rightsizing', {
      startTimeMs: Date.now() - RUNS * 60_000,
      nodes: 2,
      podsPerNode: 6,
      usage: 'varying',
    });
    for (let i = 0; i < RUNS; i++) await c.next(60);
    const deps = queryDeps(c.client, () => c.sim.clock.nowMs(), [], { MODEL_AUTH: 'none', QUERY_AUTH: 'none' });
    listener = await listen(createApp({ ...deps, metricsApi: false }), { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${listener.port}`;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${base}/?view=rightsizing`);
    await page.waitForSelector('#rightsizing[data-loaded="*"]', { timeout: 30_000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    if (listener) await closeAll([listener], 1_000);
    await c?.stop();
  });

  async function rows(id: string): Promise<string[][]> {
    return page.$$eval(`#${id} tbody tr`, (trs) =>
      trs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
  }

  async function expected(query: string) {
    const res = await fetch(`${base}/api/v1/model/recommendations?window=7d${query}`);
    const body = (await res.json()) as { workloads: any[] };
    return body.workloads.flatMap((w) => w.containers.map((x: any) => ({ w, x })));
  }

  const line = ({ w, x }: { w: any; x: any }): string[] => [
    w.namespace,
    w.kind === 'Pod' ? 'bare pods' : `${w.kind}/${w.name}`,
    x.name,
    `${cpu(x.cpu.requestMillicores)} → ${cpu(x.cpu.recommendedMillicores)}`,
    `${memory(x.memory.requestBytes)} → ${memory(x.memory.recommendedBytes)}`,
    x.notes.join(', '),
  ];

  it('shows the reclaimable and the short containers with the route’s numbers', async () => {
    const all = await expected('');
    const shown = [...(await rows('rightsizing-reclaimable')), ...(await rows('rightsizing-short'))];
    expect(shown.length).toBeGreaterThan(2);
    const want = new Set(all.map((e) => JSON.stringify(line(e))));
    for (const row of shown) expect(want.has(JSON.stringify(row)), row.join(' | ')).toBe(true);
    // The container without requests is short of both.
    const short = await rows('rightsizing-short');
    expect(short.some((r) => r[3]?.startsWith('none → ') && r[4]?.startsWith('none → '))).toBe(true);
    // Those with more request than recommended are reclaimable.
    for (const r of await rows('rightsizing-reclaimable')) expect(r[5]).toMatch(/reclaimable/);
  });

  it('links each workload to its own view, which shows its pods', async () => {
    const a = await page.$('#rightsizing-reclaimable tbody a');
    const text = (await a?.textContent()) ?? '';
    const href = new URL((await a?.getAttribute('href')) ?? '', `${base}/`);
    expect(href.searchParams.get('view')).toBe('workload');
    expect(`${href.searchParams.get('kind')}/${href.searchParams.get('name')}`).toBe(text);
    await a?.click();
    await page.waitForSelector('body[data-view="workload"]', { timeout: 30_000 });
    expect(await page.$$eval('#workload-pods tbody tr', (trs) => trs.length)).toBeGreaterThan(0);
    await page.goBack();
    await page.waitForSelector('#rightsizing[data-loaded="*"]', { timeout: 30_000 });
  });

  it('follows the namespace filter', async () => {
    // The page fills the namespace list from the model API (options carry their text as value).
    await page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('#namespace option')].some(
        (o: any) => o.textContent === 'ns-1',
      ),
    );
    await page.selectOption('#namespace', 'ns-1');
    await page.waitForSelector('#rightsizing[data-loaded="ns-1"]', { timeout: 30_000 });
    const shown = [...(await rows('rightsizing-reclaimable')), ...(await rows('rightsizing-short'))];
    expect(shown.length).toBeGreaterThan(0);
    for (const r of shown) expect(r[0]).toBe('ns-1');
    await page.screenshot({ path: `${process.cwd()}/.cache/screenshots/ui-rightsizing.png`, fullPage: true });
  });

  it('logs no error', () => {
    expect(problems).toEqual([]);
  });
});
