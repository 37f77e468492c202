/**
 * Bisecting a rejected body must never report good lines as bad: only a 400 for a single line
 * makes that line bad. A 5xx, a 429 or an exhausted request budget while bisecting leaves the
 * lines for later (the spool). The faults come from a loopback proxy in front of the real influxd
 * (test/helpers/fault-proxy.ts) that answers 503 to the requests a test picks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxClient } from '#shared/influx/client';
import { replaySpool } from '#shared/influx/replay';
import { Spool } from '#shared/influx/spool';
import { Writer } from '#shared/influx/writer';
import { freshDatabase, rows } from '#test/helpers/influx';
import { startFaultProxy, type FaultProxy } from '#test/helpers/fault-proxy';

const isWrite = (path: string): boolean => path.startsWith('/write');

describe('bisect never reports good lines as bad when InfluxDB fails while bisecting', () => {
  let proxy: FaultProxy;
  let direct: InfluxClient;
  let viaProxy: InfluxClient;
  let dir: string;
  beforeAll(async () => {
    direct = await freshDatabase('bisect_faults');
    await direct.ensureDatabase('INF');
    proxy = await startFaultProxy(direct.options.url);
    viaProxy = new InfluxClient({ ...direct.options, url: proxy.url });
    dir = mkdtempSync(join(tmpdir(), 'heapless-bisect-'));
  });
  afterAll(async () => {
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = (measurement: string, n: number, bad: (i: number) => boolean, t: number): string[] =>
    Array.from({ length: n }, (_, i) => `${measurement},k=v${i} v=${bad(i) ? 'oops' : i} ${t}`);

  const count = async (measurement: string): Promise<number> =>
    Number((await rows(direct, `SELECT count("v") FROM "${measurement}"`))[0]?.['count'] ?? 0);

  it('a 503 answered to every bisecting request spools the body instead of calling it bad', async () => {
    const spool = new Spool(join(dir, 'overload'), 10_000_000);
    const t = Date.now();
    let writes = 0;
    // The first write reaches influxd (400: one bad line); every later one is refused with 503.
    proxy.fail = (r) => (isWrite(r.path) && ++writes > 1 ? 503 : undefined);
    const writer = new Writer(viaProxy, { batchSize: 100, maxInFlight: 1, deadlineMs: Date.now() + 20_000, spool });
    await writer.write(body('overload', 100, (i) => i === 50, t));
    const stats = await writer.close();
    // Before the fix: badPoints 100, spooledPoints 0 (every good line reported bad and dropped).
    expect(stats).toMatchObject({ badPoints: 0, spooledPoints: 100, failedPoints: 0 });

    proxy.fail = () => undefined;
    const replay = await replaySpool(viaProxy, spool, Date.now() + 20_000);
    expect(replay).toMatchObject({ replayedPoints: 99, badPoints: 1, remaining: 0 });
    expect(spool.entries()).toEqual([]);
    expect(await count('overload')).toBe(99);
  });

  it('a single 503 while bisecting is retried, and only the bad line is reported', async () => {
    const t = Date.now();
    let writes = 0;
    proxy.fail = (r) => (isWrite(r.path) && ++writes === 3 ? 503 : undefined);
    const writer = new Writer(viaProxy, { batchSize: 100, maxInFlight: 1, deadlineMs: Date.now() + 20_000 });
    await writer.write(body('blip', 100, (i) => i === 7, t));
    const stats = await writer.close();
    expect(proxy.log.some((r) => r.status === 503)).toBe(true);
    expect(stats).toMatchObject({ points: 99, badPoints: 1, failedPoints: 0, spooledPoints: 0 });
    expect(await count('blip')).toBe(99);
  });

  it('an exhausted request budget spools the unsent lines: 313 bad lines in 5,000 cost only themselves', async () => {
    proxy.fail = () => undefined;
    const spool = new Spool(join(dir, 'budget'), 50_000_000);
    const t = Date.now();
    const bad = (i: number): boolean => i % 16 === 0;
    const writer = new Writer(direct, { batchSize: 5_000, maxInFlight: 1, deadlineMs: Date.now() + 30_000, spool });
    await writer.write(body('budget', 5_000, bad, t));
    const stats = await writer.close();
    // Before the fix: badPoints 4634, points 366, while InfluxDB held 4687.
    expect(stats.badPoints).toBeLessThanOrEqual(313);
    expect(stats.points + stats.badPoints + stats.spooledPoints).toBe(5_000);
    expect(stats.failedPoints).toBe(0);
    let badPoints = stats.badPoints;
    let points = stats.points;
    // Later runs' replays pick up where the budget stopped, until every line is settled.
    for (let run = 0; run < 40 && spool.entries().length > 0; run++) {
      const r = await replaySpool(direct, spool, Date.now() + 30_000);
      badPoints += r.badPoints;
      points += r.replayedPoints;
    }
    expect(spool.entries()).toEqual([]);
    expect({ badPoints, points }).toEqual({ badPoints: 313, points: 4_687 });
    expect(await count('budget')).toBe(4_687);
  });
});
