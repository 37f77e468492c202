/**
 * @module tag-bytes.test
 * The tag set the encoder copies into every line (encode/tag-bytes) is byte for byte what
 * tagString writes for the same tags merged with the sample's extra tags, whatever the key order,
 * empty values, shared keys or characters that need escaping.
 */
import { describe, expect, it } from 'vitest';
import { TagBytes } from '#shared/encode/tag-bytes';
import { tagString } from '#shared/encode/line-protocol';
import type { Tags } from '#shared/model';

const VALUES = [
  '',
  'a',
  'pod-7',
  'app:x,tier:web',
  'a b',
  'k=v',
  'back\\slash',
  'ends\\',
  'line\nbreak',
  'ünï 🚀',
  'tab\t',
];
const KEYS = ['type', 'nodename', 'labels', 'pod_name', 'cluster_name', 'resource_id', 'container_name', 'a b', 'z'];

/** A deterministic pseudo-random sequence, so a failure names a case that can be rerun. */
function* cases(count: number): Generator<[Tags, Tags | undefined]> {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const tags = (size: number): Tags => {
    const t: Tags = {};
    for (let i = 0; i < size; i++) t[KEYS[next(KEYS.length)] as string] = VALUES[next(VALUES.length)] as string;
    return t;
  };
  for (let i = 0; i < count; i++) yield [tags(next(9)), next(3) === 0 ? undefined : tags(next(3))];
}

describe('TagBytes', () => {
  it('writes what tagString writes for the merged tags, for 2,000 tag sets', () => {
    const t = new TagBytes();
    for (const [tags, extra] of cases(2000)) {
      const want = tagString(extra ? { ...tags, ...extra } : tags);
      expect(t.of(tags, extra).toString('utf8'), JSON.stringify([tags, extra])).toBe(want);
    }
  });

  it('grows past its first buffer for long values', () => {
    const long = 'x'.repeat(10_000);
    expect(new TagBytes().of({ labels: long, type: 'pod' }).toString()).toBe(`,labels=${long},type=pod`);
  });
});
