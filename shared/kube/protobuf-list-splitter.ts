/**
 * @module kube/protobuf-list-splitter
 * Splits a List in the API server's protobuf encoding, arriving in chunks, into its items: the
 * counterpart of kube/list-splitter for `application/vnd.kubernetes.protobuf`. The body is the
 * 4-byte magic `k8s\0`, then a `runtime.Unknown` (typeMeta = 1, raw = 2, contentEncoding = 3,
 * contentType = 4) whose `raw` holds the `<Kind>List` (metadata = 1 as `ListMeta` with
 * continue = 3, items = 2). Each item's bytes go to `onItem` as soon as they are complete, so
 * memory is one item plus one chunk, whether the API server pages or answers a LIST whole.
 */
import { FIXED32, FIXED64, LEN, ProtoCursor, ProtobufError, VARINT } from '#shared/decode/protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
/** Larger than any object etcd stores (1.5 MiB by default): a length beyond it is a broken body. */
const MAX_FIELD_BYTES = 64 * 1024 * 1024;

type Where = 'magic' | 'envelope' | 'list' | 'done';

export class ProtobufListSplitter {
  private where: Where = 'magic';
  /** Bytes received and not yet consumed. */
  private pending: Buffer = Buffer.alloc(0);
  /** Chunks held back while a field longer than `pending` arrives (joined once, when complete). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes the current step needs before it can go on. */
  private need = 0;
  /** Bytes of the List (`raw`) not yet consumed. */
  private listLeft = 0;
  metadata: { continue?: string; resourceVersion?: string } = {};
  items = 0;

  constructor(private readonly onItem: (bytes: Buffer) => void) {}

  write(chunk: Buffer): void {
    if (this.partsBytes > 0 || this.pending.length + chunk.length < this.need) {
      this.parts.push(chunk);
      this.partsBytes += chunk.length;
      if (this.pending.length + this.partsBytes < this.need) return;
      this.pending = Buffer.concat([this.pending, ...this.parts]);
      this.parts = [];
      this.partsBytes = 0;
    } else this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.drain();
  }

  /** Throws when the body ended before the List did (a cut connection). */
  end(): void {
    if (this.partsBytes > 0 || this.pending.length > 0 || this.where === 'magic' || this.where === 'list')
      throw new ProtobufError('the list ended before its last item');
  }

  private drain(): void {
    let at = 0;
    const buf = this.pending;
    for (;;) {
      if (this.where === 'magic') {
        if (buf.length - at < MAGIC.length) break;
        if (!buf.subarray(at, at + MAGIC.length).equals(MAGIC))
          throw new ProtobufError('the answer does not start with the Kubernetes protobuf magic "k8s\\0"');
        at += MAGIC.length;
        this.where = 'envelope';
        continue;
      }
      if (this.where === 'done' || at >= buf.length) break;
      const field = readHeader(buf, at, buf.length);
      if (!field) break;
      const inList = this.where === 'list';
      if (!inList && field.number === 2 && field.wire === LEN) {
        // The envelope's `raw`: the List itself, read field by field rather than held whole.
        at = field.bodyAt;
        this.listLeft = field.length;
        this.where = this.listLeft > 0 ? 'list' : 'envelope';
        continue;
      }
      const size = field.bodyAt - at + field.length;
      if (field.length > MAX_FIELD_BYTES)
        throw new ProtobufError(`a field of ${field.length} bytes, beyond the ${MAX_FIELD_BYTES}-byte bound`);
      if (buf.length - at < size) {
        this.need = size;
        break;
      }
      if (inList) this.listField(field.number, field.wire, buf, field.bodyAt, field.bodyAt + field.length);
      at += size;
      if (inList) {
        this.listLeft -= size;
        if (this.listLeft < 0) throw new ProtobufError('an item runs past the end of the list');
        if (this.listLeft === 0) this.where = 'envelope';
      }
    }
    this.pending = at >= buf.length ? Buffer.alloc(0) : buf.subarray(at);
    if (this.pending.length >= this.need) this.need = 0;
  }

  private listField(number: number, wire: number, buf: Buffer, start: number, end: number): void {
    if (wire !== LEN) return;
    if (number === 2) {
      this.items++;
      this.onItem(buf.subarray(start, end));
    } else if (number === 1) {
      const m = new ProtoCursor(buf, start, end);
      while (m.next()) {
        if (m.field === 2) this.metadata.resourceVersion = m.string();
        else if (m.field === 3) this.metadata.continue = m.string();
        else m.skip();
      }
    }
  }
}

interface Header {
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
    return length && { number, wire, bodyAt: length[1], length: length[0] };
  }
  if (wire === VARINT) {
    const value = varint(buf, bodyAt, end);
    return value && { number, wire, bodyAt, length: value[1] - bodyAt };
  }
  if (wire === FIXED64) return { number, wire, bodyAt, length: 8 };
  if (wire === FIXED32) return { number, wire, bodyAt, length: 4 };
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
