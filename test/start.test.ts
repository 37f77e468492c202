/**
 * @module start.test
 * `npm start` as a newcomer runs it: its real entry in its own process group. The banner comes
 * within 60 s; the page it names answers; the `kubectl top` commands it prints (real kubectl
 * 1.32, through the simulated aggregation layer) list every node and every running pod with
 * numbers; Ctrl-C (SIGINT to the group) leaves no process and no temp file, also when it comes
 * during start-up. KUBECONFIG without INFLUX_URL (or the reverse) is exit 2 naming the missing one.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, processesNaming, spawnStart, type StartProcess } from '#test/helpers/start-process';

const run = promisify(execFile);

/** Everything is gone: exit 0, no process in its group or naming its TMPDIR, the TMPDIR empty. */
async function expectClean(s: StartProcess, code: number | null): Promise<void> {
  expect(code).toBe(0);
  const pgid = s.proc.pid as number;
  // influxd shares the group; give the kernel a moment to reap it after the parent exits.
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupAlive(pgid)).toBe(false);
  expect(processesNaming(s.tmp)).toEqual([]);
  expect(leftIn(s.tmp)).toEqual([]);
}

/** What is in the TMPDIR, but tsx's compile cache (`tsx-<uid>`: tsx's own, kept across runs on purpose). */
function leftIn(tmp: string): string[] {
  return readdirSync(tmp).filter((f) => !/^tsx-\d+$/.test(f));
}

describe('npm start: the whole system, then Ctrl-C', () => {
  let s: StartProcess;
  let banner: string;
  let kubectlArgs: string[];
  let cacheDir: string;

  beforeAll(async () => {
    s = spawnStart();
    banner = await s.waitFor('Ctrl-C to stop', 60_000);
    const printed = /kubectl\s+(kubectl --kubeconfig \S+ top pods -A)/.exec(banner)?.[1];
    expect(printed, banner).toBeDefined();
    // The printed command, with a discovery cache of the test's own.
    cacheDir = mkdtempSync(join(tmpdir(), 'heapless-kubectl-'));
    kubectlArgs = (printed as string).split(' ').slice(1, 3).concat('--cache-dir', cacheDir);
  }, 90_000);
  afterAll(() => {
    s?.cleanup();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  async function kubectl(...args: string[]): Promise<string[][]> {
    const { stdout } = await run('kubectl', [...kubectlArgs, ...args], { timeout: 30_000 });
    return stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/));
  }

  it('prints a banner with the page, kubectl top, an InfluxQL curl and how to stop', () => {
    expect(banner).toMatch(/Page\s+http:\/\/127\.0\.0\.1:\d+\//);
    expect(banner).toMatch(/kubectl --kubeconfig \S+ top pods -A/);
    expect(banner).toMatch(/curl -sG 'http:\/\/127\.0\.0\.1:\d+\/query' --data-urlencode 'db=k8s'/);
    expect(banner).toContain('Ctrl-C to stop');
    // The JSON lines stay: one summary per collector run and per events run, and `ready`.
    const lines = s
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l['fn'] === 'collect' && l['event'] === 'run')).toBe(true);
    expect(lines.some((l) => l['fn'] === 'events' && l['event'] === 'run')).toBe(true);
    expect(lines.some((l) => l['fn'] === 'start' && l['event'] === 'ready')).toBe(true);
  });

  it('runs the rollup on the same schedule: a summary line per run, and its short-window policies', async () => {
    const runs = () =>
      s
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l['fn'] === 'rollup' && l['event'] === 'rollup_run');
    // The first tick's run finished before the banner; the next comes 15 s later.
    expect(runs().length).toBeGreaterThan(0);
    expect(runs()[0]).toMatchObject({ failedStatements: 0 });
    const influx = /curl -sG '(http:\/\/127\.0\.0\.1:\d+)\/query'/.exec(banner)?.[1] as string;
    const res = await fetch(`${influx}/query?q=${encodeURIComponent('SHOW RETENTION POLICIES ON "k8s"')}`);
    const body = (await res.json()) as { results: Array<{ series: Array<{ values: unknown[][] }> }> };
    const policies = body.results[0]?.series[0]?.values.map((r) => [r[0], r[1]]);
    expect(policies).toEqual(
      expect.arrayContaining([
        ['heapless_1m', '24h0m0s'],
        ['heapless_5m', '168h0m0s'],
      ]),
    );
  });

  it('the printed InfluxQL curl, pasted into a shell, answers every node’s CPU', async () => {
    const command = /InfluxQL\s+(curl[^\n]*\\\n[^\n]*)/.exec(banner)?.[1] as string;
    expect(command).toBeDefined();
    const { stdout } = await run('bash', ['-c', command], { timeout: 30_000 });
    const series = JSON.parse(stdout).results[0].series as Array<{ tags: { nodename: string }; values: unknown[][] }>;
    expect(series.map((x) => x.tags.nodename).sort()).toEqual(['datagen-1-35', 'node-0', 'node-1', 'node-2']);
    for (const x of series) expect(x.values[0]?.[1]).toBeGreaterThan(0);
  });

  it('the page URL answers with the page', async () => {
    const url = /Page\s+(\S+)/.exec(banner)?.[1] as string;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>heapless</title>');
  });

  it('the printed kubectl top nodes lists every node with numbers', async () => {
    const nodes = (await kubectl('get', 'nodes', '-o', 'name')).map((r) => (r[0] as string).replace('node/', ''));
    const [header, ...rows] = await kubectl('top', 'nodes');
    expect(header).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(rows.map((r) => r[0]).sort()).toEqual(nodes.sort());
    expect(nodes.length).toBe(4);
    for (const r of rows) expect(r.slice(1).join(' ')).toMatch(/^\d+m \d+% \d+Mi \d+%$/);
  });

  it('the printed kubectl top pods -A lists every pod whose containers run, with numbers', async () => {
    const { stdout } = await run('kubectl', [...kubectlArgs, 'get', 'pods', '-A', '-o', 'json'], { timeout: 30_000 });
    const items = (JSON.parse(stdout) as { items: any[] }).items;
    const running = items
      .filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c: any) => c.state?.running))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
    expect(running.length).toBeGreaterThanOrEqual(12);
    const [header, ...rows] = await kubectl('top', 'pods', '-A');
    expect(header).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(rows.map((r) => `${r[0]}/${r[1]}`).sort()).toEqual(running);
    for (const r of rows) expect(r.slice(2).join(' ')).toMatch(/^\d+m \d+Mi$/);
  });

  it('Ctrl-C stops every process it started and removes every temp file', async () => {
    expect(processesNaming(s.tmp).some((p) => p.includes('influxd'))).toBe(true);
    await expectClean(s, await s.interrupt());
  }, 60_000);
});

