/**
 * @module kube/list-splitter
 * Splits a Kubernetes List (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) arriving in chunks
 * into its items, each handed to JSON.parse on its own and then dropped. Memory is one item plus
 * one chunk, whether the API server pages or answers a LIST whole. The scanner only tracks
 * strings and nesting; all value parsing is JSON.parse's (native, several times faster than a
 * JavaScript streaming parser building values token by token, which is why no npm streaming
 * parser is used: see kube/list.ts). An item longer than `maxItemBytes` is an error, as is an
 * answer that is not a List: not a JSON object (an HTML page, gzip), or an object without
 * `items` (a `Status`).
 */
import { ByteBuffer } from '#shared/kube/byte-buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
/** Top-level strings (keys, `kind`, a Status's `message`) are kept only this far. */
const TOP_STRING_MAX = 1024;

export class ListSplitter {
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private escapePending = false;
  /** Capturing an item (depth 3 inside `items`) or the top-level `metadata` object. */
  private capturing: 'item' | 'metadata' | undefined;
  /** The captured item's bytes from earlier chunks. */
  private held: ByteBuffer;
  /** Bytes of the current top-level string (a key or a short value). */
  private topString: Buffer[] | undefined;
  private lastTopString = '';
  private topStringBytes = 0;
  private inItems = false;
  /** The List's `items` array was opened: the answer is a List. */
  private sawItems = false;
  /** The top-level object has closed. */
  private closed = false;
  /** The top-level key whose value is being read (after its colon). */
  private key = '';
  /** The answer's `kind` and, for a Status, its `message`: what an error names. */
  top: { kind?: string; message?: string } = {};
  /** The List's `metadata` (`continue`, `resourceVersion`), once seen. */
  metadata: { continue?: string; resourceVersion?: string } = {};
  items = 0;

  /**
   * @param parse turns an item's text into the value `onItem` gets (JSON.parse; a test sweeping
   *   every chunk size passes a cheaper one).
   */
  constructor(
    private readonly onItem: (item: unknown) => void,
    private readonly maxItemBytes = 64 * 1024 * 1024,
    private readonly parse: (text: string) => unknown = JSON.parse,
  ) {
    this.held = new ByteBuffer(maxItemBytes);
  }

  /** Bytes held between chunks (the unfinished item): at most one item. */
  get heldBytes(): number {
    return this.held.length;
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    let captureStart = 0;
    let stringStart = 0;
    let nextBackslash = -2;
    while (i < n) {
      if (this.inString) {
        if (this.escapePending) {
          this.escapePending = false;
          i++;
          continue;
        }
        const q = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
          if (nextBackslash + 1 >= n) {
            this.escapePending = true;
            i = n;
          } else i = nextBackslash + 2;
          continue;
        }
        if (q === -1) {
          i = n;
          continue;
        }
        this.inString = false;
        i = q + 1;
        if (this.topString) this.endTopString(chunk.subarray(stringStart, q));
        continue;
      }
      const c = chunk[i] as number;
      if (this.depth === 0) this.outside(c, i === 0 ? chunk : undefined);
      else if (this.depth === 1 && c === COLON) this.key = this.lastTopString;
      else if (this.depth === 1 && c === COMMA) this.key = '';
      // Go writes a nil slice as null: `"items":null` is an empty list.
      else if (this.depth === 1 && c === 0x6e && this.key === 'items') this.sawItems = true;
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1) {
          this.topString = [];
          stringStart = i + 1;
        }
      } else if (c === LBRACE || c === LBRACKET) {
        this.depth++;
        if (this.depth === 2 && c === LBRACKET && this.key === 'items') this.inItems = this.sawItems = true;
        else if (this.depth === 2 && c === LBRACE && this.key === 'metadata') {
          this.capturing = 'metadata';
          captureStart = i;
        } else if (this.depth === 3 && this.inItems && c === LBRACE) {
          this.capturing = 'item';
          captureStart = i;
        }
      } else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.depth === 0) this.closed = true;
        if (this.depth === 1 && this.inItems) this.inItems = false;
        if (this.capturing && this.depth === (this.capturing === 'item' ? 2 : 1))
          this.finish(chunk, captureStart, i + 1);
      }
      i++;
    }
    if (this.capturing) {
      if (this.held.length + n - captureStart > this.maxItemBytes)
        throw new Error(`an item of over ${this.maxItemBytes} bytes, beyond the bound per item`);
      this.held.append(chunk, captureStart);
    }
    if (this.topString) this.keepTopString(chunk.subarray(stringStart));
  }

  /** Outside the top-level object only whitespace may stand, and one `{` opens it. */
  private outside(c: number, chunk: Buffer | undefined): void {
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return;
    if (c === LBRACE && !this.closed) return;
    if (this.closed) throw new Error('more bytes follow the list');
    const what =
      chunk?.[0] === 0x1f && chunk[1] === 0x8b
        ? 'gzip'
        : `text starting with ${JSON.stringify(String.fromCharCode(c))}`;
    throw new Error(`the answer is not a JSON object but ${what}`);
  }

  private keepTopString(part: Buffer): void {
    if (!this.topString || this.topStringBytes >= TOP_STRING_MAX) return;
    const kept = part.subarray(0, TOP_STRING_MAX - this.topStringBytes);
    this.topString.push(Buffer.from(kept));
    this.topStringBytes += kept.length;
  }

  private endTopString(part: Buffer): void {
    this.keepTopString(part);
    const text = Buffer.concat(this.topString ?? []).toString();
    this.topString = undefined;
    this.topStringBytes = 0;
    // A string right after `"kind":` or `"message":` is its value, not the next key.
    if (this.key === 'kind' || this.key === 'message') this.top[this.key] = text;
    this.lastTopString = text;
  }

  /** Throws when the body is not a whole List (cut short, or an answer of another kind). */
  end(): void {
    if (!this.closed && this.depth === 0) throw new Error('the answer is empty, not a list');
    if (this.depth !== 0 || this.inString)
      throw new Error(`the list ended before its closing bracket (${this.items} items read)`);
    if (!this.sawItems) {
      const { kind, message } = this.top;
      throw new Error(`the answer is ${kind ? `a ${kind}` : 'an object'}, not a list${message ? `: ${message}` : ''}`);
    }
  }

  /** The captured object ends at `end` of `chunk`: parse it, hand it over, forget it. */
  private finish(chunk: Buffer, start: number, end: number): void {
    const bytes = this.held.length + end - start;
    if (bytes > this.maxItemBytes)
      throw new Error(`an item of ${bytes} bytes, beyond the ${this.maxItemBytes}-byte bound per item`);
    let text: string;
    if (this.held.length === 0) text = chunk.toString('utf8', start, end);
    else {
      this.held.append(chunk, start, end);
      text = this.held.view().toString();
      this.held.clear();
    }
    if (this.capturing === 'item') {
      this.items++;
      this.onItem(this.parse(text));
    } else this.metadata = JSON.parse(text) as ListSplitter['metadata'];
    this.capturing = undefined;
  }
}
