// Builds one bundle per function: functions/<name>/index.ts → dist/<name>/index.mjs (+ source map).
// Entry points are discovered, not listed. Every dependency is bundled so the image needs no
// node_modules; the banner gives CJS dependencies (client-node's) a `require` inside ESM.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { INSTALL_MANIFESTS, packBundles, renderInstallManifests, versionDefine } from './scripts/deploy-bundles.mjs';

const functions = readdirSync('functions', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`functions/${d.name}/index.ts`))
  .map((d) => d.name);

// The query page's files (functions/query/ui/assets.json) go into the bundle as strings, in place
// of functions/query/ui/assets.ts, which reads them from disk under tsx.
const uiAssets = {
  name: 'ui-assets',
  setup(b) {
    b.onLoad({ filter: /functions[\\/]query[\\/]ui[\\/]assets\.ts$/ }, () => {
      const list = JSON.parse(readFileSync('functions/query/ui/assets.json', 'utf8'));
      const assets = Object.fromEntries(
        Object.entries(list).map(([path, a]) => [path, { body: readFileSync(a.file, 'utf8'), type: a.type }]),
      );
      return { contents: `export const ASSETS = ${JSON.stringify(assets)};`, loader: 'js' };
    });
  },
};

await Promise.all(
  functions.map((name) =>
    build({
      entryPoints: [`functions/${name}/index.ts`],
      outfile: `dist/${name}/index.mjs`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      minify: true,
      keepNames: true,
      sourcemap: true,
      legalComments: 'linked',
      metafile: false,
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'warning',
      plugins: [uiAssets],
      define: versionDefine(),
    }),
  ),
);
// The deploy half: compressed bundles for kustomize's ConfigMaps, then dist/heapless.yaml and dist/heapless-metrics-api.yaml.
const bundles = packBundles(functions);
const manifests = renderInstallManifests();
console.log(
  JSON.stringify({
    event: 'build',
    functions,
    bundles,
    installManifests: manifests ? Object.keys(INSTALL_MANIFESTS) : [],
  }),
);
if (!manifests)
  console.warn(
    JSON.stringify({
      event: 'install_manifest_skipped',
      hint: 'kubectl is not on PATH (or set KUBECTL): dist/heapless*.yaml were not written; the bundles were',
    }),
  );
