/**
 * The repository stands alone: a user's clone has no folder beside it, so no file of the
 * project may name one. Every relative path written in a source or manifest must resolve inside
 * the project, and nothing may name the reference folder or an override for it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, PROJECT_DIR } from '#test/helpers/paths';

const ROOTS = ['functions', 'shared', 'test', 'bench', 'deploy'];
const TEXT = /\.(ts|mts|mjs|js|json|ya?ml|md|sh|html|css)$|Dockerfile/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Captured payloads are data: their strings are paths inside the captured clusters.
    if (path === FIXTURES_DIR) continue;
    if (entry.isDirectory()) yield* files(path);
    else if (TEXT.test(entry.name) && statSync(path).size < 2_000_000) yield path;
  }
}

/** Each quoted or bare `../…` path in a line, as written. */
const RELATIVE = /(?<![\w.])((?:\.\.\/)+[\w.@/-]*)/g;
/**
 * Names of the reference folder and of the override that once pointed at it, assembled from parts
 * so that this file does not itself name what it forbids.
 */
const FORBIDDEN_NAMES = [
  ['HEAPLESS', 'SHARED', 'DIR'],
  ['REFERENCE', 'DIR'],
].map((parts) => parts.join('_'));
const REFERENCE = new RegExp([...FORBIDDEN_NAMES, `['"]\\.\\.['"]\\s*,\\s*['"]shared['"]`, '/work/shared'].join('|'));

const isInside = (path: string): boolean => !relative(PROJECT_DIR, path).startsWith('..');

describe('the repository stands alone', () => {
  const all = ROOTS.flatMap((root) => [...files(join(PROJECT_DIR, root))]);
  const self = new URL(import.meta.url).pathname;

  it('reads many files, so an empty walk cannot pass', () => {
    expect(all.length).toBeGreaterThan(150);
  });

  it('no file names the reference folder or an override for it', () => {
    const offenders = all
      .filter((f) => f !== self)
      .filter((f) => REFERENCE.test(readFileSync(f, 'utf8')))
      .map((f) => relative(PROJECT_DIR, f));
    expect(offenders).toEqual([]);
  });

  it('every relative path written in a file resolves inside the project', () => {
    const outside: string[] = [];
    for (const file of all) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const [, path] of line.matchAll(RELATIVE)) {
            if (!isInside(resolve(dirname(file), path!)))
              outside.push(`${relative(PROJECT_DIR, file)}:${i + 1}: ${path}`);
          }
        });
    }
    expect(outside).toEqual([]);
  });

  it('the fixtures and Heapster dashboards the tests use are in the tree, with their sources', () => {
    const sources = readFileSync(join(FIXTURES_DIR, 'SOURCES.md'), 'utf8');
    for (const dir of ['kubelet-summary', 'apiserver', 'metrics-api', 'heapster-grafana']) {
      for (const name of readdirSync(join(FIXTURES_DIR, dir)).filter((n) => n.endsWith('.json'))) {
        expect(sources, `${dir}/${name} has a row in SOURCES.md`).toContain(name);
      }
    }
  });
});
