/**
 * @module influx/spool
 * Bodies InfluxDB did not take before the run's deadline wait in SPOOL_DIR (a PersistentVolume in
 * the manifests) and are replayed, oldest first, by the next run that reaches InfluxDB. Points
 * keep their timestamps, so a replay that repeats (a crash between write and delete) overwrites
 * instead of double counting. The spool is bounded in bytes: when full, the oldest bodies are
 * dropped, and every dropped point is counted and reported.
 *
 * The spool never fails for good:
 * - every byte in the folder counts against the bound, temp files of a write in progress too;
 * - a temp file left by a run killed while writing is removed once it is older than any write
 *   takes (STALE_TEMP_MS);
 * - when the disk is full (ENOSPC) before the bound is reached, the oldest bodies are dropped one
 *   by one until the new one fits, so a run never loses all its points while older ones could go;
 * - two runs may share the folder (a manual Job next to the scheduled one): a body the other run
 *   replayed and deleted meanwhile is simply gone (`read` answers undefined), never an error.
 *
 * Bodies are kept gzipped (zlib level 1: line protocol repeats its tags, so a body shrinks 10–16×
 * for ~2 ms of CPU per 1.6 MB body), so the bound holds 10–16× more points, and a replay sends
 * the file as it is (`Content-Encoding: gzip`, which influxd's /write takes). Bodies kept
 * uncompressed (`.lp`, by an older version) are read and replayed as they are.
 *
 * A run that overflows to the spool adds hundreds of bodies; sizing every file of the folder for
 * each was quadratic. The folder is sized once, then tallied by this process's own adds and
 * removes. It is sized again when its listing no longer matches the tally (another run added or
 * removed a file, a temp file appeared) or when the tally says a body would not fit, so the bound
 * holds on what the folder really holds.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface SpoolFigures {
  spooledPoints: number;
  /** Points dropped to stay within SPOOL_MAX_BYTES or to make room on a full disk. */
  droppedPoints: number;
  /** Bodies dropped because the disk was full (ENOSPC) before SPOOL_MAX_BYTES was reached. */
  diskFullDrops: number;
  /** Temp files of killed runs removed. */
  staleTempFiles: number;
}

export interface SpoolEntry {
  name: string;
  /** Bytes on disk (gzipped when `gzip`): what counts against SPOOL_MAX_BYTES. */
  bytes: number;
  lines: number;
  /** The file is gzipped: replay it with `Content-Encoding: gzip`. */
  gzip: boolean;
  /** The line protocol's own bytes, known for the bodies this process kept (a run's `bytes` figure). */
  rawBytes?: number;
}

/** The file system calls that can fail on a full disk; a seam so tests can give the spool a small disk. */
export interface SpoolIo {
  writeFile(path: string, data: string | Uint8Array): void;
}

/** `<epoch ms>-<sequence>-<lines>.lp.gz` (`.lp`: uncompressed): sorts oldest first and carries its line count. */
const NAME = /^(\d{13})-(\d{6})-(\d+)\.lp(\.gz)?$/;
/** zlib's fastest level: ~700 MB/s of line protocol here, 16× smaller; level 6 is 2× slower for 1.8× smaller. */
const GZIP = { level: 1 };
/** `.<name>.<pid>.tmp` while being written. */
const TEMP = /^\..*\.tmp$/;
/** A body is written in milliseconds; a temp file this old (ms) belongs to a run that was killed. */
export const STALE_TEMP_MS = 60_000;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

