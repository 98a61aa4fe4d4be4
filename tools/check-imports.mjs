// Enforces the module rules of STYLE.md:
//  1. a file in src/<a>/ imports a sibling subsystem src/<b>/ only through src/<b>/index.ts;
//  2. no import cycles, neither between files nor between subsystems.
// Exits 1 and prints every violation.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const files = [];
(function walk(dir) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) files.push(p);
  }
})(root);

const importRe = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const subsystem = (f) => relative(root, f).split(sep)[0];
const problems = [];
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    // `import type` edges vanish at run time, but they still couple subsystems: count them.
    const target = resolve(dirname(f), spec).replace(/\.js$/, '.ts');
    deps.push(target);
    const from = subsystem(f);
    const to = subsystem(target);
    if (from !== to && relative(root, target) !== join(to, 'index.ts')) {
      problems.push(`${relative(root, f)}: imports ${relative(root, target)}; use ${to}/index.ts`);
    }
  }
  graph.set(f, deps);
}

function findCycles(nodes, edges) {
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of edges(n)) {
      if (!nodes.has(d)) continue;
      if (state.get(d) === 1) cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of nodes) if (!state.has(n)) visit(n);
  return cycles;
}

for (const c of findCycles(new Set(files), (n) => graph.get(n) ?? [])) {
  problems.push(`file import cycle: ${c.map((f) => relative(root, f)).join(' -> ')}`);
}
const subGraph = new Map();
for (const [f, deps] of graph) {
  const s = subsystem(f);
  if (!subGraph.has(s)) subGraph.set(s, new Set());
  for (const d of deps) if (subsystem(d) !== s) subGraph.get(s).add(subsystem(d));
}
for (const c of findCycles(new Set(subGraph.keys()), (n) => subGraph.get(n) ?? [])) {
  problems.push(`subsystem import cycle: ${c.join(' -> ')}`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`imports ok: ${files.length} files, ${subGraph.size} subsystems, no cycles`);
