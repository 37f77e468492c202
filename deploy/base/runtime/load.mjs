// Starts a heapless function from its bundle as a ConfigMap delivers it, on the stock Node image:
//
//   node /app/runtime/load.mjs /app/<function> [args...]
//
// The folder holds the bundle either as it was built (index.mjs, e.g. in deploy/Dockerfile's image)
// or brotli-compressed in parts (index.mjs.br.0, .1, ...) beside manifest.json: a ConfigMap holds
// at most 1 MiB, and client-side `kubectl apply` keeps a copy of each object in a 256 KiB
// annotation, so the build (scripts/deploy-bundles.mjs) splits the compressed bundle over several
// ConfigMaps and writes the manifest (the number of parts, the bundle's size and SHA-256) into the
// first. Before anything is imported the parts are checked against the manifest (none missing,
// none extra), joined, decompressed (never past the manifest's size) and the result's SHA-256
// compared; then it is written to $TMPDIR/heapless/<function>/index.mjs (the pod's emptyDir at
// /tmp: the root filesystem is read-only), created exclusively in a folder of our own, so no
// symlink planted there is followed, and imported with the function's own arguments.
// Any damage (a part missing, cut, empty, swapped or from another build, a flipped byte, an extra
// part, an unsafe temporary folder) ends in one JSON line on stdout, event `bundle_invalid` with
// `reason`, `error` and `hint`, and exit code 2, before any of the function's code runs.
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

const PART = /^index\.mjs\.br\.(\d+)$/;
export const MANIFEST = 'manifest.json';
const REBUILD =
  'run `npm run build` and apply again, so every heapless-bundle-<function>-<i> ConfigMap comes from one build';

/** A bundle that must not run: `reason` is stable (logged), `hint` says what to do. */
export class BundleError extends Error {
  constructor(reason, message, hint) {
    super(message);
    this.name = 'BundleError';
    this.reason = reason;
    this.hint = hint;
  }
}

/** The manifest the build wrote: { function, parts, bytes, sha256 }. */
export function readManifest(folder) {
  let text;
  try {
    text = readFileSync(join(folder, MANIFEST), 'utf8');
  } catch (err) {
    throw new BundleError('manifest_missing', `${folder}/${MANIFEST}: ${err.code ?? err.message}`, REBUILD);
  }
  let m;
  try {
    m = JSON.parse(text);
  } catch {
    throw new BundleError('manifest_invalid', `${folder}/${MANIFEST} is not JSON`, REBUILD);
  }
  const ok =
    m !== null &&
    typeof m === 'object' &&
    Number.isSafeInteger(m.parts) &&
    m.parts >= 1 &&
    Number.isSafeInteger(m.bytes) &&
    m.bytes >= 1 &&
    typeof m.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(m.sha256);
  if (!ok) throw new BundleError('manifest_invalid', `${folder}/${MANIFEST} lacks parts, bytes or sha256`, REBUILD);
  return m;
}

/** The part files by index; throws unless exactly 0..parts-1 are there. */
function partFiles(folder, names, parts) {
  const found = new Map();
  for (const name of names) {
    const m = PART.exec(name);
    if (m) found.set(Number(m[1]), name);
  }
  const missing = [];
  for (let i = 0; i < parts; i++) if (!found.has(i)) missing.push(i);
  if (missing.length)
    throw new BundleError(
      'part_missing',
      `${folder}: part ${missing.join(', ')} of ${parts} (index.mjs.br.<i>) is missing`,
      `mount every heapless-bundle-<function>-<i> ConfigMap of the build in the projected volume; ${REBUILD}`,
    );
  const extra = [...found.keys()].filter((i) => i >= parts).sort((a, b) => a - b);
  if (extra.length)
    throw new BundleError(
      'part_extra',
      `${folder}: the manifest names ${parts} parts, but part ${extra.join(', ')} is there too`,
      `mount only the ConfigMaps of one build; ${REBUILD}`,
    );
  return Array.from({ length: parts }, (_, i) => join(folder, found.get(i)));
}

/**
 * The verified bundle of `folder`'s parts (a Buffer); throws a BundleError for any damage. Nothing
 * is written or imported here.
 */
