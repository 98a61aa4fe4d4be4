// Runs one test tier with node's test runner: unit (src/**/*.test.ts, no root needed),
// integration (test/integration, real daemons) or compat (test/compat, the docker CLI).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = { unit: ['src', 'tools'], integration: ['test/integration'], compat: ['test/compat'] };
const tier = process.argv[2];
if (!roots[tier]) {
  console.error(`usage: run-tests.mjs ${Object.keys(roots).join('|')} [filter]`);
  process.exit(2);
}
const filter = process.argv[3];
function walk(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.test.ts') && (!filter || p.includes(filter))) out.push(p);
  }
  return out;
}
const files = roots[tier].flatMap((r) => walk(r, [])).sort();
if (files.length === 0) {
  console.error(`no ${tier} tests found`);
  process.exit(filter ? 1 : 0);
}
const concurrency = tier === 'unit' ? '4' : '1';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
