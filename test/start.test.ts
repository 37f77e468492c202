/**
 * @module start.test
 * `npm start` as a newcomer runs it: npm itself, in its own process group, with KUBECONFIG and
 * INFLUX_URL exported as most Kubernetes users have them (the demo leaves them alone). The banner
 * comes within 60 s; the page it names answers; the `kubectl top` commands it prints (real kubectl
 * 1.32, through the simulated aggregation layer) list every node and every running pod with
 * numbers; Ctrl-C (SIGINT to the group) leaves no process and no temp file, whenever it comes:
 * at once, while influxd starts, once influxd answers but before the banner, after the banner.
 * `--real-cluster` without KUBECONFIG or INFLUX_URL is exit 2 naming the missing one.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive, processesNaming, spawnStart, type StartProcess } from '#test/helpers/start-process';

const run = promisify(execFile);

/**
 * Everything is gone: no process in its group or naming its TMPDIR, the TMPDIR empty. npm exits
 * on Ctrl-C at once (130, or 0 when its child was quicker); its child stops on its own, within
 * the 20 s a start-up step gets plus the stops (influxd's is bounded at 8 s).
 */
async function expectClean(s: StartProcess, code: number | null): Promise<void> {
  expect([0, 130]).toContain(code);
  const pgid = s.proc.pid as number;
  await until(() => !groupAlive(pgid), 40_000);
  expect(groupAlive(pgid), s.stdout()).toBe(false);
  expect(processesNaming(s.tmp)).toEqual([]);
  expect(leftIn(s.tmp)).toEqual([]);
  // A run torn down by the stop says nothing the user must act on: no warning or error after it.
  const lines = s
    .stdout()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const stopping = lines.findIndex((l) => l['event'] === 'stopping');
  if (stopping >= 0)
    expect(lines.slice(stopping).filter((l) => l['level'] === 'warn' || l['level'] === 'error')).toEqual([]);
}

/** Polls `done` every 20 ms until it holds or `ms` have passed. */
async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
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
    // Before: with KUBECONFIG exported and no INFLUX_URL, npm start refused to run (exit 2).
    s = spawnStart({ KUBECONFIG: '/nowhere/kubeconfig', INFLUX_URL: 'http://127.0.0.1:1' });
    banner = await s.waitFor('Ctrl-C to stop', 90_000);
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

  it('runs the simulated demo although KUBECONFIG and INFLUX_URL are exported, and says how to use them', () => {
    expect(banner).toMatch(
      /heapless is running: simulated cluster: 4 nodes, 12 generated pods, InfluxDB http:\/\/127\.0\.0\.1:\d+ /,
    );
    expect(banner).toContain('Your KUBECONFIG is left alone; `npm start -- --real-cluster` collects its cluster');
    expect(banner).not.toContain('127.0.0.1:1 ');
  });

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

  it('runs on a consistent cluster: every ReplicaSet and Job a pod names exists, so no workload_unresolved', () => {
    const events = s
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((l) => l['fn'] === 'collect' && l['event'] === 'run').length).toBeGreaterThan(0);
    // Before: 13 pods of the captured node ("ReplicaSet not found", "Job not found") every run.
    expect(events.filter((l) => l['event'] === 'workload_unresolved')).toEqual([]);
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

/** influxd's folder inside npm start's temp root, once it exists. */
function influxdDir(tmp: string): string | undefined {
  for (const root of readdirSync(tmp)) {
    const dir = join(tmp, root);
    if (!root.startsWith('heapless-start-') || !existsSync(dir)) continue;
    const found = readdirSync(dir).find((f) => f.startsWith('heapless-influxd-'));
    if (found) return join(dir, found);
  }
  return undefined;
}

/** True once the influxd of npm start answers its /ping (its port read from its config). */
async function influxdAnswers(tmp: string): Promise<boolean> {
  const dir = influxdDir(tmp);
  if (!dir || !existsSync(join(dir, 'influxdb.conf'))) return false;
  const port = /\[http\]\s+bind-address = "127\.0\.0\.1:(\d+)"/.exec(
    readFileSync(join(dir, 'influxdb.conf'), 'utf8'),
  )?.[1];
  if (!port) return false;
  return fetch(`http://127.0.0.1:${port}/ping`).then(
    (r) => r.status === 204,
    () => false,
  );
}

describe('npm start: Ctrl-C during start-up leaves no process and no temp folder', () => {
  it.each([
    ['at once, before anything is started', async () => {}],
    [
      'while influxd is starting (its folder exists, it does not answer yet)',
      (s: StartProcess) => until(() => influxdDir(s.tmp) !== undefined, 60_000),
    ],
    ['once influxd answers, before the banner', (s: StartProcess) => until(() => influxdAnswers(s.tmp), 60_000)],
  ])(
    '%s',
    async (_when, reach: (s: StartProcess) => Promise<void>) => {
      // Before: `tsx test/start.ts` (tsx's CLI) SIGKILLed its child when the child took over 30 ms
      // to acknowledge the relayed SIGINT, as a busy start-up does: temp root and influxd's data left.
      const s = spawnStart();
      try {
        await reach(s);
        expect(s.stderr()).not.toContain('Ctrl-C to stop');
        await expectClean(s, await s.interrupt());
      } finally {
        s.cleanup();
      }
    },
    120_000,
  );
});

describe('npm start -- --real-cluster: both targets, or an error naming the missing one', () => {
  it.each([
    [{ KUBECONFIG: '/nowhere/kubeconfig' }, ['--real-cluster'], /--real-cluster: INFLUX_URL is not set/],
    [{ INFLUX_URL: 'http://127.0.0.1:1' }, ['--real-cluster'], /--real-cluster: KUBECONFIG is not set/],
    [{}, ['--kubeconfig'], /unknown argument --kubeconfig: npm start takes only --real-cluster/],
  ])(
    '%o %o exits 2 saying what to do',
    async (env, args, message) => {
      const s = spawnStart(env, args);
      try {
        expect(await s.exited).toBe(2);
        expect(s.stderr()).toMatch(message);
        expect(s.stdout()).toContain('"event":"config_invalid"');
        expect(leftIn(s.tmp)).toEqual([]);
      } finally {
        s.cleanup();
      }
    },
    60_000,
  );
});