export function unpack(folder) {
  let names;
  try {
    names = readdirSync(folder);
  } catch (err) {
    throw new BundleError(
      'folder_unreadable',
      `cannot read ${folder}: ${err.message}`,
      'check the bundle volume mounted there',
    );
  }
  if (!names.includes(MANIFEST) && !names.some((n) => PART.test(n)))
    throw new BundleError(
      'bundle_missing',
      `no bundle in ${folder} (index.mjs, or ${MANIFEST} and index.mjs.br.0, .1, ...)`,
      REBUILD,
    );
  const m = readManifest(folder);
  const packed = Buffer.concat(partFiles(folder, names, m.parts).map((f) => readFileSync(f)));
  const damaged = (detail) =>
    new BundleError(
      'bundle_damaged',
      `${folder}: the joined parts ${detail}: a part is cut, empty, swapped, changed or from another build`,
      REBUILD,
    );
  let code;
  try {
    // Never past the manifest's size: a damaged stream cannot make us write more than the bundle.
    code = brotliDecompressSync(packed, { maxOutputLength: m.bytes });
  } catch (err) {
    throw damaged(`do not decompress (${err.code ?? err.message})`);
  }
  if (code.length !== m.bytes) throw damaged(`decompress to ${code.length} bytes, not the manifest's ${m.bytes}`);
  const sha = createHash('sha256').update(code).digest('hex');
  if (sha !== m.sha256) throw damaged(`decompress to SHA-256 ${sha}, not the manifest's ${m.sha256}`);
  return code;
}

/** A folder of our own: a real directory (no symlink), ours, writable by nobody else. */
function ownFolder(dir) {
  const hint = `remove ${dir}, or set TMPDIR to a folder only this user can write`;
  let st;
  try {
    st = lstatSync(dir);
  } catch (err) {
    throw new BundleError('unsafe_tmp', `cannot check ${dir}: ${err.message}`, hint);
  }
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new BundleError('unsafe_tmp', `${dir} is not a directory (a symlink?)`, hint);
  if (uid !== undefined && st.uid !== uid)
    throw new BundleError('unsafe_tmp', `${dir} belongs to uid ${st.uid}, not ${uid}`, hint);
  if ((st.mode & 0o022) !== 0)
    throw new BundleError('unsafe_tmp', `${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`, hint);
}

/**
 * Writes the bundle to $TMPDIR/heapless/<name>/index.mjs, created exclusively (O_EXCL: a symlink
 * there is never followed); a previous run's regular file is replaced. Returns the path.
 */
export function writeBundle(name, code, tmp = tmpdir()) {
  const top = join(tmp, 'heapless');
  const out = join(top, name);
  try {
    mkdirSync(out, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new BundleError(
      'tmp_unwritable',
      `cannot create ${out}: ${err.code ?? err.message}`,
      'mount a writable emptyDir at /tmp (the root filesystem is read-only), or set TMPDIR to a writable folder',
    );
  }
  ownFolder(top);
  ownFolder(out);
  const entry = join(out, 'index.mjs');
  let st;
  try {
    st = lstatSync(entry);
  } catch {
    // None yet.
  }
  if (st && !st.isFile())
    throw new BundleError('unsafe_tmp', `${entry} is not a regular file (a symlink?)`, `remove ${entry}`);
  if (st) unlinkSync(entry);
  try {
    writeFileSync(entry, code, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw new BundleError(
      'unsafe_tmp',
      `cannot create ${entry} exclusively: ${err.code ?? err.message}`,
      'another loader wrote it meanwhile, or the folder changed: run again, with a TMPDIR of its own',
    );
  }
  return entry;
}

function fail(reason, error, hint) {
  const line = {
    time: new Date().toISOString(),
    level: 'error',
    fn: 'load',
    event: 'bundle_invalid',
    reason,
    error,
    hint,
  };
  process.stdout.write(JSON.stringify(line) + '\n');
  process.exit(2);
}

async function main() {
  const [dir, ...args] = process.argv.slice(2);
  if (!dir) fail('usage', 'usage: node load.mjs <function folder> [args...]', 'the container command names the folder');
  const folder = resolve(dir);
  let entry = join(folder, 'index.mjs');
  if (!existsSync(entry)) {
    try {
      entry = writeBundle(basename(folder), unpack(folder));
    } catch (err) {
      if (err instanceof BundleError) fail(err.reason, err.message, err.hint);
      fail('unexpected', err.message, 'report this with the line above; meanwhile run the image of deploy/Dockerfile');
    }
  }
  // The function reads its flags from process.argv.slice(2), as if started as `node index.mjs ...`.
  process.argv = [process.argv[0], entry, ...args];
  await import(pathToFileURL(entry).href);
}

// Run as a script (a ConfigMap mounts this file behind a symlink: compare real paths), not when a
// test imports it.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(self)) await main();
