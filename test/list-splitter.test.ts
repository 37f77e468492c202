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

  it.each([
    ['an HTML page', '<!doctype html><html></html>', /not a JSON object but text starting with "<"/],
    ['gzip', '\x1f\x8b\x08\x00', /not a JSON object but gzip/],
    [
      'a Status',
      '{"kind":"Status","status":"Failure","message":"etcd is gone","code":500}',
      /a Status, not a list: etcd is gone/,
    ],
    ['an object without items', '{"kind":"PodList","metadata":{}}', /a PodList, not a list/],
    ['an empty body', '', /empty, not a list/],
    ['bytes after the list', '{"kind":"PodList","items":[]} x', /more bytes follow the list/],
  ])('%s is not a list', (_, body, error) => {
    const s = new ListSplitter(() => undefined);
    expect(() => {
      s.write(Buffer.from(body, 'latin1'));
      s.end();
    }).toThrow(error);
  });

  it('"items": null (a nil slice, as Go writes it) is an empty list', () => {
    const s = new ListSplitter(() => undefined);
    s.write(Buffer.from('{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":null}'));
    expect(() => s.end()).not.toThrow();
    expect(s.items).toBe(0);
  });
});
