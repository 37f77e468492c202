import { describe, expect, it } from 'vitest';
import { ListSplitter } from '#shared/kube/list-splitter';

/** A list whose strings hold every character that could fool a scanner: quotes, escapes, brackets. */
const LIST = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'eyJvZmZzZXQiOjJ9' },
  items: [
    { metadata: { name: 'a', annotations: { note: 'braces } ] { [ and "quotes" and \\ backslash \\"' } } },
    { metadata: { name: 'b', labels: { items: '[' } }, spec: { containers: [{ name: 'c', args: ['{', '}'] }] } },
    { metadata: { name: 'ü — unicode 🚀' } },
  ],
};

describe('ListSplitter', () => {
  const text = Buffer.from(JSON.stringify(LIST));
  it.each([1, 2, 3, 7, 64, text.length])('finds every item and the metadata in chunks of %i bytes', (size) => {
    const items: unknown[] = [];
    const s = new ListSplitter((item) => items.push(item));
    for (let i = 0; i < text.length; i += size) s.write(text.subarray(i, i + size));
    s.end();
    expect(items).toEqual(LIST.items);
    expect(s.metadata).toEqual(LIST.metadata);
  });

  it('an empty list and a list cut short', () => {
    const empty = new ListSplitter(() => undefined);
    empty.write(Buffer.from('{"kind":"PodList","metadata":{},"items":[]}'));
    expect(() => empty.end()).not.toThrow();
    const cut = new ListSplitter(() => undefined);
    cut.write(text.subarray(0, text.length - 10));
    expect(() => cut.end()).toThrow(/before its closing bracket/);
  });
});
