// The build's deploy half (run by esbuild.config.mjs after the bundles): puts each function's
// bundle where kustomize generates its ConfigMaps from, and renders the install manifest.
//
// A ConfigMap holds at most 1 MiB, and client-side `kubectl apply` stores the whole object in its
// 256 KiB last-applied annotation (binaryData as base64, 4/3 of the bytes). The bundles are 1.6 to
// 2 MB, most of it @kubernetes/client-node's generated models, so each is brotli-compressed (to
// about 12 %) and split into PARTS ConfigMaps of at most MAX_PART bytes each, the first of which
// also holds manifest.json (the part count, the bundle's size and SHA-256);
// deploy/base/runtime/load.mjs checks the parts against it, joins and decompresses them in the pod.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

/** Parts per function: deploy/base/kustomization.yaml generates one ConfigMap per part. */
export const PARTS = 2;
/** 180 KiB: base64 makes 240 KiB, under the 256 KiB annotation with the object's metadata. */
export const MAX_PART = 180 * 1024;
export const BUNDLES_DIR = 'deploy/base/bundles';

/**
 * Compresses dist/<fn>/index.mjs into deploy/base/bundles/<fn>/index.mjs.br.<i> and writes
 * manifest.json beside them (what the loader checks before it imports anything); returns the sizes.
 */
export function packBundles(functions, { dist = 'dist', out = BUNDLES_DIR } = {}) {
  rmSync(out, { recursive: true, force: true });
  const sizes = {};
  for (const fn of functions) {
    const code = readFileSync(join(dist, fn, 'index.mjs'));
    const packed = brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: 24,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    });
    const size = Math.ceil(packed.length / PARTS);
    if (size > MAX_PART)
      throw new Error(
        `${fn}: the compressed bundle (${packed.length} bytes) does not fit ${PARTS} ConfigMaps of ${MAX_PART} ` +
          'bytes; raise PARTS in scripts/deploy-bundles.mjs and add the ConfigMaps in deploy/base/kustomization.yaml',
      );
    mkdirSync(join(out, fn), { recursive: true });
    for (let i = 0; i < PARTS; i++)
      writeFileSync(join(out, fn, `index.mjs.br.${i}`), packed.subarray(i * size, (i + 1) * size));
    writeFileSync(join(out, fn, MANIFEST), `${JSON.stringify(bundleManifest(fn, code))}\n`);
    sizes[fn] = { bundle: code.length, compressed: packed.length, part: size };
  }
  return sizes;
}

/** The manifest kustomize puts into a function's first bundle ConfigMap, beside part 0. */
export const MANIFEST = 'manifest.json';

/** What the loader checks: the number of parts, and the decompressed bundle's size and SHA-256. */
export function bundleManifest(fn, code) {
  return { function: fn, parts: PARTS, bytes: code.length, sha256: createHash('sha256').update(code).digest('hex') };
}

/** What `npm run build` renders: the default install, and the one that also serves metrics.k8s.io. */
export const INSTALL_MANIFESTS = {
  'dist/heapless.yaml': 'deploy',
  'dist/heapless-metrics-api.yaml': 'deploy/overlays/metrics-api',
};

/**
 * Renders the install manifests a release ships (INSTALL_MANIFESTS) with `kubectl kustomize`.
 * Without kubectl the bundles are still built and this step is skipped with a warning (returns
 * false): applying from source needs kubectl anyway.
 */
export function renderInstallManifests({ kubectl = process.env.KUBECTL || 'kubectl' } = {}) {
  for (const [out, dir] of Object.entries(INSTALL_MANIFESTS)) {
    let yaml;
    try {
      yaml = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      for (const f of Object.keys(INSTALL_MANIFESTS)) rmSync(f, { force: true });
      if (err.code === 'ENOENT') return false;
      throw new Error(`kubectl kustomize ${dir} failed: ${err.stderr || err.message}`);
    }
    writeFileSync(out, yaml);
  }
  return true;
}

/** esbuild `define`: package.json's version, which every function prints for --version. */
export function versionDefine(packageJson = 'package.json') {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8'));
  return { __HEAPLESS_VERSION__: JSON.stringify(version) };
}
