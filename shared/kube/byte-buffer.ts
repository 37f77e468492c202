/**
 * @module kube/byte-buffer
 * The unfinished item of a list split in chunks: bytes appended into one growing Buffer, so a
 * chunk costs one copy, not a Buffer object (an API server or a proxy may send 1-byte pieces).
 */

/** A buffer grown past this is dropped once emptied: one huge item does not pin its memory. */
const KEEP_BYTES = 1024 * 1024;

export class ByteBuffer {
  private buf: Buffer = Buffer.alloc(0);
  length = 0;

  /** @param limit growth by doubling stops here (more is allocated only when needed). */
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  append(chunk: Buffer, start = 0, end = chunk.length): void {
    const n = end - start;
    if (n <= 0) return;
    if (this.length + n > this.buf.length) this.grow(this.length + n);
    chunk.copy(this.buf, this.length, start, end);
    this.length += n;
  }

  /** The bytes held, as a view: valid until the next append, consume or clear. */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** Drops the first `n` bytes. */
  consume(n: number): void {
    if (n >= this.length) return this.clear();
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }

  clear(): void {
    this.length = 0;
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.alloc(0);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, Math.min(this.buf.length * 2, this.limit), 4096));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}
