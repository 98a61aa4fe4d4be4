// berth build against a real berthd: the ways to give it a context and a Dockerfile, its flags,
// .dockerignore, heredocs and RUN options, the cache across a daemon restart, and docker's
// messages and exit statuses for what goes wrong.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let work: string;

before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(d.base, 'ctx-'));
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
});
after(async () => {
  await d?.cleanup();
});

/** A context directory with these files. */
function ctx(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'c-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const ok = (args: string[], input?: string | Buffer) => {
  const r = d.berth(args, { ...(input !== undefined ? { input } : {}), timeout: 180_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
};
const run = (image: string, cmd: string) => ok(['run', '--rm', image, 'sh', '-c', cmd]);

describe('berth build', () => {
  it('builds a directory: -t twice, --build-arg, --label, --iidfile; the classic output', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nARG WHO\nRUN echo "hello $WHO" > /greeting\nCMD ["cat", "/greeting"]\n' });
    const iid = join(work, 'iid');
    const out = ok(['build', '-t', 'one:1', '-t', 'two', '--build-arg', 'WHO=berth', '--label', 'team=core', '--iidfile', iid, dir]);
    assert.match(out, /^Sending build context to Docker daemon {2}[\d.]+kB\nStep 1\/5 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/5 : ARG WHO\n/);
    // --label is a LABEL step at the end, as dockerd adds it
    assert.match(out, /Step 5\/5 : LABEL team=core\n ---> [0-9a-f]{12}\n/);
    assert.match(out, /Step 3\/5 : RUN echo "hello \$WHO" > \/greeting\n ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    assert.match(out, /Successfully built [0-9a-f]{12}\nSuccessfully tagged one:1\nSuccessfully tagged two:latest\n$/);
    const id = readFileSync(iid, 'utf8');
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok(['run', '--rm', 'one:1']), 'hello berth\n');
    assert.equal(ok(['image', 'inspect', '-f', '{{.Id}} {{index .Config.Labels "team"}}', 'two']), `${id} core\n`);
    assert.equal(ok(['ps', '-aq']), '', 'no container is left');
  });

  it('rmi of a built image removes the intermediate images only it was built on', () => {
    const before = ok(['images', '-aq']).split('\n').filter(Boolean).length;
    ok(['build', '-t', 'to-remove', ctx({ Dockerfile: 'FROM busybox\nRUN echo gone > /g\nENV GONE=1\nLABEL gone=1\n' })]);
    assert.equal(ok(['images', '-aq']).split('\n').filter(Boolean).length, before + 3);
    const removed = ok(['rmi', 'to-remove']);
    assert.equal(removed.match(/^Deleted: sha256:/gm)?.length, 4, removed); // 3 images and the RUN's layer
    assert.equal(ok(['images', '-aq']).split('\n').filter(Boolean).length, before);
  });

  it('--rm=false keeps the containers of the steps that ran', () => {
    const out = ok(['build', '--rm=false', '--no-cache', ctx({ Dockerfile: 'FROM busybox\nRUN echo kept > /k\nRUN echo kept2 > /k2\n' })]);
    assert.doesNotMatch(out, /Removing intermediate container/);
    const ids = ok(['ps', '-aq']).split('\n').filter(Boolean);
    assert.equal(ids.length, 2);
    ok(['rm', ...ids]);
  });

  it('-q prints only the image ID; -f names another Dockerfile; image build is the same command', () => {
    const dir = ctx({ 'build/Other.dockerfile': 'FROM busybox\nRUN echo other > /o\n' });
    const out = ok(['image', 'build', '-q', '-f', join(dir, 'build/Other.dockerfile'), '-t', 'other', dir]);
    assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(run('other', 'cat /o'), 'other\n');
  });

  it('-f - reads the Dockerfile from stdin; - reads a context tar or a bare Dockerfile', () => {
    const dir = ctx({ 'data.txt': 'data\n' });
    ok(['build', '-t', 'fromstdin', '-f', '-', dir], 'FROM busybox\nCOPY data.txt /data.txt\n');
    assert.equal(run('fromstdin', 'cat /data.txt'), 'data\n');
    ok(['build', '-t', 'bare', '-'], 'FROM busybox\nRUN echo bare > /b\n');
    assert.equal(run('bare', 'cat /b'), 'bare\n');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY data.txt /from-tar\n');
    const tar = spawnSync('tar', ['-C', dir, '-czf', '-', '.']).stdout;
    ok(['build', '-t', 'tarred', '-'], tar);
    assert.equal(run('tarred', 'cat /from-tar'), 'data\n');
  });

  it('.dockerignore keeps files out of the context, with ! and **', () => {
    const dir = ctx({
      Dockerfile: 'FROM busybox\nCOPY . /ctx/\n',
      '.dockerignore': '**/*.log\nsecret\nbuild/\n!build/keep.txt\n',
      'a.txt': 'a',
      'deep/x/y.log': 'log',
      'deep/x/z.txt': 'z',
      secret: 'secret',
      'build/out.bin': 'bin',
      'build/keep.txt': 'keep',
    });
    ok(['build', '-t', 'ignored', dir]);
    assert.equal(run('ignored', 'cd /ctx && find . -type f | sort'), './.dockerignore\n./Dockerfile\n./a.txt\n./build/keep.txt\n./deep/x/z.txt\n');
  });

  it('multi-stage with --target; COPY --from; heredocs for RUN and COPY', () => {
    const dir = ctx({
      Dockerfile: [
        'FROM busybox AS base',
        'RUN <<EOF',
        'echo one > /one',
        'echo two >> /one',
        'EOF',
        'COPY <<EOF /etc/app.conf',
        'name=app',
        'EOF',
        'FROM busybox AS unused',
        'RUN exit 1',
        'FROM busybox AS final',
        'COPY --from=base /one /etc/app.conf /got/',
        'FROM final AS later',
        'RUN echo later',
        '',
      ].join('\n'),
    });
    const out = ok(['build', '--target', 'final', '-t', 'staged', dir]);
    assert.doesNotMatch(out, /exit 1/, 'a stage the target does not need is skipped');
    assert.equal(run('staged', 'cat /got/one /got/app.conf'), 'one\ntwo\nname=app\n');
  });

  it('the automatic platform args, once declared', () => {
    ok(['build', '-t', 'platform-args', ctx({ Dockerfile: 'FROM busybox\nARG TARGETPLATFORM\nARG TARGETARCH\nARG BUILDOS\nRUN echo "$TARGETPLATFORM $TARGETARCH $BUILDOS" > /p\n' })]);
    assert.equal(run('platform-args', 'cat /p'), 'linux/amd64 amd64 linux\n');
  });

  it('RUN --network=none has only loopback; --add-host reaches /etc/hosts', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN --network=none ls /sys/class/net > /nets\nRUN grep myhost /etc/hosts > /hosts\n' });
    ok(['build', '--add-host', 'myhost:10.1.2.3', '-t', 'nets', dir]);
    assert.equal(run('nets', 'cat /nets'), 'lo\n');
    assert.match(run('nets', 'cat /hosts'), /^10\.1\.2\.3\s+myhost\n$/);
  });

  it('the cache survives a restart; a touched file still hits, a changed one misses from its COPY on', async () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo first > /first\nCOPY src.txt /src.txt\nRUN cat /src.txt > /copy\n', 'src.txt': 'v1\n' });
    const first = ok(['build', '-t', 'cached', dir]);
    assert.doesNotMatch(first, /Using cache/);
    await d.stop();
    await d.start();
    const again = ok(['build', '-t', 'cached', dir]);
    assert.equal(again.match(/ ---> Using cache\n/g)?.length, 3, again);
    utimesSync(join(dir, 'src.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(ok(['build', dir]).match(/ ---> Using cache\n/g)?.length, 3, 'a new mtime alone keeps the cache');
    writeFileSync(join(dir, 'src.txt'), 'v2\n');
    const changed = ok(['build', '-t', 'cached', dir]);
    assert.equal(changed.match(/ ---> Using cache\n/g)?.length, 1, changed);
    assert.equal(run('cached', 'cat /copy'), 'v2\n');
    assert.doesNotMatch(ok(['build', '--no-cache', dir]), /Using cache/);
  });

  it('RUN --mount: a cache mount persists between builds; tmpfs; a bind from a stage; a secret as env', () => {
    const dir = ctx({
      Dockerfile: [
        'FROM busybox AS tools',
        'RUN echo tool > /tool',
        'FROM busybox',
        'ARG N',
        'RUN --mount=type=cache,target=/cache,sharing=locked echo $N >> /cache/runs && cat /cache/runs > /seen',
        'RUN --mount=type=tmpfs,target=/scratch echo x > /scratch/x && ls /scratch > /tmpfs-seen',
        'RUN --mount=type=bind,from=tools,source=/tool,target=/mnt/tool cat /mnt/tool > /bound',
        'RUN --mount=type=secret,id=token,env=TOKEN test "$TOKEN" = s3cr3t && echo ok > /secret-ok',
        '',
      ].join('\n'),
    });
    writeFileSync(join(work, 'token'), 's3cr3t');
    ok(['build', '--build-arg', 'N=1', '--secret', `id=token,src=${join(work, 'token')}`, '-t', 'mounts', dir]);
    ok(['build', '--build-arg', 'N=2', '--secret', `id=token,src=${join(work, 'token')}`, '-t', 'mounts', dir]);
    assert.equal(run('mounts', 'cat /seen'), '1\n2\n');
    assert.equal(run('mounts', 'cat /tmpfs-seen /bound /secret-ok'), 'x\ntool\nok\n');
    // the mount points runc made for targets the image lacked are not in the image
    assert.equal(run('mounts', 'ls -d /scratch /cache /mnt 2>/dev/null | wc -l'), '0\n');
  });
});

describe("docker's messages and exit statuses", () => {
  it("a failing RUN: its exit code and dockerd's message", () => {
    const r = d.berth(['build', '-t', 'nope', ctx({ Dockerfile: 'FROM busybox\nRUN exit 3\n' })]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n");
  });

  it('an unknown instruction names its line', () => {
    const r = d.berth(['build', ctx({ Dockerfile: 'FROM busybox\n\nFOO bar\n' })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error response from daemon: dockerfile parse error on line 3: unknown instruction: FOO/);
  });

  it('COPY of a missing file, a cycle in --from, an unknown target, a missing Dockerfile', () => {
    let r = d.berth(['build', ctx({ Dockerfile: 'FROM busybox\nCOPY missing.txt /x\n' })]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist\n');
    r = d.berth(['build', ctx({ Dockerfile: 'FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nCOPY --from=a /y /y\n' })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /circular dependency detected on stage: a/);
    r = d.berth(['build', '--target', 'nosuch', ctx({ Dockerfile: 'FROM busybox\n' })]);
    assert.equal(r.stderr, 'Error response from daemon: failed to reach build target nosuch in Dockerfile\n');
    r = d.berth(['build', ctx({ 'x.txt': 'x' })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat .*Dockerfile: no such file or directory/);
    r = d.berth(['build', join(work, 'nosuchdir')]);
    assert.match(r.stderr, /unable to prepare context: path ".*nosuchdir" not found/);
  });

  it('FROM --platform for another architecture and RUN --mount=type=ssh fail clearly', () => {
    let r = d.berth(['build', ctx({ Dockerfile: 'FROM --platform=linux/s390x busybox\nRUN true\n' })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /s390x/);
    r = d.berth(['build', ctx({ Dockerfile: 'FROM busybox\nRUN --mount=type=ssh true\n' })]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ssh/);
  });
});
