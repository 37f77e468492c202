/**
 * @module scrape/body-cap
 * The default KUBELET_MAX_BODY_BYTES, derived from the heap V8 was given, so that no payload
 * under the cap can exhaust it, whatever NODE_OPTIONS says. A node's payload lives as the body
 * bytes, while parsed also as text (1× each, one byte a character), JSON.parse's objects (measured
 * 1.1× on simulated summaries of 110 pods), and the decoded summary, derived series and encoded
 * lines (about 2×): 6× is that with room. Half the heap is left for everything else (pod list, previous counters, the
 * writer's bodies). KUBELET_CONCURRENCY nodes are in that state at once.
 */
import { getHeapStatistics } from 'node:v8';

/** Heap bytes one payload byte can cost while its node is processed. */
export const HEAP_PER_BODY_BYTE = 6;
const MIN_CAP = 256 * 1024;
const MAX_CAP = 64 * 1024 * 1024;

export function defaultMaxBodyBytes(concurrency: number, heapLimit = getHeapStatistics().heap_size_limit): number {
  const cap = Math.floor(heapLimit / 2 / (concurrency * HEAP_PER_BODY_BYTE));
  return Math.min(MAX_CAP, Math.max(MIN_CAP, cap));
}
