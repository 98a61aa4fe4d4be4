// What goes wrong in a build leaves nothing behind: a failed build tags nothing and leaves no
// container, mount or temporary directory; a client that goes away takes its build with it;
// berthd killed in the middle of a build cleans up at its next start; secrets never reach the
// image; a context with ".." or absolute names is refused. Also the cache's housekeeping:
// builder prune, system df, --cache-from, and COPY --from an image not yet pulled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTar } from '../../../src/archive/index.ts';
import { chainIds } from '../../../src/storage/index.ts';
import { tarAttacks } from '../../fixtures/tar-attacks.ts';
import { repoRoot, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { request } from 'node:http';
import { Readable } from 'node:stream';

let d: TestDaemon;
let work: string;

before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(d.base, 'ctx-'));
});
after(async () => {
  await d?.cleanup();
});

function ctx(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'c-'));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

const ok = (args: string[], input?: string) => {
  const r = d.berth(args, { ...(input !== undefined ? { input } : {}), timeout: 180_000 });
  assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

const list = (rel: string) => (existsSync(join(d.dataRoot, rel)) ? readdirSync(join(d.dataRoot, rel)).sort() : []);
const mountsUnder = (path: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && m.startsWith(path));

/** What a finished build must not leave: containers, their layers, mounts, build directories. */
function assertNothingLeft(): void {
  assert.equal(ok(['ps', '-aq']), '', 'no container');
  assert.deepEqual(list('image/overlay2/layerdb/mounts'), [], 'no container layer');
  assert.deepEqual(list('overlay2').filter((n) => n.startsWith('scratch-')), [], 'no scratch layer');
  assert.deepEqual(mountsUnder(d.dataRoot), [], 'no mount');
  assert.deepEqual(list('builder/tmp'), [], 'no build directory');
}

/** POST with a raw body (the test daemon's api() helper sends JSON). */
function postRaw(path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls until `check` holds (each attempt is an observation, not a timing assertion). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what}`);
}

describe('images a build needs', () => {
  it('COPY --from an image that is not here pulls it', () => {
    assert.equal(ok(['images', '-q']), '');
    const out = ok(['build', '-t', 'pulled-from', ctx({ Dockerfile: 'FROM scratch\nCOPY --from=busybox:latest /bin/busybox /busybox\n' })]);
    assert.match(out, /Pulling from library\/busybox|Pull complete/);
    assert.match(ok(['images', '--format', '{{.Repository}}']), /busybox/);
  });
});

describe('failures leave nothing behind', () => {
  it('a failed build tags nothing and leaves no container, mount or temp dir', () => {
    const r = d.berth(['build', '-t', 'failed:1', ctx({ Dockerfile: 'FROM busybox\nRUN --mount=type=tmpfs,target=/t echo partial > /partial\nRUN echo $((1/0))\n' })]);
    assert.notEqual(r.code, 0);
    assert.equal(d.berth(['image', 'inspect', 'failed:1']).code, 1);
    assertNothingLeft();
  });

  it('secrets never reach a layer, the history or the config', async () => {
    const secret = `very-secret-${Date.now()}`;
    writeFileSync(join(work, 'secret.txt'), secret);
    ok([
      'build',
      '--secret',
      `id=mine,src=${join(work, 'secret.txt')}`,
      '-t',
      'with-secret',
      ctx({ Dockerfile: 'FROM busybox\nRUN --mount=type=secret,id=mine cat /run/secrets/mine > /dev/null && echo used > /used\nRUN --mount=type=secret,id=mine,env=S test -n "$S"\n' }),
    ]);
    assert.equal(ok(['run', '--rm', 'with-secret', 'sh', '-c', 'cat /used; ls /run/secrets 2>&1 | wc -l']), 'used\n1\n');
    const saved = join(work, 'saved.tar');
    ok(['save', '-o', saved, 'with-secret']);
    const bytes = readFileSync(saved);
    assert.ok(!bytes.includes(Buffer.from(secret)), 'not in the saved image');
    // layers inside the archive, each read whole
    for await (const e of readTar(Readable.from([bytes]))) {
      const chunks: Buffer[] = [];
      for await (const c of e.body) chunks.push(c as Buffer);
      assert.ok(!Buffer.concat(chunks).includes(Buffer.from(secret)), `not in ${e.header.name}`);
    }
    assert.ok(!ok(['history', '--no-trunc', 'with-secret']).includes(secret));
    assert.ok(!ok(['image', 'inspect', 'with-secret']).includes(secret));
    assertNothingLeft();
  });

  it('a context tar with ".." or absolute names is refused; symlinks stay inside', async () => {
    const outside = mkdtempSync(join(d.base, 'outside-'));
    writeFileSync(join(outside, 'secret'), 'untouched');
    for (const attack of tarAttacks) {
      const tar = await attack.build(outside);
      const res = await postRaw('/build?t=attack', tar);
      const strict = /dot-dot|absolute path/.test(attack.name);
      if (strict) {
        assert.equal(res.status, 400, `${attack.name}: ${res.body}`);
        assert.match(res.body, /invalid (entry name|hardlink target)|invalid entry|tar/, attack.name);
      } else {
        assert.ok(res.status >= 400 || /errorDetail/.test(res.body), `${attack.name}: no Dockerfile, no build (${res.status} ${res.body})`);
      }
      assert.deepEqual(readdirSync(outside), ['secret'], attack.name);
      assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'untouched', attack.name);
    }
    assert.equal(d.berth(['image', 'inspect', 'attack']).code, 1);
    assertNothingLeft();
  });

  it('a client that goes away cancels its build and its container goes', async () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 600\n' });
    const cli = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'build', '-t', 'cancelled', dir], { env: { ...process.env, BERTH_HOST: d.host }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await until(() => out.includes('\nstarted\n'), 'the RUN step started');
    assert.notEqual(ok(['ps', '-q']), '');
    cli.kill('SIGKILL');
    await until(() => ok(['ps', '-aq']) === '', 'the build container removed');
    await until(() => list('builder/tmp').length === 0, 'the build directory removed');
    assertNothingLeft();
    assert.equal(d.berth(['image', 'inspect', 'cancelled']).code, 1);
  });

  it('berthd killed in the middle of a build leaves nothing half-made after its restart', async () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo one > /one\nRUN --mount=type=cache,target=/c echo started && sleep 600\n' });
    const cli = spawn(process.execPath, [join(repoRoot, 'dist', 'berth.mjs'), 'build', '-t', 'killed', dir], { env: { ...process.env, BERTH_HOST: d.host }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const cliDone = new Promise((r) => cli.once('exit', r));
    await until(() => out.includes('\nstarted\n'), 'the RUN step started');
    assert.equal(list('builder/tmp').length, 1);
    await d.stop('SIGKILL');
    await cliDone;
    await d.start();
    assertNothingLeft();
    assert.equal(d.berth(['image', 'inspect', 'killed']).code, 1);
    assert.deepEqual(list('builder/cache-mounts').filter((n) => n.startsWith('.')), [], 'no half-made cache mount');
    // every layer left belongs to an image
    const held = new Set<string>();
    for (const id of ok(['images', '-aq', '--no-trunc']).split('\n').filter(Boolean)) {
      const layers = JSON.parse(ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', id])) as string[] | null;
      for (const c of chainIds(layers ?? [])) held.add(c.replace('sha256:', ''));
    }
    assert.deepEqual(list('image/overlay2/layerdb/sha256').filter((l) => !held.has(l)), []);
    // the daemon builds as before, the first step from the cache
    const again = ok(['build', '-t', 'after-kill', ctx({ Dockerfile: 'FROM busybox\nRUN echo one > /one\n' })]);
    assert.match(again, /Using cache/);
  });
});

describe('cache housekeeping', () => {
  it('system df counts the build cache; builder prune removes it; --cache-from restores steps from an image', () => {
    const dir = ctx({ Dockerfile: 'FROM busybox\nRUN echo big > /big && dd if=/dev/zero of=/zeros bs=1024 count=512 2>/dev/null\nENV DONE=1\n' });
    ok(['build', '-t', 'df-image', dir]);
    const df = ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Size}}']);
    const line = df.split('\n').find((l) => l.startsWith('Build Cache'));
    assert.ok(line && !/^Build Cache 0 /.test(line), df);
    // the image is tagged: its steps are not dangling, a plain prune keeps them
    assert.match(ok(['builder', 'prune', '-f']), /Total reclaimed space: /);
    assert.equal(ok(['build', dir]).match(/ ---> Using cache\n/g)?.length, 2);
    const all = ok(['builder', 'prune', '-a', '-f']);
    assert.match(all, /^Deleted build cache objects:\n/);
    // the cache is gone, but a built image's history can stand in for the steps
    const fromImage = ok(['build', '--cache-from', 'df-image', dir]);
    assert.equal(fromImage.match(/ ---> Using cache\n/g)?.length, 2, fromImage);
    assert.match(ok(['builder', 'prune', '-f', '--filter', 'until=1h']), /Total reclaimed space/);
  });
});
