import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCollectConfig } from '#shared/collect/settings';
import { runCollect, type RunResult } from '#shared/collect/run';
import { ApiServerError } from '#shared/errors';
import { InfluxClient } from '#shared/influx/client';
import { createLogger, silentLogger } from '#shared/log';
import { splitLines } from '#shared/influx/lines';
import { startCluster, type SimCluster } from '#test/sim/cluster';
import { startInfluxd, type InfluxdServer } from '#test/influxd/server';
import { collected } from '#test/helpers/collected';
import { rows, writeLines } from '#test/helpers/influx';

/** A spooled body's line protocol: the spool keeps bodies gzipped (`.lp.gz`). */
const spooledText = (path: string): string =>
  (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path)).toString('utf8');

/** Points stored at `timeMs`, over every measurement (each line is its own series at that time). */
async function pointsAt(client: InfluxClient, timeMs: number): Promise<number> {
  const [res] = await client.query(`SELECT count(*) FROM /.*/ WHERE time = ${timeMs}ms`);
  return (res?.series ?? []).reduce((sum, s) => sum + Math.max(...((s.values[0] ?? []).slice(1) as number[])), 0);
}

describe('InfluxDB down across three runs, then back', () => {
  let sim: SimCluster;
  let influx: InfluxdServer;
  let spoolDir: string;
  const logs: Array<Record<string, unknown>> = [];
  const run = (extra: Record<string, string> = {}): Promise<RunResult> => {
    const config = readCollectConfig({
      KUBECONFIG: sim.kubeconfigPath,
      KUBELET_CA_FILE: sim.caFile,
      INFLUX_URL: influx.url,
      SPOOL_DIR: spoolDir,
      RUN_DEADLINE: '2s',
      INFLUX_TIMEOUT: '500ms',
      ...extra,
    });
    return runCollect(config, {
      log: createLogger({ fn: 'collect', sink: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) }),
      now: () => sim.clock.nowMs(),
    });
  };
  beforeAll(async () => {
    [sim, influx] = await Promise.all([startCluster({ nodes: 3, podsPerNode: 2 }), startInfluxd()]);
    spoolDir = mkdtempSync(join(tmpdir(), 'heapless-spool-'));
  });
  afterAll(async () => {
    await Promise.all([sim.stop(), influx.stop()]);
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('spools what it cannot write, replays it oldest first, and stores every sample exactly once', async () => {
    const client = new InfluxClient({ url: influx.url, db: 'k8s', auth: {}, timeoutMs: 5_000 });
    const before = await run();
    expect(before.exitCode).toBe(0);

    await influx.pause();
    const down: RunResult[] = [];
    const spooledLines = new Map<number, number>();
    for (let i = 0; i < 3; i++) {
      sim.clock.advance(60);
      const r = await run();
      expect(r.exitCode).toBe(1);
      expect(r.stats.nodesOk).toBe(3);
      expect(r.stats.spooledPoints).toBeGreaterThan(0);
      expect(r.stats.failedPoints).toBe(0);
      down.push(r);
    }
    expect(logs.some((l) => l['event'] === 'influx_unavailable' && l['level'] === 'error')).toBe(true);
    for (const f of readdirSync(spoolDir)) {
      for (const line of splitLines(spooledText(join(spoolDir, f)))) {
        const t = Number(line.slice(line.lastIndexOf(' ') + 1));
        spooledLines.set(t, (spooledLines.get(t) ?? 0) + 1);
      }
    }
    expect([...spooledLines.keys()].sort()).toEqual(down.map((r) => r.timeMs));

    await influx.start();
    sim.clock.advance(60);
    const after = await run();
    expect(after.exitCode).toBe(0);
    expect(after.stats.replayedPoints).toBe([...spooledLines.values()].reduce((a, b) => a + b));
    expect(readdirSync(spoolDir)).toEqual([]);
    for (const r of down) expect(await pointsAt(client, r.timeMs)).toBe(spooledLines.get(r.timeMs));
    // Each outage run's own figures arrived too.
    const runs = await rows(client, 'SELECT "nodes_ok", "spooled_points" FROM "heapless_run"');
    expect(runs).toHaveLength(5);

    // Replaying the same bodies again (a crash between write and delete) changes nothing.
    const counts = await Promise.all(down.map((r) => pointsAt(client, r.timeMs)));
    const again = await run();
    expect(again.stats.replayedPoints).toBe(0);
    expect(await Promise.all(down.map((r) => pointsAt(client, r.timeMs)))).toEqual(counts);
  });

  it('bounds the spool: the oldest points are dropped, counted and reported', async () => {
    await influx.pause();
    try {
      const spoolSize = () => readdirSync(spoolDir).reduce((a, f) => a + readFileSync(join(spoolDir, f)).length, 0);
      const spooledLineCount = () =>
        readdirSync(spoolDir).reduce((a, f) => a + splitLines(spooledText(join(spoolDir, f))).length, 0);
      sim.clock.advance(60);
      const first = await run();
      expect(first.stats.spooledPoints).toBeGreaterThan(0);
      // Room for one run and a half: the second run must push the first one out.
      const cap = Math.round(spoolSize() * 1.5);
      sim.clock.advance(60);
      const linesBefore = spooledLineCount();
      const second = await run({ SPOOL_MAX_BYTES: String(cap) });
      // The first run's bodies (its counters travel in a body of their own) make room, oldest first.
      expect(second.stats.spoolDroppedPoints).toBeGreaterThan(0);
      expect(second.stats.spoolDroppedPoints).toBeLessThanOrEqual(linesBefore);
      // What the second run spooled (its bodies, overflowed or not, and its own point) took their place.
      const added = second.stats.spooledPoints + second.stats.overflowPoints + 1;
      expect(spooledLineCount()).toBe(linesBefore + added - second.stats.spoolDroppedPoints);
      const full = logs.find((l) => l['event'] === 'spool_full');
      expect(full).toMatchObject({ level: 'warn', droppedPoints: second.stats.spoolDroppedPoints });
      expect(spoolSize()).toBeLessThanOrEqual(cap);
    } finally {
      await influx.start();
    }
  });
});

describe('a batch with a bad point', () => {
  it('stores the other points of the batch and reports the bad ones', async () => {
    const c = await collected('partial', { nodes: 2, podsPerNode: 2 });
    try {
      await c.client.ensureDatabase('7d');
      // memory/rss was first written as a float: every integer memory/rss line of the run conflicts.
      await writeLines(c.client, [`memory/rss,type=seed value=1.5 ${c.sim.clock.nowMs() - 60_000}`]);
      const r = await c.run();
      const rssLines = 2 + 8 + 4 + 8; // nodes, system containers, pods, containers
      expect(r.stats.badPoints).toBe(rssLines);
      expect(r.stats.failedPoints).toBe(0);
      expect(r.exitCode).toBe(1);
      // The same objects' working set was stored (type=workload sums aside).
      const stored = await rows(c.client, `SELECT count("value") FROM "memory/working_set" WHERE "type" != 'workload'`);
      expect(stored[0]?.['count']).toBe(rssLines);
      const warn = c.logs.find((l) => l['event'] === 'bad_points');
      expect((warn?.['examples'] as string[] | undefined)?.[0]).toMatch(/^memory\/rss,/);
    } finally {
      await c.stop();
    }
  });
});

describe('API server unreachable or slow', () => {
  let silent: Server;
  let port: number;
  let sim: SimCluster;
  const sockets = new Set<import('node:net').Socket>();
  const dirs: string[] = [];
  beforeAll(async () => {
    sim = await startCluster({ nodes: 1, podsPerNode: 1 });
    silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    await sim.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const kubeconfigTo = (server: string): string => {
    const text = readFileSync(sim.kubeconfigPath, 'utf8').replace(/server: .*/, `server: ${server}`);
    const dir = mkdtempSync(join(tmpdir(), 'heapless-kc-'));
    dirs.push(dir);
    const path = join(dir, 'config');
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['unreachable', () => `https://127.0.0.1:1`],
    ['slow (accepts, never answers)', () => `https://127.0.0.1:${port}`],
  ])('%s: fails fast with a clear error and writes nothing', async (_name, server) => {
    const client = new InfluxClient({ url: 'http://127.0.0.1:9', db: 'never', auth: {}, timeoutMs: 100 });
    const config = readCollectConfig({
      KUBECONFIG: kubeconfigTo(server()),
      INFLUX_URL: client.options.url,
      API_TIMEOUT: '1s',
    });
    const t0 = Date.now();
    const err = await runCollect(config, { log: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiServerError);
    expect(String((err as Error).message)).toMatch(/listing (nodes|pods) (failed|timed out)/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
