/**
 * @module decode/protobuf
 * The protobuf wire format, read in place: a cursor over a message's bytes that yields each
 * field's number and wire type, reads the scalars heapless needs and skips the rest by length.
 * Skipping is why a Pod read as protobuf costs a few microseconds: its managed fields, volumes,
 * probes and conditions (most of its bytes) are jumped over, never scanned. Pure; throws
 * ProtobufError on bytes that are not a well-formed message.
 */
export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

/** Wire types (protobuf encoding spec). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

interface Utf8Sliceable {
  utf8Slice(start: number, end: number): string;
}

export class ProtoCursor {
  /** The current field's number and wire type, set by next(). */
  field = 0;
  wire = 0;

  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  /** Moves to the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.end) return false;
    const tag = this.uint();
    this.field = Math.floor(tag / 8);
    this.wire = tag & 7;
    if (this.field === 0) throw new ProtobufError(`field number 0 at byte ${this.pos}`);
    return true;
  }

  /** A non-negative varint (up to 2^53: lengths, counts, int64 seconds). */
  uint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('a varint runs past the end of its message');
      const b = this.buf[this.pos++] as number;
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new ProtobufError('a varint longer than 10 bytes');
  }

  /**
   * An int64 varint: a negative value (a time before 1970) arrives as 10 bytes of two's
   * complement, which uint() would read as about 1.8e19.
   */
  int64(): number {
    this.expectVarint();
    const start = this.pos;
    const value = this.uint();
    if (this.pos - start < 10) return value;
    let v = 0n;
    for (let i = this.pos - 1; i >= start; i--) v = (v << 7n) | BigInt((this.buf[i] as number) & 0x7f);
    return Number(BigInt.asIntN(64, v));
  }

  /** An int32 varint: negative values arrive sign-extended to 10 bytes; the low 32 bits hold it. */
  int32(): number {
    this.expectVarint();
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('a varint runs past the end of its message');
      const b = this.buf[this.pos++] as number;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return low | 0;
    }
    throw new ProtobufError('a varint longer than 10 bytes');
  }

  bool(): boolean {
    this.expectVarint();
    return this.uint() !== 0;
  }

  /** A scalar read from a field of another wire type would read its length as the value. */
  private expectVarint(): void {
    if (this.wire !== VARINT) throw new ProtobufError(`field ${this.field} is not a varint (wire type ${this.wire})`);
  }

  /**
   * Moves past a length-delimited field and returns where its body starts; it ends at `pos`.
   * (No [start, end] pair: this runs for every string and message of every pod.)
   */
  private body(): number {
    if (this.wire !== LEN) throw new ProtobufError(`field ${this.field} is not length-delimited`);
    const length = this.uint();
    const start = this.pos;
    if (start + length > this.end) throw new ProtobufError(`field ${this.field} runs past the end of its message`);
    this.pos = start + length;
    return start;
  }

  string(): string {
    const start = this.body();
    // Buffer's own utf8Slice: toString('utf8', …) checks its arguments and dispatches on the
    // encoding first, about a tenth of a pod's decoding when a pod holds ~40 short strings.
    return (this.buf as unknown as Utf8Sliceable).utf8Slice(start, this.pos);
  }

  /**
   * Steps into the current field's embedded message, without a new cursor (a pod holds dozens):
   * next() then reads its fields; `leave(enter())` returns to the enclosing message after it.
   */
  enter(): number {
    const start = this.body();
    const outer = this.end;
    this.end = this.pos;
    this.pos = start;
    return outer;
  }

  /** Back to the enclosing message, just past the embedded one. */
  leave(outerEnd: number): void {
    this.pos = this.end;
    this.end = outerEnd;
  }

  /** Passes over the current field, whatever it holds. */
  skip(): void {
    switch (this.wire) {
      case VARINT:
        this.uint();
        return;
      case LEN:
        this.body();
        return;
      case FIXED64:
        this.advance(8);
        return;
      case FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtobufError(
          `field ${this.field} has wire type ${this.wire}, which proto3/proto2 messages never use`,
        );
    }
  }

  private advance(bytes: number): void {
    if (this.pos + bytes > this.end) throw new ProtobufError(`field ${this.field} runs past the end of its message`);
    this.pos += bytes;
  }
}
