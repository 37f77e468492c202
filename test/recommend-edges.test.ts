/**
 * The right-sizing edge rows (rollup/rightsizing-edges): each head and tail row holds exactly the
 * windows it names, compared with histograms, pods and maxima counted here from the generated
 * (pod, window, millicores, bytes) samples; and a window's cover is its exact partition into rows
 * that exist, six over a week.
 */
import { describe, expect, it } from 'vitest';
import { addCpu, addWorkingSet, emptyRow, type RightsizingRow } from '#shared/rollup/rightsizing';
import {
  cover,
  EDGES,
  type Edge,
  heads,
  type Kind,
  PARENT_MS,
  type Piece,
  type Reach,
  tails,
  type Timed,
} from '#shared/rollup/rightsizing-edges';

const M5 = 300_000;
const H = 3_600_000;
const D = 86_400_000;
const W = 7 * D;

interface Sample {
  pod: string;
  timeMs: number;
  millicores: number;
  bytes: number;
}

/** Two hours of one container: pods come and go, some windows hold nothing. */
function samples(startMs: number, hours: number): Sample[] {
  const out: Sample[] = [];
  for (let t = startMs; t < startMs + hours * H; t += M5) {
    const k = (t - startMs) / M5;
    if (k % 7 === 3) continue;
    for (const pod of ['a', 'b', 'c'].slice(0, 1 + (k % 3)))
      out.push({
        pod,
        timeMs: t,
        millicores: ((k * 37) % 23) + pod.charCodeAt(0) / 10,
        bytes: 1_000 + ((k * 11) % 17),
      });
  }
  return out;
}

/** What a row over [fromMs, toMs) must hold, counted from the samples alone. */
function expected(all: Sample[], fromMs: number, toMs: number) {
  const inside = all.filter((s) => s.timeMs >= fromMs && s.timeMs < toMs);
  const cpu = new Map<number, number>();
  for (const s of inside) cpu.set(Math.ceil(s.millicores), (cpu.get(Math.ceil(s.millicores)) ?? 0) + 1);
  const last = Math.max(...inside.map((s) => s.timeMs));
  return {
    cpu: [...cpu].sort((a, b) => a[0] - b[0]),
    pods: [...new Set(inside.map((s) => s.pod))].sort(),
    lastPods: [...new Set(inside.filter((s) => s.timeMs === last).map((s) => s.pod))].sort(),
    first: Math.min(...inside.map((s) => s.timeMs)),
    last,
    ws: Math.max(...inside.map((s) => s.bytes)),
  };
}

const shape = (r: RightsizingRow) => ({
  cpu: [...r.cpu].sort((a, b) => a[0] - b[0]),
  pods: [...r.pods].sort(),
  lastPods: [...r.lastPods].sort(),
  first: r.firstMs,
  last: r.lastMs,
  ws: r.wsMax,
});

function fiveMinuteRows(all: Sample[]): Timed[] {
  const byTime = new Map<number, RightsizingRow>();
  for (const s of all) {
    const row = byTime.get(s.timeMs) ?? emptyRow();
    byTime.set(s.timeMs, row);
    addCpu(row, s.pod, s.timeMs, s.millicores);
    addWorkingSet(row, s.bytes);
  }
  return [...byTime].sort((a, b) => a[0] - b[0]).map(([timeMs, row]) => ({ timeMs, row }));
}

