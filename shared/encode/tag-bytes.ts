/**
 * @module encode/tag-bytes
 * A series' tag set (`,k=v,…`) written once as UTF-8 into a scratch buffer that every line of the
 * series then copies: sorted by key, empty values dropped, escaped as encode/escape says. No
 * string is built for it: at 1,000 × 30 a run writes about 200,000 tag sets of ~250 bytes, and
 * building each as a string (a sorted key copy, concatenation, then Buffer.from) made them the
 * largest part of encoding and of its garbage.
 */
import type { Tags } from '#shared/model';
import { escapeTagCached } from '#shared/encode/escape';

const COMMA = 0x2c;
const EQUALS = 0x3d;

export class TagBytes {
  buf = Buffer.allocUnsafe(4096);
  /** Bytes of the tag set last written. */
  length = 0;
  /** Sorted keys of the tags and of the extra tags, reused (sorting a fresh copy was most of the garbage). */
  private readonly keys: string[] = [];
  private readonly more: string[] = [];

  /**
   * The non-empty tags of `tags` and `extra` merged (extra wins on a shared key), sorted by key:
   * a view of the scratch buffer, valid until the next call. `suffix` follows them (bytes every
   * line of the series writes next: the heapster schema's ` value=`).
   */
  of(tags: Tags, extra?: Tags, suffix?: Buffer): Buffer {
    this.set(tags, extra);
    if (suffix) {
      this.room(suffix.length);
      this.length += suffix.copy(this.buf, this.length);
    }
    return this.buf.subarray(0, this.length);
  }

  private set(tags: Tags, extra?: Tags): void {
    this.length = 0;
    const keys = this.keys;
    const n = sortedKeys(tags, keys);
    if (!extra) {
      for (let i = 0; i < n; i++) this.tag(keys[i] as string, tags[keys[i] as string]);
      return;
    }
    const more = this.more;
    const m = sortedKeys(extra, more);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      const a = i < n ? keys[i] : undefined;
      const b = j < m ? more[j] : undefined;
      if (b === undefined || (a !== undefined && a < b)) {
        this.tag(a as string, tags[a as string]);
        i++;
      } else {
        if (a === b) i++;
        this.tag(b, extra[b]);
        j++;
      }
    }
  }

  private tag(key: string, value: string | undefined): void {
    if (!value) return;
    this.room((key.length + value.length) * 3 + 2);
    this.buf[this.length++] = COMMA;
    this.name(key);
    this.buf[this.length++] = EQUALS;
    this.name(value);
  }

  /** A key or value: copied byte by byte when plain ASCII with nothing to escape, else escaped. */
  private name(s: string): void {
    const buf = this.buf;
    const start = this.length;
    let at = start;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Non-ASCII, control characters (\n, \r), space, `,` `=` `\`: the slow path.
      if (c > 0x7e || c <= 0x20 || c === COMMA || c === EQUALS || c === 0x5c) return this.escaped(s, start);
      buf[at++] = c;
    }
    this.length = at;
  }

  private escaped(s: string, start: number): void {
    const e = escapeTagCached(s);
    this.length = start;
    this.room(e.length * 3);
    this.length += this.buf.write(e, this.length);
  }

  /** Callers ask for 3 bytes per UTF-16 unit, the most UTF-8 takes. */
  private room(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/**
 * The keys of `tags` into `out`, in InfluxDB's order (UTF-16 code units, as Array.sort), by
 * insertion: a tag set has about ten keys, and derive builds most of them already sorted.
 * Returns how many.
 */
function sortedKeys(tags: Tags, out: string[]): number {
  let n = 0;
  for (const k in tags) {
    let at = n++;
    while (at > 0 && (out[at - 1] as string) > k) {
      out[at] = out[at - 1] as string;
      at--;
    }
    out[at] = k;
  }
  return n;
}
