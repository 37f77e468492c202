/**
 * @module kube/protobuf-list-splitter
 * Splits a List in the API server's protobuf encoding, arriving in chunks of any size, into its
 * items: the counterpart of kube/list-splitter for `application/vnd.kubernetes.protobuf`. The
 * body is the 4-byte magic `k8s\0`, then a `runtime.Unknown` (typeMeta = 1, raw = 2,
 * contentEncoding = 3, contentType = 4; Go writes 3 and 4 even empty) whose `raw` holds the
 * `<Kind>List` (metadata = 1 as `ListMeta` with continue = 3, items = 2). Each item's bytes go
 * to `onItem` as soon as they are complete (a view, valid during the call), so memory is one
 * item, whether the API server pages or answers a LIST whole. An item longer than `maxItemBytes`
 * is an error, as is a body that is not a List (a `Status`, the magic alone, a cut body).
 */
import { FIXED32, FIXED64, LEN, ProtoCursor, ProtobufError, VARINT } from '#shared/decode/protobuf';
import { ByteBuffer } from '#shared/kube/byte-buffer';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
/** The envelope's own fields (typeMeta, contentType…: short strings); longer is a broken body. */
const MAX_ENVELOPE_FIELD_BYTES = 4096;

/** A socket read's usual size (Node reads 64 KiB at most). */
const CHUNK_BYTES = 64 * 1024;

type Where = 'magic' | 'envelope' | 'list';

export class ProtobufListSplitter {
  private where: Where = 'magic';
  /** Bytes received and not yet consumed: the unfinished field. */
  private held: ByteBuffer;
  /** Bytes (from the start of `held`) the current field needs before it can be read. */
  private need = 0;
  /** Bytes of the List (`raw`) not yet consumed. */
  private listLeft = 0;
  /** The envelope's `raw` was seen: the answer holds a List. */
  private sawList = false;
  /** The envelope's typeMeta kind, e.g. `PodList` or `Status`. */
  kind = '';
  metadata: { continue?: string; resourceVersion?: string } = {};
  items = 0;

  constructor(
    private readonly onItem: (bytes: Buffer) => void,
    private readonly maxItemBytes = 64 * 1024 * 1024,
  ) {
    // An item, its header and the rest of the chunk that completed it.
    this.held = new ByteBuffer(maxItemBytes + CHUNK_BYTES);
  }

  /** Bytes held between chunks (the unfinished field): at most one item. */
  get heldBytes(): number {
    return this.held.length;
  }

  write(chunk: Buffer): void {
    if (this.held.length === 0) {
      // Nothing pending: read the chunk in place and keep only its unfinished tail.
      const at = this.drain(chunk);
      this.held.append(chunk, at);
      return;
    }
    this.held.append(chunk);
    if (this.held.length < this.need) return;
    this.held.consume(this.drain(this.held.view()));
  }

  /** Throws when the body is not a whole List (cut short, or an answer of another kind). */
  end(): void {
    if (this.where === 'magic' && this.heldBytes === 0) throw new ProtobufError('the answer is empty, not a list');
    if (this.where === 'magic') throw new ProtobufError('the answer ended inside the protobuf magic');
    if (this.where === 'list' || this.heldBytes > 0)
      throw new ProtobufError(`the list ended before its last item (${this.items} items read)`);
    if (this.sawList) return;
    if (this.kind.endsWith('List'))
      throw new ProtobufError(`the answer ended after its type header (${this.kind}), before the list`);
    throw new ProtobufError(`the answer is ${this.kind ? `a ${this.kind}` : 'no object'}, not a list`);
  }

