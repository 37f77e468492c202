// Starts a heapless function from its bundle as a ConfigMap delivers it, on the stock Node image:
//
//   node /app/runtime/load.mjs /app/<function> [args...]
//
// The folder holds the bundle either as it was built (index.mjs, e.g. in deploy/Dockerfile's image)
// or brotli-compressed in parts (index.mjs.br.0, .1, ...): a ConfigMap holds at most 1 MiB, and
// client-side `kubectl apply` keeps a copy of each object in a 256 KiB annotation, so the build
// (scripts/deploy-bundles.mjs) splits the compressed bundle over several ConfigMaps. The parts are
// joined, decompressed and written to $TMPDIR/heapless/<function>/index.mjs (the pod's emptyDir at
// /tmp: the root filesystem is read-only), then imported with the function's own arguments.
// Exit 2 when the folder holds no bundle.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

const PART = /^index\.mjs\.br\.(\d+)$/;

function fail(error, hint) {
  process.stdout.write(
    JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      fn: 'load',
      event: 'bundle_missing',
      error,
      hint,
    }) + '\n',
  );
  process.exit(2);
}

const [dir, ...args] = process.argv.slice(2);
if (!dir) fail('usage: node load.mjs <function folder> [args...]', 'the container command names the folder');
const folder = resolve(dir);
let entry = join(folder, 'index.mjs');
if (!existsSync(entry)) {
  let parts;
  try {
    parts = readdirSync(folder)
      .map((f) => PART.exec(f))
      .filter(Boolean)
      .sort((a, b) => Number(a[1]) - Number(b[1]));
  } catch (err) {
    fail(`cannot read ${folder}: ${err.message}`, 'check the bundle ConfigMap volumes mounted there');
  }
  if (parts.length === 0 || parts.some((p, i) => Number(p[1]) !== i))
    fail(`no complete bundle in ${folder} (index.mjs.br.0, .1, ...)`, 'run `npm run build`, then apply again');
  const code = brotliDecompressSync(Buffer.concat(parts.map((p) => readFileSync(join(folder, p[0])))));
  const out = join(tmpdir(), 'heapless', basename(folder));
  mkdirSync(out, { recursive: true, mode: 0o700 });
  entry = join(out, 'index.mjs');
  writeFileSync(entry, code, { mode: 0o600 });
}
// The function reads its flags from process.argv.slice(2), as if started as `node index.mjs ...`.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
