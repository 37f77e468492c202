/**
 * @module influx/spool
 * Bodies InfluxDB did not take before the run's deadline wait in SPOOL_DIR (a PersistentVolume in
 * the manifests) and are replayed, oldest first, by the next run that reaches InfluxDB. Points
 * keep their timestamps, so a replay that repeats (a crash between write and delete) overwrites
 * instead of double counting. The spool is bounded in bytes: when full, the oldest bodies are
 * dropped, and every dropped point is counted and reported.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolFigures {
  spooledPoints: number;
  droppedPoints: number;
}

interface Entry {
  name: string;
  bytes: number;
  lines: number;
}

/** `<epoch ms>-<sequence>-<lines>.lp`: sorts oldest first and carries its line count. */
const NAME = /^(\d{13})-(\d{6})-(\d+)\.lp$/;

export class Spool {
  private seq = 0;
  readonly figures: SpoolFigures = { spooledPoints: 0, droppedPoints: 0 };

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Oldest first. */
  entries(): Entry[] {
    return readdirSync(this.dir)
      .filter((f) => NAME.test(f))
      .sort()
      .map((name) => ({ name, bytes: statSync(join(this.dir, name)).size, lines: Number(NAME.exec(name)?.[3] ?? 0) }));
  }

  /** Keeps a body, dropping the oldest ones if the spool would exceed its size. */
  add(body: string, lines: number): void {
    const bytes = Buffer.byteLength(body);
    if (bytes > this.maxBytes) {
      this.figures.droppedPoints += lines;
      return;
    }
    const entries = this.entries();
    let total = entries.reduce((a, e) => a + e.bytes, 0);
    for (const e of entries) {
      if (total + bytes <= this.maxBytes) break;
      rmSync(join(this.dir, e.name), { force: true });
      total -= e.bytes;
      this.figures.droppedPoints += e.lines;
    }
    const name = `${String(Date.now()).padStart(13, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}-${lines}.lp`;
    // Write then rename, so a crash never leaves half a body to replay.
    writeFileSync(join(this.dir, `.${name}.tmp`), body);
    renameSync(join(this.dir, `.${name}.tmp`), join(this.dir, name));
    this.figures.spooledPoints += lines;
  }

  read(e: Entry): string {
    return readFileSync(join(this.dir, e.name), 'utf8');
  }

  remove(e: Entry): void {
    rmSync(join(this.dir, e.name), { force: true });
  }
}
