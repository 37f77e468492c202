/**
 * @module query/auth/ttl-cache
 * A bounded map whose entries expire: enough to spare the API server one review per request
 * without letting a flood of distinct keys (random tokens) grow memory.
 */

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresMs: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expiresMs > this.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  /** A full cache drops its oldest entry (Map keeps insertion order). */
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresMs: this.now() + ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