export class Spool {
  /**
   * Starts at random: two runs sharing the folder and overflowing hundreds of bodies a second
   * would otherwise both name a body `<same ms>-000037-5000.lp.gz`, and one would replace the other.
   */
  private seq = Math.floor(Math.random() * 1e6);
  private readonly io: SpoolIo;
  /** The folder's bodies (oldest first) and bytes as last scanned, kept up to date by this process. */
  private known: { entries: SpoolEntry[]; bytes: number } | undefined;
  readonly figures: SpoolFigures = { spooledPoints: 0, droppedPoints: 0, diskFullDrops: 0, staleTempFiles: 0 };

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    io: Partial<SpoolIo> = {},
  ) {
    this.io = { writeFile: io.writeFile ?? ((path, data) => writeFileSync(path, data)) };
    mkdirSync(dir, { recursive: true });
    this.removeStaleTemps(Date.now());
  }

  /** Bodies, oldest first (a file removed meanwhile by another run is left out). */
  entries(): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const name of readdirSync(this.dir)
      .filter((f) => NAME.test(f))
      .sort()) {
      const bytes = this.size(name);
      const m = NAME.exec(name);
      if (bytes !== undefined) out.push({ name, bytes, lines: Number(m?.[3] ?? 0), gzip: m?.[4] !== undefined });
    }
    return out;
  }

  /** Every byte the folder holds: bodies, temp files and anything else put there. */
  usedBytes(): number {
    return readdirSync(this.dir).reduce((sum, name) => sum + (this.size(name) ?? 0), 0);
  }

  /**
   * Keeps a body, dropping the oldest ones if the spool would exceed its size or the disk is
   * full. Throws only when the body cannot be kept even with every older body gone. Returns the
   * body's entry, or undefined when the body alone exceeds the cap (it is dropped, and counted).
   */
  add(body: string | Uint8Array, lines: number): SpoolEntry | undefined {
    const data = gzipSync(body, GZIP);
    const bytes = data.length;
    if (bytes > this.maxBytes) {
      this.figures.droppedPoints += lines;
      return undefined;
    }
    let known = this.known;
    if (!known || readdirSync(this.dir).length !== known.entries.length || known.bytes + bytes > this.maxBytes)
      known = this.scan();
    while (known.bytes + bytes > this.maxBytes) {
      const oldest = known.entries[0];
      if (!oldest) break;
      this.drop(oldest);
    }
    const stamp = String(Date.now()).padStart(13, '0');
    const name = `${stamp}-${this.nextSeq()}-${lines}.lp.gz`;
    const entry: SpoolEntry = { name, bytes, lines, gzip: true, rawBytes: Buffer.byteLength(body) };
    this.writeMakingRoom(entry.name, data, [...known.entries]);
    known.entries.push(entry);
    known.bytes += bytes;
    this.figures.spooledPoints += lines;
    return entry;
  }

  private scan(): { entries: SpoolEntry[]; bytes: number } {
    this.known = { entries: this.entries(), bytes: this.usedBytes() };
    return this.known;
  }

  /** Replaces a body by the part of it still to be written, keeping its place in the order. */
  replace(e: SpoolEntry, body: string, lines: number): SpoolEntry {
    const stamp = NAME.exec(e.name)?.[1] ?? String(Date.now()).padStart(13, '0');
    const name = `${stamp}-${this.nextSeq()}-${lines}.lp.gz`;
    const data = gzipSync(body, GZIP);
    this.writeMakingRoom(name, data, []);
    // A new name (the sequence moved on) keeps the body's place in the order; the old file goes.
    if (name !== e.name) this.remove(e);
    // The folder changed behind the tally: the next add scans again.
    this.known = undefined;
    return { name, bytes: data.length, lines, gzip: true, rawBytes: Buffer.byteLength(body) };
  }

  /** The body's line protocol, or undefined when another run replayed and removed it meanwhile. */
  read(e: SpoolEntry): string | undefined {
    const data = this.readBytes(e);
    if (data === undefined) return undefined;
    return (e.gzip ? gunzipSync(data) : data).toString('utf8');
  }

  /** The file as it is (gzipped when `e.gzip`), ready to send; undefined when another run replayed and removed it meanwhile. */
  readBytes(e: SpoolEntry): Buffer | undefined {
    try {
      return readFileSync(join(this.dir, e.name));
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  remove(e: SpoolEntry): void {
    rmSync(join(this.dir, e.name), { force: true });
    const known = this.known;
    const at = known?.entries.findIndex((k) => k.name === e.name) ?? -1;
    if (!known || at < 0) return;
    known.bytes -= known.entries[at]?.bytes ?? 0;
    known.entries.splice(at, 1);
  }

  private nextSeq(): string {
    return String(this.seq++ % 1e6).padStart(6, '0');
  }

  private size(name: string): number | undefined {
    try {
      return statSync(join(this.dir, name)).size;
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  private drop(e: SpoolEntry): void {
    this.remove(e);
    this.figures.droppedPoints += e.lines;
  }

  /**
   * Write then rename, so a crash never leaves half a body to replay. On ENOSPC the partial temp
   * file goes and the oldest of `older` is dropped, until the body fits or nothing older is left.
   */
  private writeMakingRoom(name: string, body: string | Uint8Array, older: SpoolEntry[]): void {
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    for (;;) {
      try {
        this.io.writeFile(temp, body);
        renameSync(temp, join(this.dir, name));
        return;
      } catch (err) {
        rmSync(temp, { force: true });
        const oldest = errno(err) === 'ENOSPC' ? older.shift() : undefined;
        if (!oldest) throw err;
        this.drop(oldest);
        this.figures.diskFullDrops++;
      }
    }
  }

  private removeStaleTemps(now: number): void {
    for (const name of readdirSync(this.dir).filter((f) => TEMP.test(f))) {
      try {
        if (now - statSync(join(this.dir, name)).mtimeMs < STALE_TEMP_MS) continue;
        rmSync(join(this.dir, name), { force: true });
        this.figures.staleTempFiles++;
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw err;
      }
    }
  }
}
