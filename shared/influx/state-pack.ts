/**
 * @module influx/state-pack
 * A node's counter state (derive/types NodeState) as bytes, for its `heapless_state` point: the
 * counter names once, then per object its key, its start time and its readings as float64 (exact
 * for every double, as JSON is). Deflated and split over string fields by influx/packed-fields.
 * Packing and unpacking it as JSON (stringify, parse, 21 KB a 30-pod node) was most of the state's
 * CPU and a tree of small objects a node; bytes written and read in place cost a fraction.
 *
 * Layout: u8 version, varint n, n × name; then per object: name (key), u8 flags (1: has start),
 * [f64 start], varint m, m × (varint counter index, f64 time ms, f64 value). A name is a varint
 * byte length and UTF-8.
 */
import type { EntityState, NodeState } from '#shared/derive/types';

export const STATE_PACK_VERSION = 2;
const HAS_START = 1;

class ByteWriter {
  buf = Buffer.allocUnsafe(16 * 1024);
  at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }

  varint(v: number): void {
    this.room(5);
    let rest = v;
    while (rest >= 0x80) {
      this.buf[this.at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.at++] = rest;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.at);
    this.at += 8;
  }

  name(s: string): void {
    this.room(5 + s.length * 3);
    const start = this.at;
    // Most keys are ASCII: reserve one length byte, write, and move the bytes only when longer.
    const n = this.buf.write(s, start + 1);
    if (n < 0x80) {
      this.buf[start] = n;
      this.at = start + 1 + n;
      return;
    }
    const bytes = Buffer.from(this.buf.subarray(start + 1, start + 1 + n));
    this.at = start;
    this.varint(n);
    this.room(n);
    this.at += bytes.copy(this.buf, this.at);
  }
}

/** The state as bytes (a view of a scratch buffer of the call's own). */
export function packState(state: NodeState): Buffer {
  const w = new ByteWriter();
  const counters = new Map<string, number>();
  for (const key in state)
    for (const c in (state[key] as EntityState).c) if (!counters.has(c)) counters.set(c, counters.size);
  w.u8(STATE_PACK_VERSION);
  w.varint(counters.size);
  for (const c of counters.keys()) w.name(c);
  for (const key in state) {
    const e = state[key] as EntityState;
    w.name(key);
    w.u8(e.s === undefined ? 0 : HAS_START);
    if (e.s !== undefined) w.f64(e.s);
    let m = 0;
    for (const _ in e.c) m++;
    w.varint(m);
    for (const c in e.c) {
      const [timeMs, value] = e.c[c] as [number, number];
      w.varint(counters.get(c) as number);
      w.f64(timeMs);
      w.f64(value);
    }
  }
  return w.buf.subarray(0, w.at);
}

/** The state back; undefined when the bytes are not a packed state of this version (cut, corrupt). */
export function unpackState(buf: Buffer): NodeState | undefined {
  const r = { at: 0 };
  try {
    if (buf[r.at++] !== STATE_PACK_VERSION) return undefined;
    const names: string[] = [];
    for (let n = varint(buf, r); n > 0; n--) names.push(name(buf, r));
    const state: NodeState = {};
    while (r.at < buf.length) {
      const key = name(buf, r);
      const flags = byte(buf, r);
      const entity: EntityState = flags & HAS_START ? { s: f64(buf, r), c: {} } : { c: {} };
      for (let m = varint(buf, r); m > 0; m--) {
        const counter = names[varint(buf, r)];
        if (counter === undefined) return undefined;
        entity.c[counter] = [f64(buf, r), f64(buf, r)];
      }
      state[key] = entity;
    }
    return state;
  } catch {
    // A read past the end (RangeError): a cut value.
    return undefined;
  }
}

function byte(buf: Buffer, r: { at: number }): number {
  const b = buf[r.at++];
  if (b === undefined) throw new RangeError('packed state: cut');
  return b;
}

function varint(buf: Buffer, r: { at: number }): number {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const b = byte(buf, r);
    v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
  throw new RangeError('packed state: bad varint');
}

function f64(buf: Buffer, r: { at: number }): number {
  const v = buf.readDoubleLE(r.at);
  r.at += 8;
  return v;
}

function name(buf: Buffer, r: { at: number }): string {
  const n = varint(buf, r);
  if (r.at + n > buf.length) throw new RangeError('packed state: cut');
  const s = buf.toString('utf8', r.at, r.at + n);
  r.at += n;
  return s;
}
