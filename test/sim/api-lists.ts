/**
 * @module sim/api-lists
 * List responses with selectors and `limit`/`continue` paging over a lazily built sequence
 * (items are made one by one, so big clusters are never materialized in full).
 */
import type { ServerResponse } from 'node:http';
import { sendJson, sendStatus } from '#test/sim/http-util';
import { fieldSelector, labelSelector, parseFieldSelector, SelectorError, type FieldTerm } from '#test/sim/selectors';
import { podListHead, podListItem, podListTail } from '#test/sim/pod-protobuf';

type Json = Record<string, unknown>;

/** An ordered, indexable collection of API objects (live-list item shape). */
export interface ListSource {
  size(): number;
  at(index: number): Json;
  /** A smaller equivalent source for these field terms (e.g. pods of one node), if any. */
  narrow?(terms: FieldTerm[]): ListSource | undefined;
}

export interface ListKind {
  kind: string;
  apiVersion: string;
}

/**
 * Answer a list request: filter, page, wrap as `<Kind>List` with `metadata.resourceVersion`.
 * `protobuf`: the item's protobuf encoding, when the client asked for it (pods only).
 */
export function sendList(
  res: ServerResponse,
  url: URL,
  source: ListSource,
  list: ListKind,
  resourceVersion: string,
  ignoreLimit = false,
  protobuf?: (obj: Json) => Buffer,
  pieceBytes?: number,
): void {
  try {
    const terms = parseFieldSelector(url.searchParams.get('fieldSelector'));
    const byLabels = labelSelector(url.searchParams.get('labelSelector'));
    const byFields = fieldSelector(terms);
    if (ignoreLimit) {
      const matches = (o: Json) => byLabels(o) && byFields(o);
      const narrowed = source.narrow?.(terms) ?? source;
      if (protobuf) void streamWholeProtobuf(res, narrowed, matches, protobuf, resourceVersion);
      else void streamWhole(res, narrowed, matches, list, resourceVersion);
      return;
    }
    const page = listPage(source.narrow?.(terms) ?? source, (o) => byLabels(o) && byFields(o), url);
    const metadata: Json = { resourceVersion };
    if (page.continueAt !== undefined) metadata['continue'] = encodeContinue(page.continueAt);
    if (protobuf) {
      const items = page.items.map((o) => podListItem(protobuf(o)));
      const total = items.reduce((n, b) => n + b.length, 0);
      const head = podListHead(total, {
        resourceVersion,
        ...(metadata['continue'] ? { continue: String(metadata['continue']) } : {}),
      });
      void sendBody(res, PROTOBUF, Buffer.concat([head, ...items, podListTail()]), pieceBytes);
      return;
    }
    const answer = { kind: list.kind, apiVersion: list.apiVersion, metadata, items: page.items };
    if (pieceBytes) void sendBody(res, 'application/json', Buffer.from(JSON.stringify(answer)), pieceBytes);
    else sendJson(res, 200, answer);
  } catch (error) {
    if (!(error instanceof SelectorError)) throw error;
    sendStatus(res, 400, error.message);
  }
}

/**
 * Every match in one answer, whatever `limit` says, written item by item with back-pressure so
 * the simulator never holds the whole list either.
 */
async function streamWhole(
  res: ServerResponse,
  source: ListSource,
  matches: (obj: Json) => boolean,
  list: ListKind,
  resourceVersion: string,
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  const head = { kind: list.kind, apiVersion: list.apiVersion, metadata: { resourceVersion } };
  let chunk = `${JSON.stringify(head).slice(0, -1)},"items":[`;
  let first = true;
  const size = source.size();
  for (let i = 0; i < size; i++) {
    const obj = source.at(i);
    if (!matches(obj)) continue;
    chunk += (first ? '' : ',') + JSON.stringify(obj);
    first = false;
    if (chunk.length < 65_536) continue;
    if (res.destroyed) return;
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    chunk = '';
  }
  if (!res.destroyed) res.end(`${chunk}]}`);
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * The whole list in protobuf, streamed with back-pressure. The envelope holds the List's length
 * before its items, so the items are encoded twice: once to measure, once to send (the simulator
 * never holds the whole list).
 */
async function streamWholeProtobuf(
  res: ServerResponse,
  source: ListSource,
  matches: (obj: Json) => boolean,
  encode: (obj: Json) => Buffer,
  resourceVersion: string,
): Promise<void> {
  const size = source.size();
  let total = 0;
  for (let i = 0; i < size; i++) {
    const obj = source.at(i);
    if (matches(obj)) total += podListItem(encode(obj)).length;
  }
  res.writeHead(200, { 'Content-Type': PROTOBUF });
  let parts: Buffer[] = [podListHead(total, { resourceVersion })];
  let bytes = 0;
  for (let i = 0; i < size; i++) {
    const obj = source.at(i);
    if (!matches(obj)) continue;
    const item = podListItem(encode(obj));
    parts.push(item);
    bytes += item.length;
    if (bytes < 65_536) continue;
    if (res.destroyed) return;
    if (!res.write(Buffer.concat(parts))) await new Promise((r) => res.once('drain', r));
    parts = [];
    bytes = 0;
  }
  if (!res.destroyed) res.end(Buffer.concat([...parts, podListTail()]));
}

/** An answer in writes of `pieceBytes` (each its own TLS record), or whole; 200. */
export async function sendBody(
  res: ServerResponse,
  contentType: string,
  body: Buffer,
  pieceBytes = body.length,
): Promise<void> {
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
  for (let at = 0; at < body.length; at += Math.max(1, pieceBytes)) {
    if (res.destroyed) return;
    await new Promise((resolve) => res.write(body.subarray(at, at + Math.max(1, pieceBytes)), resolve));
  }
  if (!res.destroyed) res.end();
}

interface Page {
  items: Json[];
  /** Index of the first match of the next page, when there is one. */
  continueAt: number | undefined;
}

function listPage(source: ListSource, matches: (obj: Json) => boolean, url: URL): Page {
  const limit = Number(url.searchParams.get('limit') ?? '0');
  const start = decodeContinue(url.searchParams.get('continue'));
  const items: Json[] = [];
  const size = source.size();
  for (let i = start; i < size; i++) {
    const obj = source.at(i);
    if (!matches(obj)) continue;
    if (limit > 0 && items.length === limit) return { items, continueAt: i };
    items.push(obj);
  }
  return { items, continueAt: undefined };
}

/** Opaque to clients: base64url JSON holding the next offset. */
function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeContinue(token: string | null): number {
  if (!token) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the error below
  }
  throw new SelectorError('invalid continue token');
}

/** A source over a plain array (small collections: fixture pods, events, namespaces). */
export function arraySource(items: Json[]): ListSource {
  return { size: () => items.length, at: (i) => items[i] ?? {} };
}

/** Concatenate sources in order. */
export function concatSources(sources: ListSource[]): ListSource {
  return {
    size: () => sources.reduce((sum, s) => sum + s.size(), 0),
    at(index) {
      let i = index;
      for (const source of sources) {
        if (i < source.size()) return source.at(i);
        i -= source.size();
      }
      return {};
    },
  };
}

/** The first item with this namespace (or any, when undefined) and name. */
export function findByName(source: ListSource, name: string, namespace?: string): Json | undefined {
  for (let i = 0; i < source.size(); i++) {
    const obj = source.at(i);
    const meta = (obj['metadata'] ?? {}) as { name?: string; namespace?: string };
    if (meta.name === name && (namespace === undefined || meta.namespace === namespace)) return obj;
  }
  return undefined;
}
