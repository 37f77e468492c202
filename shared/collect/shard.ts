/**
 * @module collect/shard
 * Sharding a run over a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or SHARD_INDEX/SHARD_COUNT.
 * A node belongs to one of 256 buckets by a hash of its name, and bucket b to shard b mod count:
 * the split is stable while the count stays, and the state store can fetch a shard's nodes by
 * their `bucket` tag instead of reading every node's state.
 */

export const BUCKETS = 256;

export interface Shard {
  index: number;
  count: number;
}

/** FNV-1a (32 bit) of the UTF-16 code units: fast, stable across runs and processes. */
export function bucketOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

export function inShard(name: string, shard: Shard): boolean {
  return shard.count <= 1 || bucketOf(name) % shard.count === shard.index;
}

/** The buckets a shard owns; every bucket when unsharded. */
export function bucketsOf(shard: Shard): number[] {
  return Array.from({ length: BUCKETS }, (_, b) => b).filter(
    (b) => shard.count <= 1 || b % shard.count === shard.index,
  );
}
