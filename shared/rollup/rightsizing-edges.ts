/**
 * @module rollup/rightsizing-edges
 * The right-sizing rows that let a route cover any 5-minute-aligned window with a few rows per
 * workload container (issue 25's cost). For each parent span P (`1h`, `1d`, `7d`) and each window
 * of its child span (`5m`, `1h`, `1d`) starting at t:
 * - `P-head` at t: P's window so far, [P's start, t + child);
 * - `P-tail` at t: the rest of P's window, [t, P's end).
 * A window is then the tails at its start, whole weeks (`7d-head` at their last day), the heads at
 * its end: six rows over a week instead of ~40. Weeks are aligned to the epoch (they start on
 * Thursdays, 00:00 UTC); there are no `7d` rows of their own. Pure.
 */
import { emptyRow, mergeRow, type RightsizingRow, SPAN_MS, type Span, segments } from '#shared/rollup/rightsizing';

export type Parent = '1h' | '1d' | '7d';
export type Edge = `${Parent}-head` | `${Parent}-tail`;
/** Every kind of row, as its `span` tag. */
export type Kind = Span | Edge;

export const PARENT_OF: Readonly<Record<Span, Parent>> = { '5m': '1h', '1h': '1d', '1d': '7d' };
export const PARENT_MS: Readonly<Record<Parent, number>> = { '1h': 3_600_000, '1d': 86_400_000, '7d': 604_800_000 };
export const EDGES: readonly Edge[] = ['1h-head', '1h-tail', '1d-head', '1d-tail', '7d-head', '7d-tail'];
export const head = (p: Parent): Edge => `${p}-head`;
export const tail = (p: Parent): Edge => `${p}-tail`;

/** One stored row of one workload container. */
export interface Timed {
  timeMs: number;
  row: RightsizingRow;
}

const floorTo = (ms: number, w: number): number => Math.floor(ms / w) * w;

/** A copy of `a` merged with `b` (b the later): neither is changed. */
function merged(a: RightsizingRow | undefined, b: RightsizingRow): RightsizingRow {
  const out = emptyRow();
  if (a) mergeRow(out, a);
  mergeRow(out, b);
  return out;
}

/**
 * The `P-head` rows of the child windows starting in [fromMs, toMs), from one container's child
 * rows over [P's start of fromMs, toMs), oldest first. A window whose parent so far holds no row
 * gets none.
 */
export function heads(rows: readonly Timed[], child: Span, fromMs: number, toMs: number): Timed[] {
  const [c, p] = [SPAN_MS[child], PARENT_MS[PARENT_OF[child]]];
  const out: Timed[] = [];
  let acc: RightsizingRow | undefined;
  let i = 0;
  for (let w = floorTo(fromMs, p); w < toMs; w += c) {
    if (w % p === 0) acc = undefined;
    for (; i < rows.length && rows[i]!.timeMs < w + c; i++)
      if (rows[i]!.timeMs >= floorTo(w, p)) acc = merged(acc, rows[i]!.row);
    if (w >= fromMs && acc) out.push({ timeMs: w, row: acc });
  }
  return out;
}

/**
 * The `P-tail` rows of the whole parent windows in [fromMs, toMs) (P-aligned), from one
 * container's child rows over the same range, oldest first. A window after the parent's last row
 * gets none.
 */
export function tails(rows: readonly Timed[], child: Span, fromMs: number, toMs: number): Timed[] {
  const [c, p] = [SPAN_MS[child], PARENT_MS[PARENT_OF[child]]];
  const out: Timed[] = [];
  let i = rows.length - 1;
  for (let end = toMs; end > fromMs; end -= p) {
    let acc: RightsizingRow | undefined;
    const reversed: Timed[] = [];
    for (let w = end - c; w >= end - p; w -= c) {
      // The rows are oldest first: an older row goes before what is merged so far.
      for (; i >= 0 && rows[i]!.timeMs >= w; i--)
        if (rows[i]!.timeMs < end) acc = acc ? merged(rows[i]!.row, acc) : rows[i]!.row;
      if (acc) reversed.push({ timeMs: w, row: acc });
    }
    out.unshift(...reversed.reverse());
  }
  return out;
}

/** Where each kind of row begins and how far it is done (progress), for cover. */
export interface Reach {
  done: Partial<Record<Kind, number>>;
  /** Where the edge rows begin (their first run); absent: none yet (an install before them). */
  from: Partial<Record<Edge, number>>;
}

/** The rows of one kind with timestamps in [fromMs, toMs). */
export interface Piece {
  kind: Kind;
  fromMs: number;
  toMs: number;
}

function has(reach: Reach, kind: Edge, parentStartMs: number, endMs: number): boolean {
  const [from, done] = [reach.from[kind], reach.done[kind]];
  return from !== undefined && done !== undefined && parentStartMs >= from && endMs <= done;
}

/**
 * `[fromMs, toMs)` (5-minute aligned) as the fewest rows: what `segments` gives from the spans'
 * own rows, each run at a parent's start replaced by a head row and each run at a parent's end by
 * a tail row, where those exist.
 */
export function cover(fromMs: number, toMs: number, reach: Reach): Piece[] {
  const out: Piece[] = [];
  for (const g of segments(fromMs, toMs, reach.done)) {
    const [c, parent] = [SPAN_MS[g.span], PARENT_OF[g.span]];
    const p = PARENT_MS[parent];
    for (let a = g.fromMs; a < g.toMs; ) {
      const start = floorTo(a, p);
      const b = Math.min(g.toMs, start + p);
      if (b === start + p && a > start && has(reach, tail(parent), start, b))
        out.push({ kind: tail(parent), fromMs: a, toMs: a + c });
      else if (a === start && has(reach, head(parent), start, b))
        out.push({ kind: head(parent), fromMs: b - c, toMs: b });
      else if (out.at(-1)?.kind === g.span && out.at(-1)?.toMs === a) out.at(-1)!.toMs = b;
      else out.push({ kind: g.span, fromMs: a, toMs: b });
      a = b;
    }
  }
  return out;
}
