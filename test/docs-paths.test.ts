/**
 * @module docs-paths.test
 * Every repository path the docs name exists: in README.md and deploy/README.md, each backticked
 * path under one of the repository's top-level folders (`shared/kube/list.ts`, `deploy/base/`,
 * `test/start.ts`, globs and `<name>` placeholders up to their first wildcard) and each relative
 * Markdown link; and in the comments of deploy/'s YAML, each such path (rbac.yaml cited a test
 * file that did not exist). `dist/` is what `npm run build` writes (vitest's global setup builds
 * it first).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '#test/helpers/paths';

const DOCS = ['README.md', 'deploy/README.md'];
/** The repository's top-level folders (and dist/, the build's output). */
const TOP = readdirSync(PROJECT_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['node_modules', '.git', '.cache'].includes(e.name))
  .map((e) => e.name);

/** Paths named in `doc`: backticked ones under a top-level folder, and relative link targets. */
function namedPaths(doc: string, text: string): string[] {
  const here = dirname(doc);
  const ticked = [...text.matchAll(/`([^`\s]+)`/g)]
    .map((m) => (m[1] as string).replace(/[.,:;]+$/, ''))
    .map((p) => (p.startsWith('../') ? join(here, p) : p))
    .filter((p) => TOP.some((d) => p.startsWith(`${d}/`)));
  const linked = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)]
    .map((m) => m[1] as string)
    .filter((p) => !/^[a-z]+:/.test(p))
    .map((p) => join(here, p));
  return [...new Set([...ticked, ...linked])].map(beforeWildcard);
}

/** `functions/<name>/index.ts` → `functions/`; `shared/kube/*list*` → `shared/kube/`. */
function beforeWildcard(path: string): string {
  const at = path.search(/[*<{]/);
  return at < 0 ? path : path.slice(0, path.lastIndexOf('/', at) + 1);
}

/** Paths under a top-level folder named in the YAML's comment lines. */
function commentPaths(text: string): string[] {
  const comments = text.split('\n').filter((l) => /^\s*#/.test(l));
  const re = new RegExp(`\\b(?:${TOP.join('|')})/[\\w./-]*[\\w/]`, 'g');
  return [...new Set(comments.flatMap((l) => l.match(re) ?? []))].map(beforeWildcard);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

describe('docs name only paths that exist', () => {
  it.each(DOCS)('%s', (doc) => {
    const paths = namedPaths(doc, readFileSync(join(PROJECT_DIR, doc), 'utf8'));
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !existsSync(join(PROJECT_DIR, p)))).toEqual([]);
  });

  it("deploy/'s YAML comments", () => {
    const missing = yamlFiles(join(PROJECT_DIR, 'deploy')).flatMap((f) =>
      commentPaths(readFileSync(f, 'utf8'))
        .filter((p) => !existsSync(join(PROJECT_DIR, p)))
        .map((p) => `${relative(PROJECT_DIR, f)}: ${p}`),
    );
    expect(missing).toEqual([]);
    expect(commentPaths('# see test/deploy-nope.test.ts and shared/kube/list.ts\nx: test/not-a-comment.ts')).toEqual([
      'test/deploy-nope.test.ts',
      'shared/kube/list.ts',
    ]);
  });

  it('finds a path that does not exist (the check itself works)', () => {
    expect(namedPaths('deploy/README.md', 'see `test/deploy-rbac-nope.test.ts` and [x](../nope.md)')).toEqual([
      'test/deploy-rbac-nope.test.ts',
      'nope.md',
    ]);
  });
});
