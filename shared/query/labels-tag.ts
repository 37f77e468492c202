/**
 * @module query/labels-tag
 * Reads back the `labels` tag the collector writes (derive/tags labelsTag: sorted `key:value`
 * joined by `,`). Real label keys and values contain neither `:` nor `,`, so the split is exact;
 * for values that break the rules anyway (the simulator has `a b,c=d"e`), a piece without a `:`
 * is taken as the rest of the previous value.
 */

export function parseLabelsTag(tag: string | null | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!tag) return labels;
  let lastKey: string | undefined;
  for (const piece of tag.split(',')) {
    const at = piece.indexOf(':');
    if (at > 0) {
      lastKey = piece.slice(0, at);
      labels[lastKey] = piece.slice(at + 1);
    } else if (lastKey !== undefined) {
      labels[lastKey] += ',' + piece;
    }
  }
  return labels;
}
