/**
 * @module kube/list-splitter
 * Splits a Kubernetes List (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) arriving in chunks
 * into its items, each handed to JSON.parse on its own and then dropped. Memory is one item plus
 * one chunk, whether the API server pages or answers a LIST whole. The scanner only tracks
 * strings and nesting; all value parsing is JSON.parse's (native, several times faster than a
 * JavaScript streaming parser building values token by token, which is why no npm streaming
 * parser is used: see kube/list.ts).
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

export class ListSplitter {
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the next byte is escaped. */
  private escapePending = false;
  /** Capturing an item (depth 3 inside `items`) or the top-level `metadata` object. */
  private capturing: 'item' | 'metadata' | undefined;
  private parts: Buffer[] = [];
  /** Bytes of the current top-level string (a key or a short value). */
  private topString: Buffer[] | undefined;
  private lastTopString = '';
  private inItems = false;
  /** The List's `metadata` (`continue`, `resourceVersion`), once seen. */
  metadata: { continue?: string; resourceVersion?: string } = {};
  items = 0;

  constructor(private readonly onItem: (item: unknown) => void) {}

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
        if (this.topString) {
          this.topString.push(chunk.subarray(stringStart, q));
          this.lastTopString = Buffer.concat(this.topString).toString();
          this.topString = undefined;
        }
        continue;
      }
      const c = chunk[i] as number;
      if (c === QUOTE) {
        this.inString = true;
        if (this.depth === 1) {
          this.topString = [];
          stringStart = i + 1;
        }
      } else if (c === LBRACE || c === LBRACKET) {
        this.depth++;
        if (this.depth === 2 && c === LBRACKET && this.lastTopString === 'items') this.inItems = true;
        else if (this.depth === 2 && c === LBRACE && this.lastTopString === 'metadata') {
          this.capturing = 'metadata';
          captureStart = i;
        } else if (this.depth === 3 && this.inItems && c === LBRACE) {
          this.capturing = 'item';
          captureStart = i;
        }
      } else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.depth === 1 && this.inItems) this.inItems = false;
        if (this.capturing && this.depth === (this.capturing === 'item' ? 2 : 1)) {
          this.parts.push(chunk.subarray(captureStart, i + 1));
          this.finish();
        }
      }
      i++;
    }
    if (this.capturing) this.parts.push(Buffer.from(chunk.subarray(captureStart)));
    if (this.topString) this.topString.push(Buffer.from(chunk.subarray(stringStart)));
  }

  /** Throws when the body ended inside the List (a cut connection). */
  end(): void {
    if (this.depth !== 0 || this.inString) throw new Error('the list ended before its closing bracket');
  }

  private finish(): void {
    const parts = this.parts;
    this.parts = [];
    const text = parts.length === 1 ? (parts[0] as Buffer).toString() : Buffer.concat(parts).toString();
    const value = JSON.parse(text) as unknown;
    if (this.capturing === 'item') {
      this.items++;
      this.onItem(value);
    } else this.metadata = value as ListSplitter['metadata'];
    this.capturing = undefined;
  }
}
