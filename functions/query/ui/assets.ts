/**
 * @module query/ui/assets
 * The page's files (ui/assets.json: served path → file, from the project root, and its type).
 * Under tsx they are read from disk once, at import; in the bundle, esbuild.config.mjs replaces
 * this module by one holding the same files as strings, so dist/query/index.mjs needs no file.
 */
import { readFileSync } from 'node:fs';
import list from './assets.json' with { type: 'json' };

export interface Asset {
  body: string;
  type: string;
}

const ROOT = new URL('../../../', import.meta.url);

export const ASSETS: Record<string, Asset> = Object.fromEntries(
  Object.entries(list).map(([path, a]) => [path, { body: readFileSync(new URL(a.file, ROOT), 'utf8'), type: a.type }]),
);
