// berth's contexts are docker's: the same files in the same layout, so with DOCKER_CONFIG and
// BERTH_CONFIG naming one directory, a context made by either CLI is used, listed, exported and
// removed by the other — and both reach berthd through it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { berthBin, startDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { dockerBin } from '../helpers/docker-cli.ts';

let d: TestDaemon;
let dir: string;

before(async () => {
  d = await startDaemon();
  dir = mkdtempSync('/tmp/berth-compat-contexts-');
  d.berthOk(['run', '-d', '--name', 'shared', 'busybox', 'sleep', '300']);
});
after(async () => {
  await d?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function cli(bin: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: join(dir, 'config'), BERTH_CONFIG: join(dir, 'config'), DOCKER_CLI_HINTS: 'false' };
  for (const k of ['DOCKER_HOST', 'BERTH_HOST', 'DOCKER_CONTEXT', 'BERTH_CONTEXT']) delete env[k];
  const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const ok = (bin: string, args: string[]) => {
  const r = cli(bin, args);
  assert.equal(r.code, 0, `${bin} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

describe('contexts shared by the docker CLI and berth', () => {
  it('a context docker creates and selects is the one berth uses', () => {
    ok(dockerBin, ['context', 'create', 'made-by-docker', '--description', 'from docker', '--docker', `host=${d.host}`]);
    ok(dockerBin, ['context', 'use', 'made-by-docker']);
    assert.equal(ok(berthBin, ['context', 'show']), 'made-by-docker\n');
    assert.equal(ok(berthBin, ['ps', '--format', '{{.Names}}']), 'shared\n');
    assert.match(ok(berthBin, ['context', 'ls']), /\nmade-by-docker \*\s+from docker\s+unix:\/\//);
  });

  it('a context berth creates is listed, inspected and used by docker', () => {
    ok(berthBin, ['context', 'create', 'made-by-berth', '--docker', `host=${d.host}`]);
    ok(berthBin, ['context', 'use', 'made-by-berth']);
    assert.match(ok(dockerBin, ['context', 'ls']), /\nmade-by-berth \*\s+unix:\/\//);
    assert.equal(ok(dockerBin, ['ps', '--format', '{{.Names}}']), 'shared\n');
    const b = JSON.parse(ok(berthBin, ['context', 'inspect', 'made-by-berth']));
    const k = JSON.parse(ok(dockerBin, ['context', 'inspect', 'made-by-berth']));
    assert.deepEqual(b, k);
  });

  it("imports each other's exports, and removes each other's contexts", () => {
    const file = join(dir, 'exported');
    ok(dockerBin, ['context', 'export', 'made-by-berth', file]);
    ok(berthBin, ['context', 'import', 'via-docker-export', file]);
    assert.equal(ok(berthBin, ['--context', 'via-docker-export', 'ps', '-q']).trim().length, 12);
    ok(berthBin, ['context', 'export', 'made-by-docker', `${file}-2`]);
    ok(dockerBin, ['context', 'import', 'via-berth-export', `${file}-2`]);
    assert.equal(ok(dockerBin, ['--context', 'via-berth-export', 'ps', '--format', '{{.Names}}']), 'shared\n');
    ok(berthBin, ['context', 'use', 'default']);
    assert.equal(ok(dockerBin, ['context', 'rm', 'via-docker-export', 'made-by-berth']), 'via-docker-export\nmade-by-berth\n');
    assert.equal(ok(berthBin, ['context', 'rm', 'via-berth-export', 'made-by-docker']), 'via-berth-export\nmade-by-docker\n');
    assert.equal(ok(dockerBin, ['context', 'ls', '-q']), 'default\n');
  });
});
