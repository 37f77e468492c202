/**
 * @module encode/line-buffer
 * Line protocol written as UTF-8 straight into one growing buffer: the body of a `/write`.
 * A run writes millions of lines; building each as a string, keeping it until its body was full
 * and then joining, measuring and re-encoding the body cost more CPU than deriving the values
 * (heap churn, and strings flattened piece by piece). Here the pieces a line repeats (the
 * measurement, an object's tag set, the timestamp) are bytes encoded once and copied, and
 * numbers are written as ASCII without a UTF-8 pass.
 */
const NEWLINE = 10;
/** Buffers kept for reuse: enough for the bodies a writer has queued or in flight at once. */
const MAX_SPARE = 4;
const ZERO = 0x30;
const LOWER_I = 0x69;

export class LineBuffer {
  private buf: Buffer;
  private used = 0;
  /** Complete lines in the buffer. */
  lines = 0;
  /** Buffers of bodies given back (recycle), reused before allocating. */
  private readonly spare: Buffer[] = [];

  constructor(private readonly startBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(startBytes);
  }

  get byteLength(): number {
    return this.used;
  }

  /** Copies bytes encoded earlier (a measurement, a tag set, a timestamp). */
  bytes(b: Buffer): void {
    const n = b.length;
    if (this.used + n > this.buf.length) this.grow(n);
    // TypedArray#set even for a few bytes: a copy loop measured 15% slower over a run's lines.
    this.buf.set(b, this.used);
    this.used += n;
  }

  /** Copies the end of a line (bytes ending in a newline, e.g. ` <timestamp>\n`) and counts the line. */
  endWith(b: Buffer): void {
    this.bytes(b);
    this.lines++;
  }

  /** Any text, as UTF-8. */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.used + s.length * 3 > this.buf.length) this.grow(s.length * 3);
    this.used += this.buf.write(s, this.used);
  }

  /** A field value: a float as JavaScript prints it, an integer with InfluxDB's `i` suffix. */
  number(value: number, int: boolean): void {
    if (!int) return this.ascii(String(value));
    const rounded = Math.round(value);
    if (rounded >= 0 && rounded <= 0xffffffff) this.digits(rounded);
    // Above 2^53 the double is printed exactly as it holds the integer.
    else this.ascii(Number.isSafeInteger(rounded) ? String(rounded) : BigInt(rounded).toString());
    if (this.used + 1 > this.buf.length) this.grow(1);
    this.buf[this.used++] = LOWER_I;
  }

  /**
   * A non-negative integer below 2^32 as decimal digits, written in place: most integer fields
   * (bytes, counts) are, and no string is made for them.
   */
  private digits(n: number): void {
    let width = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) width++;
    if (this.used + width > this.buf.length) this.grow(width);
    let at = this.used + width;
    let rest = n;
    do {
      const next = Math.floor(rest / 10);
      this.buf[--at] = ZERO + (rest - next * 10);
      rest = next;
    } while (rest > 0);
    this.used += width;
  }

  /** Ends the current line. */
  end(): void {
    if (this.used + 1 > this.buf.length) this.grow(1);
    this.buf[this.used++] = NEWLINE;
    this.lines++;
  }

  /** The complete lines as one body (no trailing newline), and a fresh buffer for the next. */
  take(): { data: Buffer; lines: number } {
    const out = { data: this.buf.subarray(0, Math.max(0, this.used - 1)), lines: this.lines };
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(Math.max(this.startBytes, this.buf.length));
    this.used = 0;
    this.lines = 0;
    return out;
  }

  /**
   * Gives back the memory of a body taken earlier, once nothing reads it any more (InfluxDB
   * stored it, or the spool copied it): the next body is written into it. A run seals hundreds
   * of 1 MB bodies; allocated afresh, each counted as external memory against V8's old-generation
   * limit, and that churn alone started a mark-compact every few nodes.
   */
  recycle(data: Buffer): void {
    if (this.spare.length >= MAX_SPARE || data.byteOffset !== 0 || data.buffer.byteLength < this.startBytes) return;
    this.spare.push(Buffer.from(data.buffer, 0, data.buffer.byteLength));
  }

  /** Text known to be ASCII (numbers). */
  private ascii(s: string): void {
    const n = s.length;
    if (this.used + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let at = this.used;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.used = at;
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + atLeast));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
