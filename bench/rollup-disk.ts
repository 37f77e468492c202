/**
 * @module bench/rollup-disk
 * What a retention policy holds on disk, for `bench/rollup.ts`: bytes per policy, the TSM files
 * split into index (per series key) and blocks (per point), a full compaction on demand, and the
 * collected data saved and restored so rollups can be re-measured without collecting again.
 *
 * TSM layout (InfluxDB 1.x): 5-byte header, blocks (CRC32 + data), index, 8-byte footer holding
 * the index offset. Each index entry: u16 key length, key (`series#!~#field`), u8 type, u16 block
 * count, then 28 bytes per block.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { InfluxdServer } from '#test/influxd/server';

const INDEX_BLOCK_BYTES = 28;
const HEADER_BYTES = 5;
const FOOTER_BYTES = 8;

export function dirBytes(path: string): number {
  if (!existsSync(path)) return 0;
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    const p = join(path, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

function filesUnder(path: string, suffix: string): string[] {
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) => {
    const p = join(path, e.name);
    if (e.isDirectory()) return filesUnder(p, suffix);
    return e.name.endsWith(suffix) ? [p] : [];
  });
}

export interface PolicyDisk {
  /** Everything under the policy's folder: TSM files, tsi1 index, field sets. */
  bytes: number;
  tsmFiles: number;
  /** Series keys × fields in the TSM indexes (a key counted once per file holding it). */
  keys: number;
  indexBytes: number;
  blockBytes: number;
  /** Index entries' block references (a key has one per block of up to 1,000 points). */
  blocks: number;
}

/** Reads only the TSM indexes (sequentially, 8 MiB at a time), never the blocks. */
function tsmSplit(file: string): Omit<PolicyDisk, 'bytes' | 'tsmFiles'> {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const footer = Buffer.alloc(FOOTER_BYTES);
    readSync(fd, footer, 0, FOOTER_BYTES, size - FOOTER_BYTES);
    const indexStart = Number(footer.readBigUInt64BE(0));
    const indexEnd = size - FOOTER_BYTES;
    let keys = 0;
    let blocks = 0;
    let buf = Buffer.alloc(0);
    let pos = indexStart;
    let at = 0;
    const need = (n: number): boolean => {
      if (buf.length - at >= n) return true;
      const chunk = Buffer.alloc(Math.min(8 << 20, indexEnd - pos));
      const read = readSync(fd, chunk, 0, chunk.length, pos);
      pos += read;
      buf = Buffer.concat([buf.subarray(at), chunk.subarray(0, read)]);
      at = 0;
      return buf.length >= n;
    };
    while (pos < indexEnd || at < buf.length) {
      if (!need(2)) break;
      const keyLen = buf.readUInt16BE(at);
      if (!need(2 + keyLen + 3)) break;
      const count = buf.readUInt16BE(at + 2 + keyLen + 1);
      const entry = 2 + keyLen + 3 + count * INDEX_BLOCK_BYTES;
      if (!need(entry)) break;
      at += entry;
      keys++;
      blocks += count;
    }
    return { keys, blocks, indexBytes: indexEnd - indexStart, blockBytes: indexStart - HEADER_BYTES };
  } finally {
    closeSync(fd);
  }
}

export function policyDisk(influx: InfluxdServer, db: string, rp: string): PolicyDisk {
  const dir = join(influx.dir, 'data', db, rp);
  const out: PolicyDisk = { bytes: dirBytes(dir), tsmFiles: 0, keys: 0, indexBytes: 0, blockBytes: 0, blocks: 0 };
  for (const file of filesUnder(dir, '.tsm')) {
    const s = tsmSplit(file);
    out.tsmFiles++;
    out.keys += s.keys;
    out.blocks += s.blocks;
    out.indexBytes += s.indexBytes;
    out.blockBytes += s.blockBytes;
  }
  return out;
}

/** Shards (folders) of a policy that hold data, and whether each is down to one TSM file. */
function compacted(influx: InfluxdServer, db: string, rp: string): boolean {
  const dir = join(influx.dir, 'data', db, rp);
  if (!existsSync(dir)) return true;
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .every((e) => {
      const shard = join(dir, e.name);
      return filesUnder(shard, '.tsm').length <= 1 && filesUnder(shard, '.tmp').length === 0;
    });
}

/**
 * Restarts influxd with a short full-compaction cold time (default 4 h) and waits until every
 * shard of `rps` is one TSM file, as a day's shard is hours after the day ends. Returns whether
 * that happened within `timeoutMs` (the sizes are measured either way).
 */
export async function compactFully(
  influx: InfluxdServer,
  db: string,
  rps: readonly string[],
  timeoutMs: number,
): Promise<boolean> {
  await influx.pause();
  const conf = join(influx.dir, 'influxdb.conf');
  const text = readFileSync(conf, 'utf8');
  if (!text.includes('compact-full-write-cold-duration'))
    writeFileSync(conf, text.replace('[data]\n', '[data]\n  compact-full-write-cold-duration = "5s"\n'));
  await startSlow(influx);
  const deadline = Date.now() + timeoutMs;
  // The cold time must pass and the planner (every second) start before "one file" means done.
  await new Promise((r) => setTimeout(r, 20_000));
  while (Date.now() < deadline) {
    if (rps.every((rp) => compacted(influx, db, rp))) return true;
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return false;
}

const SAVED = ['meta', 'data', 'wal'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `start()` gives influxd 20 s to answer; reopening millions of series' index and WAL can take
 * longer, so a timed-out start is waited for here (up to 10 min) while the process still runs.
 */
async function startSlow(influx: InfluxdServer): Promise<void> {
  try {
    await influx.start();
    return;
  } catch (err) {
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline && alive(influx.pid)) {
      const up = await fetch(`${influx.url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    throw err;
  }
}

/** Copies influxd's folders (stopped meanwhile, so the copy is consistent) and `meta` as JSON. */
export async function saveData(influx: InfluxdServer, to: string, meta: object): Promise<void> {
  await influx.pause();
  for (const d of SAVED) cpSync(join(influx.dir, d), join(to, d), { recursive: true });
  writeFileSync(join(to, 'bench.json'), JSON.stringify(meta));
  await startSlow(influx);
}

/** Puts saved folders under a fresh influxd and returns the saved JSON. */
export async function restoreData<T>(influx: InfluxdServer, from: string): Promise<T> {
  await influx.pause();
  for (const d of SAVED) {
    rmSync(join(influx.dir, d), { recursive: true, force: true });
    cpSync(join(from, d), join(influx.dir, d), { recursive: true });
  }
  await startSlow(influx);
  return JSON.parse(readFileSync(join(from, 'bench.json'), 'utf8')) as T;
}
