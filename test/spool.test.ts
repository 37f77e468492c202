/**
 * The spool survives a full disk, runs killed while writing, and a second run sharing it.
 *
 * A full disk is simulated through the spool's one write seam (`SpoolIo.writeFile`): the real
 * writeFileSync on a real temp folder, refused with ENOSPC (after writing what fits, as a real
 * disk does) once the folder would exceed a small capacity. A size-limited tmpfs or loopback
 * file system would need root and mount(8) on every machine running the suite; the seam keeps
 * the test portable and exercises the same code path (the error is the one Node raises).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxClient } from '#shared/influx/client';
import { replaySpool } from '#shared/influx/replay';
import { Spool, STALE_TEMP_MS } from '#shared/influx/spool';
import { freshDatabase, rows } from '#test/helpers/influx';
import { anyDayStartMs } from '#test/helpers/any-day';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'heapless-spool-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const folder = (): string => join(root, `s${n++}`);
const bytesIn = (dir: string): number => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);

/** A disk of `capacity` bytes holding only this folder. */
function smallDisk(dir: string, capacity: number): { writeFile(path: string, data: string): void } {
  return {
    writeFile(path, data) {
      const free = capacity - bytesIn(dir);
      const bytes = Buffer.from(data);
      if (bytes.length <= free) return writeFileSync(path, data);
      writeFileSync(path, bytes.subarray(0, Math.max(0, free)));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    },
  };
}

/** A body of `lines` lines, `bytes` long. */
const bodyOf = (tag: string, lines: number, bytes: number): string => {
  const line = (i: number): string => `m,b=${tag} v=${i} ${i}`;
  const text = Array.from({ length: lines }, (_, i) => line(i)).join('\n');
  return text + ' '.repeat(Math.max(0, bytes - Buffer.byteLength(text)));
};

describe('spool on a full disk', () => {
  it('drops the oldest bodies to make room, counts the points that cost, and leaves no temp file', () => {
    const dir = folder();
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, 3_000));
    for (let i = 1; i <= 5; i++) spool.add(bodyOf(`r${i}`, 10, 800), 10);
    // Before the fix: the 4th body threw ENOSPC, left a .tmp, and every later run lost its points.
    expect(spool.entries().map((e) => spool.read(e)?.slice(0, 8))).toEqual(['m,b=r3 v', 'm,b=r4 v', 'm,b=r5 v']);
    expect(spool.figures).toMatchObject({ spooledPoints: 50, droppedPoints: 20, diskFullDrops: 2 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never loses a whole run while older, smaller bodies could go', () => {
    const dir = folder();
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, 3_000));
    for (let i = 1; i <= 3; i++) spool.add(bodyOf(`old${i}`, 5, 800), 5);
    spool.add(bodyOf('run', 100, 2_000), 100);
    expect(spool.entries().map((e) => e.lines)).toEqual([5, 100]);
    expect(spool.figures.droppedPoints).toBe(10);
  });

  it('throws, leaving nothing behind, only when the body cannot fit even alone', () => {
    const dir = folder();
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, 500));
    spool.add(bodyOf('a', 5, 300), 5);
    expect(() => spool.add(bodyOf('huge', 50, 900), 50)).toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.figures.droppedPoints).toBe(5);
  });
});

describe('spool bytes and temp files', () => {
  it('removes temp files left by a killed run, and counts a fresh one against SPOOL_MAX_BYTES', () => {
    const dir = folder();
    new Spool(dir, 10_000).add(bodyOf('old', 3, 300), 3);
    const stale = join(dir, '.0000000000001-000000-3.lp.99.tmp');
    const fresh = join(dir, '.0000000000002-000000-3.lp.98.tmp');
    writeFileSync(stale, 'x'.repeat(400));
    writeFileSync(fresh, 'y'.repeat(600));
    const old = (Date.now() - STALE_TEMP_MS - 1_000) / 1000;
    utimesSync(stale, old, old);

    const spool = new Spool(dir, 1_000);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(spool.figures.staleTempFiles).toBe(1);
    expect(spool.usedBytes()).toBe(900);
    // 600 (another run's write in progress) + 300 + 300 > 1,000: the oldest body goes.
    spool.add(bodyOf('new', 3, 300), 3);
    expect(spool.figures.droppedPoints).toBe(3);
    expect(spool.usedBytes()).toBeLessThanOrEqual(1_000);
  });
});

describe('a spool shared while it is being filled', () => {
  it("stays within SPOOL_MAX_BYTES counting the other run's bodies added since it last looked", () => {
    const dir = folder();
    const a = new Spool(dir, 3_000);
    const b = new Spool(dir, 3_000);
    // Bodies sort by the millisecond, then by each spool's own sequence: distinct milliseconds
    // make the expected order certain.
    const nextMs = (): void => {
      const t = Date.now();
      while (Date.now() === t);
    };
    a.add(bodyOf('a1', 10, 800), 10);
    nextMs();
    b.add(bodyOf('b1', 10, 800), 10);
    b.add(bodyOf('b2', 10, 800), 10);
    nextMs();
    a.add(bodyOf('a2', 10, 800), 10);
    expect(bytesIn(dir)).toBeLessThanOrEqual(3_000);
    expect(a.figures.droppedPoints).toBe(10);
    expect(a.entries().map((e) => a.read(e)?.slice(0, 7))).toEqual(['m,b=b1 ', 'm,b=b2 ', 'm,b=a2 ']);
  });
});

describe('two runs sharing a spool', () => {
  let client: InfluxClient;
  beforeAll(async () => {
    client = await freshDatabase('spool_shared');
    await client.ensureDatabase('INF');
  });

  it('a body the other run replayed and removed is skipped, not reported as InfluxDB unavailable', async () => {
    const dir = folder();
    const writer = new Spool(dir, 10_000_000);
    for (let i = 0; i < 20; i++)
      writer.add(
        Array.from({ length: 10 }, (_, j) => `shared,b=b${i},l=l${j} v=${i} ${anyDayStartMs() + i}`).join('\n'),
        10,
      );
    let firstDone: () => void = () => undefined;
    const first = new Promise<void>((resolve) => {
      firstDone = resolve;
    });
    // The second run's InfluxDB answers only once the first run has replayed (and deleted) everything.
    class Slow extends InfluxClient {
      override async write(...args: Parameters<InfluxClient['write']>): ReturnType<InfluxClient['write']> {
        await first;
        return super.write(...args);
      }
    }
    const slow = new Slow(client.options);
    const second = replaySpool(slow, new Spool(dir, 10_000_000), Date.now() + 20_000);
    const one = await replaySpool(client, new Spool(dir, 10_000_000), Date.now() + 20_000);
    firstDone();
    // Before the fix: the second replay rejected with ENOENT (logged as influx_unavailable).
    const two = await second;
    expect(one).toMatchObject({ replayedPoints: 200, remaining: 0 });
    expect(two).toMatchObject({ vanished: 19, remaining: 0 });
    expect(two.error).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    expect(await rows(client, 'SELECT count("v") FROM "shared"')).toEqual([{ time: 0, count: 200 }]);
  });
});
