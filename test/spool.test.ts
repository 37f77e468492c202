/**
 * The spool survives a full disk, runs killed while writing, and a second run sharing it.
 *
 * A full disk is simulated through the spool's one write seam (`SpoolIo.writeFile`): the real
 * writeFileSync on a real temp folder, refused with ENOSPC (after writing what fits, as a real
 * disk does) once the folder would exceed a small capacity. A size-limited tmpfs or loopback
 * file system would need root and mount(8) on every machine running the suite; the seam keeps
 * the test portable and exercises the same code path (the error is the one Node raises).
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
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
function smallDisk(dir: string, capacity: number): { writeFile(path: string, data: string | Uint8Array): void } {
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

/**
 * A body of `lines` lines and `noise` random characters (a string field no compression shrinks),
 * so that each body's size on disk, gzipped, is about `noise` × 3/4 and bodies compare by it.
 */
const bodyOf = (tag: string, lines: number, noise: number): string => {
  const line = (i: number): string => `m,b=${tag} v=${i} ${i}`;
  const text = Array.from({ length: lines }, (_, i) => line(i)).join('\n');
  return `${text}\nm,b=${tag} s="${randomBytes(noise).toString('base64').slice(0, noise)}" ${lines}`;
};

/** What a body takes on disk in the spool (gzipped), measured by keeping it in a spool of its own. */
const sizeOf = (body: string): number => {
  const spool = new Spool(folder(), 10_000_000);
  return spool.add(body, 1)?.bytes ?? Number.NaN;
};

describe('spool on a full disk', () => {
  it('drops the oldest bodies to make room, counts the points that cost, and leaves no temp file', () => {
    const dir = folder();
    const bodies = [1, 2, 3, 4, 5].map((i) => bodyOf(`r${i}`, 10, 1_000));
    const largest = Math.max(...bodies.map(sizeOf));
    // Room for three bodies on the disk, not four.
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, 3 * largest + 50));
    for (const b of bodies) spool.add(b, 10);
    // Before the fix: the 4th body threw ENOSPC, left a .tmp, and every later run lost its points.
    expect(spool.entries().map((e) => spool.read(e)?.slice(0, 8))).toEqual(['m,b=r3 v', 'm,b=r4 v', 'm,b=r5 v']);
    expect(spool.figures).toMatchObject({ spooledPoints: 50, droppedPoints: 20, diskFullDrops: 2 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never loses a whole run while older, smaller bodies could go', () => {
    const dir = folder();
    const old = [1, 2, 3].map((i) => bodyOf(`old${i}`, 5, 1_000));
    const largest = Math.max(...old.map(sizeOf));
    // The run's body needs more room than one old body leaves, less than two do.
    const run = bodyOf('run', 100, 1_200);
    expect(sizeOf(run)).toBeGreaterThan(largest + 50);
    expect(sizeOf(run)).toBeLessThan(2 * Math.min(...old.map(sizeOf)));
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, 3 * largest + 50));
    for (const b of old) spool.add(b, 5);
    spool.add(run, 100);
    expect(spool.entries().map((e) => e.lines)).toEqual([5, 100]);
    expect(spool.figures.droppedPoints).toBe(10);
  });

  it('throws, leaving nothing behind, only when the body cannot fit even alone', () => {
    const dir = folder();
    const small = bodyOf('a', 5, 300);
    const spool = new Spool(dir, 1_000_000, smallDisk(dir, sizeOf(small) + 100));
    spool.add(small, 5);
    expect(() => spool.add(bodyOf('huge', 50, 900), 50)).toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual([]);
    expect(spool.figures.droppedPoints).toBe(5);
  });
});

describe('spool bytes and temp files', () => {
  it('removes temp files left by a killed run, and counts a fresh one against SPOOL_MAX_BYTES', () => {
    const dir = folder();
    const oldBytes = new Spool(dir, 10_000).add(bodyOf('old', 3, 400), 3)?.bytes ?? 0;
    const stale = join(dir, '.0000000000001-000000-3.lp.99.tmp');
    const fresh = join(dir, '.0000000000002-000000-3.lp.98.tmp');
    writeFileSync(stale, 'x'.repeat(400));
    writeFileSync(fresh, 'y'.repeat(600));
    const old = (Date.now() - STALE_TEMP_MS - 1_000) / 1000;
    utimesSync(stale, old, old);

    const spool = new Spool(dir, 600 + oldBytes + 100);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(spool.figures.staleTempFiles).toBe(1);
    expect(spool.usedBytes()).toBe(600 + oldBytes);
    // 600 (another run's write in progress) + the old body + the new one > the cap: the oldest body goes.
    spool.add(bodyOf('new', 3, 400), 3);
    expect(spool.figures.droppedPoints).toBe(3);
    expect(spool.usedBytes()).toBeLessThanOrEqual(600 + oldBytes + 100);
  });
});

