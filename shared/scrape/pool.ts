/**
 * @module scrape/pool
 * Runs `work` over `items` with at most `limit` in flight. Each item's failure is its own:
 * `work` is expected to catch, so one bad kubelet never stops the others. `mayStart` is asked
 * before each item: once it says no (the run's deadline is near), no further item starts.
 * Resolves with the items never started.
 */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  mayStart: () => boolean = () => true,
): Promise<T[]> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && mayStart()) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return items.slice(next);
}
