/**
 * @module query/recommend-text
 * The right-sizing report as plain text with aligned columns, to read in a terminal or paste into
 * a ticket (`?format=text`). One line per container, workloads in the answer's order. Pure.
 */
import type { RecommendationSet } from '#shared/query/recommend-read';

const MIB = 2 ** 20;

const HEADER = [
  'NAMESPACE',
  'KIND',
  'NAME',
  'CONTAINER',
  'PODS',
  'CPU REQUEST',
  'CPU P95',
  'CPU RECOMMENDED',
  'CPU DIFF',
  'MEM REQUEST',
  'MEM MAX',
  'MEM RECOMMENDED',
  'MEM DIFF',
  'OOM',
  'NOTES',
];

const millicores = (v: number | null): string => (v === null ? 'none' : `${Math.round(v * 10) / 10}m`);
const mebibytes = (v: number | null): string => (v === null ? 'none' : `${Math.round((v / MIB) * 10) / 10}Mi`);
const signed = (v: number | null, unit: (x: number) => string): string =>
  v === null ? '-' : v > 0 ? `+${unit(v)}` : unit(v);

export function recommendationText(set: RecommendationSet): string {
  const rows: string[][] = [HEADER];
  for (const w of set.workloads)
    for (const r of w.containers)
      rows.push([
        w.namespace,
        w.kind,
        w.name,
        r.name,
        String(r.pods),
        millicores(r.cpu.requestMillicores),
        millicores(r.cpu.p95Millicores),
        millicores(r.cpu.recommendedMillicores),
        signed(r.cpu.differenceMillicores, (x) => millicores(x)),
        mebibytes(r.memory.requestBytes),
        mebibytes(r.memory.maxBytes),
        mebibytes(r.memory.recommendedBytes),
        signed(r.memory.differenceBytes, (x) => mebibytes(x)),
        String(r.memory.oomKills),
        r.notes.join(', '),
      ]);
  const widths = HEADER.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const title = `Right-sizing over ${set.window}: ${set.start} to ${set.end}; DIFF = request − recommended (+ reclaimable, − short)`;
  return `${[title, '', ...lines].join('\n')}\n`;
}
