// The docker CLI 28 and docker-compose 1.29 building against berthd through the classic /build
// protocol: `DOCKER_BUILDKIT=0 docker build`, plain `docker build` (classic here: berthd does
// not advertise BuildKit and no buildx is installed), their outputs, exit statuses and flags,
// builder prune and system df, and compose's `build:`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type RunResult, type TestDaemon } from '../helpers/daemon.ts';
import { dockerBin, dockerEnv } from '../helpers/docker-cli.ts';

let d: TestDaemon;
let work: string;
const composeBin = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => spawnSync(p, ['version']).status === 0) ?? 'docker-compose';

function docker(args: string[], o: { cwd?: string; input?: string; env?: Record<string, string> } = {}): RunResult {
  const r = spawnSync(dockerBin, args, { env: dockerEnv(d, o.env ?? {}), cwd: o.cwd, input: o.input ?? '', encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const ok = (args: string[], o: Parameters<typeof docker>[1] = {}) => {
  const r = docker(args, o);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

function ctx(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'c-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(d.base, 'ctx-'));
  assert.equal(spawnSync(composeBin, ['version']).status, 0, 'docker-compose 1.29 is required (make deps installs it)');
  ok(['pull', 'busybox']);
});
after(async () => {
  await d?.cleanup();
});

describe('docker build against berthd', () => {
  it('/_ping tells the CLI the classic builder', async () => {
    const res = await d.api('GET', '/_ping');
    assert.equal(res.headers['builder-version'], '1');
  });

  it('DOCKER_BUILDKIT=0 docker build: the classic output, tags, and the image runs', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nARG NAME=world\nRUN echo "hello $NAME" > /hello\nCMD ["cat", "/hello"]\n', '.dockerignore': 'junk\n', junk: 'x' });
    const r = docker(['build', '-t', 'classic:1', '--build-arg', 'NAME=docker', '.'], { cwd: dir, env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Sending build context to Docker daemon {2}[\d.]+kB\r*\nStep 1\/4 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/4 : ARG NAME=world\n/);
    assert.match(r.stdout, /Step 3\/4 : RUN echo "hello \$NAME" > \/hello\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged classic:1\n$/);
    assert.equal(ok(['run', '--rm', 'classic:1']), 'hello docker\n');
    assert.equal(ok(['run', '--rm', 'classic:1', 'ls', '/']).includes('junk'), false);
  });

  it('plain docker build takes the classic path too; a rebuild is served by the cache', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo plain > /p\n' });
    const first = docker(['build', '-t', 'plain', '.'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Step 2\/2 : RUN echo plain > \/p\n ---> Running in /);
    const again = docker(['build', '-t', 'plain', '.'], { cwd: dir });
    assert.match(again.stdout, /Step 2\/2 : RUN echo plain > \/p\n ---> Using cache\n ---> [0-9a-f]{12}\n/);
  });

  it('-q, --iidfile, -f -, a context on stdin, --target, --label, --no-cache', () => {
    const dir = ctx({ 'f.txt': 'file\n' });
    const iid = join(work, 'iid');
    const q = ok(['build', '-q', '--iidfile', iid, '-f', '-', '--label', 'x=y', '.'], { cwd: dir, input: 'FROM busybox\nCOPY f.txt /f.txt\n', env: { DOCKER_BUILDKIT: '0' } });
    assert.match(q, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(readFileSync(iid, 'utf8'), q, 'as with dockerd, -q writes the ID line the daemon sent');
    assert.equal(ok(['image', 'inspect', '-f', '{{index .Config.Labels "x"}}', q.trim()]), 'y\n');
    ok(['build', '-t', 'stdin-df', '-'], { input: 'FROM busybox AS a\nRUN echo a > /a\nFROM busybox\nRUN echo b\n', env: { DOCKER_BUILDKIT: '0' } });
    const t = ok(['build', '--no-cache', '--target', 'a', '-t', 'target-a', '-'], { input: 'FROM busybox AS a\nRUN echo a > /a\nFROM busybox\nRUN exit 9\n', env: { DOCKER_BUILDKIT: '0' } });
    assert.doesNotMatch(t, /Using cache|exit 9/);
    assert.equal(ok(['run', '--rm', 'target-a', 'cat', '/a']), 'a\n');
  });

  it("a failing RUN exits with its code and dockerd's message; nothing is left", () => {
    const r = docker(['build', '-t', 'broken', '-'], { input: 'FROM busybox\nRUN exit 3\n', env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3\n$/);
    assert.equal(ok(['ps', '-aq']), '');
    const bad = docker(['build', '-'], { input: 'FROM busybox\nNOPE x\n', env: { DOCKER_BUILDKIT: '0' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error response from daemon: dockerfile parse error on line 2: unknown instruction: NOPE/);
  });

  it('docker system df shows the build cache; docker builder prune removes it', () => {
    const df = ok(['system', 'df']);
    assert.match(df, /\nBuild Cache +[1-9]\d* +\d+ +[\d.]+k?M?B +[\d.]+k?M?B/);
    const pruned = ok(['builder', 'prune', '-af']);
    assert.match(pruned, /^Deleted build cache objects:\n[0-9a-z]{25}\n/);
    assert.match(pruned, /Total reclaimed space: /);
    assert.match(ok(['system', 'df']), /\nBuild Cache +0 +0 +0B +0B\n/);
  });
});

describe('docker-compose 1.29 build:', () => {
  const compose = (dir: string, args: string[], env: Record<string, string> = {}): RunResult => {
    const r = spawnSync(composeBin, args, { cwd: dir, env: { ...dockerEnv(d), ...env }, encoding: 'utf8', timeout: 180_000 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const project = () =>
    ctx({
      Dockerfile: 'FROM busybox AS base\nARG MSG=default\nRUN echo "$MSG" > /msg\nFROM base AS final\nCMD ["cat", "/msg"]\n',
      'docker-compose.yml': [
        'version: "3.8"',
        'services:',
        '  app:',
        '    image: composed:1',
        '    build:',
        '      context: .',
        '      target: final',
        '      args:',
        '        MSG: from-compose',
        '      labels:',
        '        com.example.built-by: compose',
        '',
      ].join('\n'),
    });

  it("builds through docker-py's /build call: args, target and labels", () => {
    const dir = project();
    const r = compose(dir, ['build'], { COMPOSE_DOCKER_CLI_BUILD: '0' });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /Successfully tagged composed:1/);
    assert.equal(ok(['run', '--rm', 'composed:1']), 'from-compose\n');
    assert.equal(ok(['image', 'inspect', '-f', '{{index .Config.Labels "com.example.built-by"}}', 'composed:1']), 'compose\n');
  });

  it('builds through the docker CLI (COMPOSE_DOCKER_CLI_BUILD=1), served by the cache', () => {
    const dir = project();
    const r = compose(dir, ['build'], { COMPOSE_DOCKER_CLI_BUILD: '1', DOCKER_BUILDKIT: '0' });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout + r.stderr, /Using cache/);
    const up = compose(dir, ['up', '--no-build', '--abort-on-container-exit']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /from-compose/);
    compose(dir, ['down']);
  });
});
