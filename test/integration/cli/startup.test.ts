// What a berth command loads before it does anything: bin/berth as users run it, with a preload
// (through NODE_OPTIONS) that records Node's built-in modules and the files required. Start-up
// is most of what a short command costs (bench/cli measures it); this keeps a static import
// from dragging a command's code, node:crypto or the TLS stack into every command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { berthBin, repoRoot } from '../../helpers/daemon.ts';

const dir = mkdtempSync('/tmp/berth-startup-');
after(() => rmSync(dir, { recursive: true, force: true }));
const preload = join(dir, 'record.cjs');
writeFileSync(
  preload,
  "process.on('exit', () => require('fs').writeFileSync(process.env.BERTH_TEST_RECORD, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n",
);

/** The built-in modules and the files one run of `berth ARGS` loaded (no daemon answers). */
function loaded(args: string[]): { builtins: string[]; files: string[] } {
  const record = join(dir, `${args.join('-') || 'bare'}.json`);
  const r = spawnSync(berthBin, args, {
    env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, BERTH_TEST_RECORD: record, BERTH_HOST: `unix://${join(dir, 'none.sock')}`, BERTH_CONFIG: join(dir, 'config') },
    encoding: 'utf8',
  });
  assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')}: ${r.status} ${r.stderr}`);
  const o = JSON.parse(readFileSync(record, 'utf8')) as { builtins: string[]; files: string[] };
  return { builtins: o.builtins.filter((b) => b.startsWith('NativeModule ')).map((b) => b.slice('NativeModule '.length)), files: o.files.filter((f) => f !== preload) };
}

/** What no command that only talks HTTP to a local daemon needs (node:http included: src/client/http1.ts speaks HTTP). */
const heavy = /^(crypto|child_process|tls|https?|_http_\w+|_tls_\w+|zlib|worker_threads|readline|fs\/promises|internal\/fs\/promises|internal\/modules\/esm\/loader|dns)$/;

describe('berth start-up', () => {
  const help = loaded(['--help']);
  const version = loaded(['version']);
  const ps = loaded(['ps']);

  it('loads only the CommonJS chunks of dist/, not the ES module loader', () => {
    for (const run of [help, version, ps]) {
      for (const f of run.files) assert.match(f, new RegExp(`^${join(repoRoot, 'dist')}/berth(-cli-[\\w-]+)?\\.cjs$`), f);
    }
  });

  it('keeps node:http, node:crypto, child_process, the TLS stack and zlib out of commands that do not use them', () => {
    for (const [name, run] of [['--help', help], ['version', version], ['ps', ps]] as const) {
      assert.deepEqual(run.builtins.filter((b) => heavy.test(b)), [], name);
    }
  });

  it('loads no command implementation for --help, and only its own for a command', () => {
    const common = new Set(help.files);
    const extra = (run: { files: string[] }) => run.files.filter((f) => !common.has(f)).map((f) => basename(f));
    assert.ok(extra(version).some((f) => /^berth-cli-version-/.test(f)), extra(version).join(' '));
    assert.deepEqual(extra(version).filter((f) => /^berth-cli-(?!chunk-)/.test(f) && !/^berth-cli-version-/.test(f)), []);
    assert.deepEqual(extra(ps).filter((f) => /^berth-cli-(?!chunk-)/.test(f) && !/^berth-cli-ps-/.test(f)), []);
    // every command's share: the table of specs, the flag parser and the API client
    const bytes = help.files.reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(bytes < 256 * 1024, `${bytes} bytes of JavaScript loaded for --help`);
  });

  it("loads the specs of the command's own group only (--help, those of the top-level commands)", () => {
    const specs = (run: { files: string[] }) => run.files.map((f) => basename(f)).filter((f) => /^berth-cli-specs-/.test(f));
    assert.equal(specs(version).length, 1, specs(version).join(' '));
    assert.equal(specs(ps).length, 1, specs(ps).join(' '));
    assert.notDeepEqual(specs(version), specs(ps), 'system and container specs are apart');
    // --help describes the top-level commands: the groups that have some
    for (const f of [...specs(version), ...specs(ps)]) assert.ok(specs(help).includes(f), `${f} for --help`);
  });
});
