// Bundles the programs into dist/ with esbuild. Type checking is separate (`tsc --noEmit`).
//
// berthd is one file: it starts once and then runs for days. The berth CLI starts once per
// command, and its start-up is most of what `berth version` costs, so it is built for that:
//  - split: dist/berth.cjs holds only what every command needs (flag parsing, the command table's
//    names, the API client); a group's specs (what `--help` prints and the flags are parsed
//    against) and each command's implementation are chunks beside it (dist/berth-cli-*.cjs),
//    loaded by the dynamic import()s of the group's index.ts when a command of the group is
//    parsed and when it runs. `berth version` loads the system specs and version.ts, not the
//    other groups' specs, the template engine, tar and the registry client.
//  - CommonJS: esbuild splits only ES modules, so the chunks are written as ES modules first and
//    then turned into CommonJS, their import()s of each other into require()s. Node's ES module
//    loader costs ~4-6 ms of CPU and 1.5 MB per process before the first module runs (measured
//    here with `berth version`, ESM vs CJS chunks: 43 vs 36 ms CPU, median of 30); CommonJS
//    skips it. A part bundled on its own (dist/berth-registry.mjs) is still import()ed.
//  - dist/berth.mjs stays, a one-line ES module importing berth.cjs, for callers that run
//    `node dist/berth.mjs` (the tests, the benchmarks); bin/berth runs berth.cjs.
import { build, transform } from 'esbuild';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative as relativePath, resolve as resolvePath } from 'node:path';

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

// Berth's own modules run no code at import time beyond defining things (no module is imported
// for its side effects), so a module none of whose exports a chunk uses can be left out of it
// whole — with the node:* modules it imports. Without this, importing one helper from a barrel
// (src/lib/index.ts) would drag every module it re-exports, and their node:child_process,
// node:crypto…, into the chunk that needs the helper.
const sideEffectFree = {
  name: 'berth-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === sideEffectFree) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: sideEffectFree });
      if (r.errors.length) return { errors: r.errors };
      return { ...r, sideEffects: false };
    });
  },
};

// A subsystem's index.ts is its public surface, and the CLI imports siblings only through it.
// But esbuild assigns a module to chunks by the import graph, re-exports included: importing
// `goQuote` from src/lib/index.ts would put every module src/lib re-exports (and their
// node:child_process, node:crypto…) in a chunk every command loads. So in the CLI's build, a
// named import from an index.ts that re-exports that name from a file of its own is pointed at
// that file; names it does not re-export that way keep going through the index.
const barrels = new Map();
function barrelExports(file) {
  if (!barrels.has(file)) {
    const map = new Map();
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'(\.\/[^']+)';/g)) {
      for (const part of m[1].split(',').map((x) => x.trim()).filter(Boolean)) {
        if (part.startsWith('type ')) continue;
        const [orig, alias] = part.split(/\s+as\s+/);
        map.set((alias ?? orig).trim(), { from: m[2], name: orig.trim() });
      }
    }
    barrels.set(file, map);
  }
  return barrels.get(file);
}

const throughBarrels = {
  name: 'berth-through-barrels',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      const dir = dirname(args.path);
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace(/(import|export)\s+\{([^}]*)\}\s+from\s+'(\.{1,2}\/[^']*\/index\.ts)';/g, (whole, kind, list, spec) => {
        const barrel = resolvePath(dir, spec);
        const exports = barrelExports(barrel);
        const direct = new Map();
        const rest = [];
        for (const part of list.split(',').map((x) => x.trim()).filter(Boolean)) {
          const name = part.replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim();
          const target = !part.startsWith('type ') && exports.get(name);
          if (!target) {
            rest.push(part);
            continue;
          }
          const local = part.includes(' as ') ? part.split(/\s+as\s+/)[1].trim() : name;
          const file = resolvePath(dirname(barrel), target.from);
          const relative = relativePath(dir, file);
          const path = relative.startsWith('.') ? relative : `./${relative}`;
          if (!direct.has(path)) direct.set(path, []);
          direct.get(path).push(target.name === local ? target.name : `${target.name} as ${local}`);
        }
        const lines = [...direct].map(([path, names]) => `${kind} { ${names.join(', ')} } from '${path}';`);
        if (rest.length) lines.push(`${kind} { ${rest.join(', ')} } from '${spec}';`);
        return lines.join(' ');
      });
      return { contents, loader: 'ts' };
    });
  },
};

// The CLI as ES module chunks in a scratch directory, then each one as CommonJS into dist/.
async function buildCli() {
  // a fresh clone has no dist/ yet
  mkdirSync('dist', { recursive: true });
  const scratch = mkdtempSync('dist/.cli-');
  try {
    await build({
      ...common,
      banner: {},
      sourcemap: false,
      entryPoints: { berth: 'src/cli/main.ts' },
      outdir: scratch,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      // Flat in dist/, beside berth-registry.mjs: lib/lazy-import.ts finds a part bundled on its
      // own next to the module that imports it, and that module is one of these chunks.
      chunkNames: 'berth-cli-[name]-[hash]',
      plugins: [sideEffectFree, throughBarrels],
    });
    // Chunks of an earlier build would otherwise pile up (their names carry a content hash).
    for (const f of readdirSync('dist').filter((n) => n.startsWith('berth-cli-') || n.startsWith('berth.mjs'))) rmSync(`dist/${f}`);
    for (const f of readdirSync(scratch)) {
      const chunk = (name) => `./${name}.cjs`;
      const esm = readFileSync(`${scratch}/${f}`, 'utf8')
        // import() of a sibling chunk: a require() on the next tick, as import() settles
        .replace(/\bimport\("\.\/(berth-cli-[\w-]+)\.mjs"\)/g, (_, name) => `Promise.resolve().then(() => require("${chunk(name)}"))`)
        // the static imports, with or without bindings
        .replace(/"\.\/(berth-cli-[\w-]+)\.mjs"/g, (_, name) => `"${chunk(name)}"`);
      if (/\bimport\("\.\//.test(esm)) throw new Error(`${f}: an import() of a relative path that is not a chunk`);
      const cjs = await transform(esm, {
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        logLevel: 'warning',
        // import.meta.url as an ES module would see it (lib/lazy-import.ts, sys/koffi.ts use it)
        define: { 'import.meta.url': '__berthModuleUrl' },
      });
      const moduleUrl = cjs.code.includes('__berthModuleUrl') ? "const __berthModuleUrl = require('node:url').pathToFileURL(__filename).href;\n" : '';
      writeFileSync(`dist/${f.replace(/\.mjs$/, '.cjs')}`, moduleUrl + cjs.code);
    }
    writeFileSync('dist/berth.mjs', "// `node dist/berth.mjs` runs the CLI too; bin/berth runs berth.cjs, which skips the ES module loader.\nimport './berth.cjs';\n");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await Promise.all([
  buildCli(),
  build({ ...common, entryPoints: ['src/daemon/main.ts'], outfile: 'dist/berthd.mjs' }),
  // loaded on demand by `berth registry …` and by berthd (lib/lazy-import.ts)
  build({ ...common, entryPoints: ['src/registry/index.ts'], outfile: 'dist/berth-registry.mjs', define: { __BERTH_REGISTRY_UI__: JSON.stringify(registryUi) } }),
]);
for (const f of ['bin/berth', 'bin/berthd']) chmodSync(f, 0o755);
