/**
 * deploy/base/runtime/load.mjs, run as the pods run it (node, the function's folder as the
 * projected ConfigMap volume lays it out), on the real rollup bundle the build wrote to
 * deploy/base/bundles/rollup (the suite's global setup builds it). Every kind of damage to the
 * parts or the manifest, and an unsafe temporary folder, ends in one JSON line and exit 2 before
 * any of the function's code runs; the intact bundle runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '#test/helpers/paths';

const LOADER = join(PROJECT_DIR, 'deploy', 'base', 'runtime', 'load.mjs');
const BUILT = join(PROJECT_DIR, 'deploy', 'base', 'bundles', 'rollup');
const run = promisify(execFile);

interface Loader {
  unpack(folder: string): Buffer;
  BundleError: new (...args: never[]) => Error;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let root: string;
let app: string;
let tmp: string;

/** Runs the loader on the rollup folder with `--help` (prints the settings, touches nothing else). */
async function load(): Promise<Outcome> {
  const env = { PATH: process.env['PATH'] ?? '', TMPDIR: tmp };
  try {
    const { stdout, stderr } = await run(process.execPath, [LOADER, app, '--help'], { env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The documented error: one JSON line, exit 2, nothing on stderr (no stack), nothing of the function's. */
function expectRefused(o: Outcome, reason: string): Record<string, unknown> {
  expect(o.code, o.stdout + o.stderr).toBe(2);
  expect(o.stderr).toBe('');
  const lines = o.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(Object.keys(line)).toEqual(['time', 'level', 'fn', 'event', 'reason', 'error', 'hint']);
  expect(line).toMatchObject({ level: 'error', fn: 'load', event: 'bundle_invalid', reason });
  expect(String(line['hint']).length).toBeGreaterThan(10);
  return line;
}

const part = (i: number): string => join(app, `index.mjs.br.${i}`);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'heapless-loader-'));
});