describe('right-sizing edge rows', () => {
  const start = 1000 * D;
  const all = samples(start, 2);
  const rows = fiveMinuteRows(all);

  it('a head row at t holds its hour from the start to t + 5 minutes, for every window from the first asked', () => {
    const from = start + 13 * M5;
    const got = heads(
      rows.filter((r) => r.timeMs >= start + H),
      '5m',
      from,
      start + 2 * H,
    );
    // Windows of the second hour from its second on, each with its hour so far (the first hour is not read).
    expect(got.map((g) => g.timeMs)).toEqual(Array.from({ length: 11 }, (_, i) => from + i * M5));
    for (const g of got) expect(shape(g.row)).toEqual(expected(all, start + H, g.timeMs + M5));
  });

  it('a tail row at t holds the rest of its hour from t, the later requests kept as the current ones', () => {
    const withCurrent = rows.map((r, i) => {
      const row = emptyRow();
      Object.assign(row, r.row, { current: { 'cpu/request': i } });
      return { timeMs: r.timeMs, row };
    });
    const got = tails(withCurrent, '5m', start, start + 2 * H);
    expect(got.map((g) => g.timeMs)).toEqual(Array.from({ length: 24 }, (_, i) => start + i * M5));
    for (const g of got) {
      const end = Math.floor(g.timeMs / H) * H + H;
      expect(shape(g.row)).toEqual(expected(all, g.timeMs, end));
      const lastInHour = withCurrent.filter((r) => r.timeMs < end).at(-1)!;
      expect(g.row.current['cpu/request']).toBe(lastInHour.row.current['cpu/request']);
    }
  });

  it('a window with nothing after it in its hour gets no tail; one with nothing before it in its hour no head', () => {
    const sparse = rows.filter((r) => r.timeMs === start + 5 * M5);
    expect(tails(sparse, '5m', start, start + H).map((g) => g.timeMs)).toEqual(
      Array.from({ length: 6 }, (_, i) => start + i * M5),
    );
    expect(heads(sparse, '5m', start, start + H).map((g) => g.timeMs)).toEqual(
      Array.from({ length: 7 }, (_, i) => start + (5 + i) * M5),
    );
  });
});

/** The interval of history a piece's rows hold (a span's own rows: their windows). */
function held(p: Piece): [number, number] {
  const [parent, side] = p.kind.split('-') as ['1h' | '1d' | '7d', string | undefined];
  if (!side) return [p.fromMs, p.toMs];
  const w = PARENT_MS[parent];
  const start = Math.floor(p.fromMs / w) * w;
  return side === 'head' ? [start, p.toMs] : [p.fromMs, start + w];
}

function all(done: number, from: number): Reach {
  const d: Partial<Record<Kind, number>> = { '5m': done, '1h': done, '1d': done };
  for (const k of EDGES) d[k] = done;
  return { done: d, from: Object.fromEntries(EDGES.map((k) => [k, from])) as Partial<Record<Edge, number>> };
}

describe('a window covered by the rows that exist', () => {
  it('partitions every 7-day window exactly, with at most six rows read per container', () => {
    for (let s = 3000 * D; s < 3000 * D + W; s += 35 * M5) {
      const e = s + W;
      const pieces = cover(s, e, all(e, 0));
      let at = s;
      for (const p of pieces) {
        const [a, b] = held(p);
        expect(a).toBe(at);
        at = b;
        // An edge piece is one row; a span's own piece is one row per window.
        expect(EDGES.includes(p.kind as Edge) ? p.toMs - p.fromMs : 0).toBeLessThanOrEqual(D);
      }
      expect(at).toBe(e);
      expect(pieces.filter((p) => !EDGES.includes(p.kind as Edge))).toEqual([]);
      expect(pieces.length).toBeLessThanOrEqual(6);
    }
  });

  it('uses no edge row before its kind begins or past its progress: the spans’ own rows there', () => {
    const s = 3000 * D + 7 * H + 2 * M5;
    const e = s + 3 * D;
    const reach = all(e, 3001 * D);
    reach.done['1h-head'] = e - 3 * M5;
    const pieces = cover(s, e, reach);
    expect(pieces[0]).toEqual({ kind: '5m', fromMs: s, toMs: 3000 * D + 8 * H });
    expect(pieces[1]).toEqual({ kind: '1h', fromMs: 3000 * D + 8 * H, toMs: 3001 * D });
    expect(pieces.at(-1)).toEqual({ kind: '5m', fromMs: Math.floor(e / H) * H, toMs: e });
    let at = s;
    for (const p of pieces) {
      const [a, b] = held(p);
      expect(a).toBe(at);
      at = b;
    }
    expect(at).toBe(e);
  });
});
