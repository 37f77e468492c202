/**
 * @module bench/unminified-bundle
 * One entry point bundled as the functions ship (esbuild, ESM for Node 20, `require` provided for
 * the CommonJS dependencies) but unminified, so profiles name our functions and modules.
 */
import { build } from 'esbuild';

export async function unminifiedBundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