beforeEach(() => {
  rmSync(join(root, 'app'), { recursive: true, force: true });
  rmSync(join(root, 'tmp'), { recursive: true, force: true });
  app = join(root, 'app', 'rollup');
  tmp = join(root, 'tmp');
  mkdirSync(tmp, { mode: 0o700 });
  cpSync(BUILT, app, { recursive: true });
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the build’s manifest', () => {
  it('names the part count and the bundle’s size and SHA-256, computed here from dist/', () => {
    const manifest = JSON.parse(readFileSync(join(BUILT, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const bundle = readFileSync(join(PROJECT_DIR, 'dist', 'rollup', 'index.mjs'));
    const parts = readdirSync(BUILT).filter((f) => /^index\.mjs\.br\.\d+$/.test(f));
    expect(manifest).toEqual({
      function: 'rollup',
      parts: parts.length,
      bytes: bundle.length,
      sha256: createHash('sha256').update(bundle).digest('hex'),
    });
  });
});

describe('load.mjs', () => {
  it('runs the intact bundle, unpacked as a private file, again over the previous run’s', async () => {
    for (let i = 0; i < 2; i++) {
      const o = await load();
      expect(o.code, o.stdout + o.stderr).toBe(0);
      expect(o.stdout).toContain('ROLLUP_LEVELS');
    }
    const unpacked = join(tmp, 'heapless', 'rollup', 'index.mjs');
    expect(readFileSync(unpacked)).toEqual(readFileSync(join(PROJECT_DIR, 'dist', 'rollup', 'index.mjs')));
    expect(statSync(unpacked).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a missing last part', () => rmSync(part(1)), 'part_missing'],
    ['a missing first part', () => rmSync(part(0)), 'part_missing'],
    ['a cut part', () => writeFileSync(part(0), readFileSync(part(0)).subarray(0, 1000)), 'bundle_damaged'],
    ['a cut last part', () => writeFileSync(part(1), readFileSync(part(1)).subarray(0, 5)), 'bundle_damaged'],
    ['an empty part', () => writeFileSync(part(1), ''), 'bundle_damaged'],
    [
      'swapped parts',
      () => {
        const [a, b] = [readFileSync(part(0)), readFileSync(part(1))];
        writeFileSync(part(0), b);
        writeFileSync(part(1), a);
      },
      'bundle_damaged',
    ],
    [
      'one flipped byte',
      () => {
        const b = readFileSync(part(1));
        b[100] = (b[100] as number) ^ 0x01;
        writeFileSync(part(1), b);
      },
      'bundle_damaged',
    ],
    ['an extra part', () => writeFileSync(part(2), readFileSync(part(1))), 'part_extra'],
    [
      'a part of another function’s build',
      () => cpSync(join(BUILT, '..', 'events', 'index.mjs.br.1'), part(1)),
      'bundle_damaged',
    ],
    ['no manifest', () => rmSync(join(app, 'manifest.json')), 'manifest_missing'],
    ['a manifest that is not JSON', () => writeFileSync(join(app, 'manifest.json'), '{"parts":'), 'manifest_invalid'],
    [
      'a manifest without the SHA-256',
      () => writeFileSync(join(app, 'manifest.json'), '{"parts":2,"bytes":10}'),
      'manifest_invalid',
    ],
    [
      'an empty folder',
      () => {
        rmSync(app, { recursive: true });
        mkdirSync(app);
      },
      'bundle_missing',
    ],
  ])('refuses %s: one JSON line with a hint, exit 2', async (_what, damage, reason) => {
    damage();
    expectRefused(await load(), reason);
  });

  it('never follows a symlink at $TMPDIR/heapless/<fn>/index.mjs: its target stays as it was', async () => {
    const victim = join(root, 'victim');
    writeFileSync(victim, 'precious');
    mkdirSync(join(tmp, 'heapless', 'rollup'), { recursive: true, mode: 0o700 });
    symlinkSync(victim, join(tmp, 'heapless', 'rollup', 'index.mjs'));
    const line = expectRefused(await load(), 'unsafe_tmp');
    expect(line['error']).toMatch(/symlink/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('refuses a $TMPDIR/heapless that is a symlink, or that others can write', async () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, join(tmp, 'heapless'));
    expectRefused(await load(), 'unsafe_tmp');
    expect(readdirSync(elsewhere)).toEqual(['rollup']);
    expect(readdirSync(join(elsewhere, 'rollup'))).toEqual([]);

    rmSync(join(tmp, 'heapless'));
    mkdirSync(join(tmp, 'heapless'));
    chmodSync(join(tmp, 'heapless'), 0o777);
    expectRefused(await load(), 'unsafe_tmp');
  });

  it('says so when $TMPDIR cannot be written (no emptyDir at /tmp)', async () => {
    // A file where the folder should be (root may write anywhere, so no permission bits).
    tmp = join(root, 'tmp', 'not-a-folder');
    writeFileSync(tmp, '');
    const line = expectRefused(await load(), 'tmp_unwritable');
    expect(line['hint']).toMatch(/emptyDir/);
  });

  it('refuses every one of 150 random one-byte corruptions of the parts before importing anything', async () => {
    // Prepare: a seeded generator, so a failure names a corruption that can be replayed.
    const { unpack, BundleError } = (await import(pathToFileURL(LOADER).href)) as Loader;
    const parts = [readFileSync(part(0)), readFileSync(part(1))];
    let seed = 22;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    expect(unpack(app)).toEqual(readFileSync(join(PROJECT_DIR, 'dist', 'rollup', 'index.mjs')));
    const accepted: string[] = [];
    for (let k = 0; k < 150; k++) {
      const i = random(2);
      const p = Buffer.from(parts[i] as Buffer);
      const at = random(p.length);
      p[at] = ((p[at] as number) + 1 + random(255)) % 256;
      writeFileSync(part(i), p);
      try {
        unpack(app);
        accepted.push(`part ${i} byte ${at}`);
      } catch (err) {
        if (!(err instanceof BundleError)) throw err;
      }
      writeFileSync(part(i), parts[i] as Buffer);
    }
    expect(accepted).toEqual([]);
  });
});