  /** Reads every whole field of `buf`; returns where the unfinished one starts. */
  private drain(buf: Buffer): number {
    let at = 0;
    this.need = 0;
    while (at < buf.length) {
      if (this.where === 'magic') {
        if (buf.length - at < MAGIC.length) break;
        if (!buf.subarray(at, at + MAGIC.length).equals(MAGIC))
          throw new ProtobufError(
            `the answer does not start with the Kubernetes protobuf magic "k8s\\0" (${sniff(buf)})`,
          );
        at += MAGIC.length;
        this.where = 'envelope';
        continue;
      }
      const field = readHeader(buf, at, buf.length);
      if (!field) break;
      const inList = this.where === 'list';
      if (!inList && field.number === 2 && field.wire === LEN) {
        // The envelope's `raw`: the List itself, read field by field rather than held whole.
        // Go writes typeMeta first; a `Status` (or any other kind) in `raw` is not a list.
        if (!this.kind.endsWith('List'))
          throw new ProtobufError(`the answer is ${this.kind ? `a ${this.kind}` : 'an object of no kind'}, not a list`);
        at = field.bodyAt;
        this.listLeft = field.length;
        this.sawList = true;
        if (this.listLeft > 0) this.where = 'list';
        continue;
      }
      this.checkLength(field, inList);
      const size = field.bodyAt - at + field.length;
      if (buf.length - at < size) {
        this.need = size;
        break;
      }
      if (inList) this.listField(field.number, field.wire, buf, field.bodyAt, field.bodyAt + field.length);
      else if (field.number === 1 && field.wire === LEN) this.typeMeta(buf, field.bodyAt, field.bodyAt + field.length);
      at += size;
      if (inList) {
        this.listLeft -= size;
        if (this.listLeft === 0) this.where = 'envelope';
      }
    }
    return at;
  }

  /** Refuses a field before buffering it: one past the List's end or beyond its bound. */
  private checkLength(field: Header, inList: boolean): void {
    if (!inList) {
      if (field.length > MAX_ENVELOPE_FIELD_BYTES)
        throw new ProtobufError(
          `envelope field ${field.number} of ${field.length} bytes, beyond the ${MAX_ENVELOPE_FIELD_BYTES}-byte bound`,
        );
      return;
    }
    if (field.bodyAt - field.at + field.length > this.listLeft)
      throw new ProtobufError(`list field ${field.number} of ${field.length} bytes runs past the end of the list`);
    if (field.length > this.maxItemBytes)
      throw new ProtobufError(`an item of ${field.length} bytes, beyond the ${this.maxItemBytes}-byte bound per item`);
  }

  private typeMeta(buf: Buffer, start: number, end: number): void {
    const m = new ProtoCursor(buf, start, end);
    while (m.next()) {
      if (m.field === 2 && m.wire === LEN) this.kind = m.string();
      else m.skip();
    }
  }

  private listField(number: number, wire: number, buf: Buffer, start: number, end: number): void {
    if (wire !== LEN) return;
    if (number === 2) {
      this.items++;
      this.onItem(buf.subarray(start, end));
    } else if (number === 1) {
      const m = new ProtoCursor(buf, start, end);
      while (m.next()) {
        if (m.field === 2 && m.wire === LEN) this.metadata.resourceVersion = m.string();
        else if (m.field === 3 && m.wire === LEN) this.metadata.continue = m.string();
        else m.skip();
      }
    }
  }
}

/** The first bytes of an answer that is not protobuf, for the error (`<html>`, `{"kind"…`, gzip). */
function sniff(buf: Buffer): string {
  if (buf[0] === 0x1f && buf[1] === 0x8b) return 'it is gzip';
  const text = buf.subarray(0, 16).toString('latin1');
  return `it starts with ${JSON.stringify(text)}`;
}

interface Header {
  /** Where the field's tag starts. */
  at: number;
  number: number;
  wire: number;
  /** Where the field's body starts. */
  bodyAt: number;
  /** Its body's bytes (a varint's own bytes; a fixed field's width). */
  length: number;
}

/** A field's tag and length at `at`, or undefined while its header is still incomplete. */
function readHeader(buf: Buffer, at: number, end: number): Header | undefined {
  const tag = varint(buf, at, end);
  if (!tag) return undefined;
  const number = Math.floor(tag[0] / 8);
  const wire = tag[0] & 7;
  if (number === 0) throw new ProtobufError(`field number 0 at byte ${at}`);
  const bodyAt = tag[1];
  if (wire === LEN) {
    const length = varint(buf, bodyAt, end);
    return length && { at, number, wire, bodyAt: length[1], length: length[0] };
  }
  if (wire === VARINT) {
    const value = varint(buf, bodyAt, end);
    return value && { at, number, wire, bodyAt, length: value[1] - bodyAt };
  }
  if (wire === FIXED64) return { at, number, wire, bodyAt, length: 8 };
  if (wire === FIXED32) return { at, number, wire, bodyAt, length: 4 };
  throw new ProtobufError(`field ${number} has wire type ${wire}, which no Kubernetes message uses`);
}

/** [value, next position] of the varint at `at`; undefined when the bytes end inside it. */
function varint(buf: Buffer, at: number, end: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, i + 1];
    scale *= 128;
  }
  if (end - at >= 10) throw new ProtobufError('a varint longer than 10 bytes');
  return undefined;
}
