/**
 * @module query/labels-tag
 * Reads back the `labels` tag the collector writes (derive/tags labelsTag: sorted `key:value`
 * joined by `,`). Real label keys and values contain neither `:` nor `,`, so the split is exact;
 * for values that break the rules anyway (the simulator has `a b,c=d"e`), a piece without a `:`
 * is taken as the rest of the previous value.
 */

/** Pods of one workload share their labels: parsed once, as long as the cache holds (entries). */
const CACHE_MAX = 10_000;
const cache = new Map<string, Readonly<Record<string, string>>>();

/** The labels of a tag; frozen, since one object serves every pod with the same tag. */
export function parseLabelsTag(tag: string | null | undefined): Readonly<Record<string, string>> {
  const key = tag ?? '';
  let labels = cache.get(key);
  if (!labels) {
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, (labels = Object.freeze(parse(key))));
  }
  return labels;
}

function parse(tag: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!tag) return labels;
  let lastKey: string | undefined;
  for (const piece of tag.split(',')) {
    const at = piece.indexOf(':');
    if (at > 0) {
      lastKey = piece.slice(0, at);
      // defineProperty: a key `__proto__` must stay a label, not replace the object's prototype.
      Object.defineProperty(labels, lastKey, {
        value: piece.slice(at + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (lastKey !== undefined) {
      labels[lastKey] += ',' + piece;
    }
  }
  return labels;
}
