// Bundles the two programs into dist/ with esbuild. Type checking is separate (`tsc --noEmit`):
// a bundle starts faster than a tree of ES modules, which matters for a CLI run once per command.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

// The registry's web UI is inlined into its bundle: the package ships no asset directory.
const uiFiles = ['index.html', 'app.js', 'style.css', 'favicon.svg'];
const registryUi = Object.fromEntries(uiFiles.map((f) => [f, readFileSync(new URL(`../src/registry/ui/${f}`, import.meta.url), 'utf8')]));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['koffi'],
  logLevel: 'warning',
  // Bundled CommonJS helpers may call require(); give ESM output one.
  banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/berth.mjs' }),
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.mjs' }),
  // loaded on demand by `berth registry …` and by berthd (lib/lazy-import.ts)
  build({ ...common, entryPoints: ['src/registry/index.ts'], outfile: 'dist/berth-registry.mjs', define: { __BERTH_REGISTRY_UI__: JSON.stringify(registryUi) } }),
]);
for (const f of ['bin/berth', 'bin/berthd']) chmodSync(f, 0o755);