describe('a spool shared while it is being filled', () => {
  it("stays within SPOOL_MAX_BYTES counting the other run's bodies added since it last looked", () => {
    const dir = folder();
    const largest = Math.max(...[0, 1, 2, 3].map((i) => sizeOf(bodyOf(`x${i}`, 10, 1_000))));
    const cap = 3 * largest + 50;
    const a = new Spool(dir, cap);
    const b = new Spool(dir, cap);
    // Bodies sort by the millisecond, then by each spool's own sequence: distinct milliseconds
    // make the expected order certain.
    const nextMs = (): void => {
      const t = Date.now();
      while (Date.now() === t);
    };
    a.add(bodyOf('a1', 10, 1_000), 10);
    nextMs();
    b.add(bodyOf('b1', 10, 1_000), 10);
    b.add(bodyOf('b2', 10, 1_000), 10);
    nextMs();
    a.add(bodyOf('a2', 10, 1_000), 10);
    expect(bytesIn(dir)).toBeLessThanOrEqual(cap);
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

describe('bodies kept gzipped', () => {
  let client: InfluxClient;
  beforeAll(async () => {
    client = await freshDatabase('spool_gzip');
    await client.ensureDatabase('INF');
  });

  it('keeps line protocol gzipped, replays it as it is kept, and still replays an uncompressed body of an older version', async () => {
    const dir = folder();
    const t0 = anyDayStartMs();
    // Tags repeat from line to line, as a run's do: that is what makes a spooled body small.
    const lines = Array.from(
      { length: 2_000 },
      (_, i) =>
        `memory/working_set,container_name=app,namespace_name=ns-${i % 10},nodename=node-${i % 7},pod_name=web-${i % 60},type=pod_container value=${1e8 + i}i ${t0 + i}`,
    );
    const body = lines.join('\n');
    const spool = new Spool(dir, 10_000_000);
    const entry = spool.add(body, lines.length);
    expect(entry).toMatchObject({ gzip: true, lines: 2_000, rawBytes: Buffer.byteLength(body) });
    const [file] = readdirSync(dir);
    expect(file).toMatch(/\.lp\.gz$/);
    const kept = readFileSync(join(dir, file!));
    expect(gunzipSync(kept).toString('utf8')).toBe(body);
    expect(kept.length * 5).toBeLessThan(Buffer.byteLength(body));
    // A body spooled by a version that kept line protocol as it is.
    writeFileSync(
      join(dir, `${String(t0).padStart(13, '0')}-000000-3.lp`),
      ['a', 'b', 'c'].map((b, i) => `plain,b=${b} v=${i} ${t0}`).join('\n'),
    );

    const r = await replaySpool(client, new Spool(dir, 10_000_000), Date.now() + 20_000);
    expect(r).toMatchObject({ replayedPoints: 2_003, badPoints: 0, remaining: 0 });
    expect(readdirSync(dir)).toEqual([]);
    expect(await rows(client, 'SELECT count("value") FROM "memory/working_set"')).toEqual([{ time: 0, count: 2_000 }]);
    expect(await rows(client, 'SELECT count("v") FROM "plain"')).toEqual([{ time: 0, count: 3 }]);
  });

  it('stores the good lines of a gzipped body InfluxDB rejects, and reports the bad one', async () => {
    const dir = folder();
    const t0 = anyDayStartMs();
    const spool = new Spool(dir, 10_000_000);
    spool.add([`good,b=1 v=1 ${t0}`, 'bad line without a field', `good,b=2 v=2 ${t0}`].join('\n'), 3);
    const r = await replaySpool(client, new Spool(dir, 10_000_000), Date.now() + 20_000);
    expect(r).toMatchObject({ replayedPoints: 2, badPoints: 1, remaining: 0 });
    expect(await rows(client, 'SELECT count("v") FROM "good"')).toEqual([{ time: 0, count: 2 }]);
  });
});