describe('npm start: Ctrl-C during start-up', () => {
  it('leaves nothing behind when the interrupt comes while influxd is starting', async () => {
    const s = spawnStart();
    try {
      // Wait until influxd's folder exists: start-up is under way, the banner is not printed yet.
      const deadline = Date.now() + 60_000;
      const influxdFolder = (): boolean =>
        readdirSync(s.tmp).some((root) => {
          const dir = join(s.tmp, root);
          return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('heapless-influxd-'));
        });
      while (!influxdFolder() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(influxdFolder()).toBe(true);
      expect(s.stderr()).not.toContain('Ctrl-C to stop');
      await expectClean(s, await s.interrupt());
    } finally {
      s.cleanup();
    }
  }, 90_000);
});

describe('npm start: a half-given target is an error, not the simulator', () => {
  it.each([
    [{ KUBECONFIG: '/nowhere/kubeconfig' }, 'INFLUX_URL is not'],
    [{ INFLUX_URL: 'http://127.0.0.1:1' }, 'KUBECONFIG is not'],
  ])(
    '%o exits 2 naming what is missing',
    async (env, message) => {
      const s = spawnStart(env);
      try {
        expect(await s.exited).toBe(2);
        expect(s.stderr()).toContain(message);
        expect(s.stdout()).toContain('"event":"config_invalid"');
        expect(leftIn(s.tmp)).toEqual([]);
      } finally {
        s.cleanup();
      }
    },
    60_000,
  );
});
