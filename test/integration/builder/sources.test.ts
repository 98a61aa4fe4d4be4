// What a build reads beyond its context directory, and the options that shape a copy: ADD of
// URLs with --checksum, a remote tarball or Dockerfile as the context, COPY --chmod, --parents,
// --exclude and --link; and the two ways a build stops early: POST /build/cancel and the
// terminal view of `--progress=tty`.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let work: string;
let server: ChildProcess;
let url = '';
const served = join(mkdtempSync('/tmp/berth-served-'), 'files');

// In a process of its own: the berth CLI runs through spawnSync, which blocks this one.
const serverScript = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const root = process.argv[1];
const s = http.createServer((req, res) => {
  const file = path.join(root, path.normalize(decodeURIComponent(req.url)));
  if (!file.startsWith(root) || !fs.existsSync(file)) { res.writeHead(404).end('not found'); return; }
  res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' });
  fs.createReadStream(file).pipe(res);
});
s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));
`;

before(async () => {
  d = await startDaemon();
  work = mkdtempSync(join(d.base, 'ctx-'));
  assert.equal(d.berth(['pull', 'busybox']).code, 0);
  mkdirSync(served, { recursive: true });
  server = spawn(process.execPath, ['-e', serverScript, served], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    server.stdout!.once('data', (b: Buffer) => resolve(b.toString().trim()));
    server.once('exit', () => reject(new Error('the file server exited')));
  });
});
after(async () => {
  server?.kill();
  await d?.cleanup();
  rmSync(join(served, '..'), { recursive: true, force: true });
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
const run = (image: string, cmd: string) => ok(['run', '--rm', image, 'sh', '-c', cmd]);

describe('sources beyond the context directory', () => {
  it('ADD <url> names the file from the URL, mode 0600; --checksum is verified', () => {
    writeFileSync(join(served, 'tool.sh'), 'echo tool\n');
    const sum = `sha256:${createHash('sha256').update('echo tool\n').digest('hex')}`;
    ok(['build', '-t', 'added', ctx({ Dockerfile: `FROM busybox\nADD ${url}/tool.sh /opt/\nADD --checksum=${sum} ${url}/tool.sh /checked.sh\n` })]);
    assert.equal(run('added', 'stat -c "%a %u %n" /opt/tool.sh /checked.sh; cat /checked.sh'), '600 0 /opt/tool.sh\n600 0 /checked.sh\necho tool\n');
    const bad = d.berth(['build', ctx({ Dockerfile: `FROM busybox\nADD --checksum=sha256:${'0'.repeat(64)} ${url}/tool.sh /x\n` })]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /digest mismatch sha256:0{64}: sha256:/);
    const missing = d.berth(['build', ctx({ Dockerfile: `FROM busybox\nADD ${url}/nope.txt /x\n` })]);
    assert.match(missing.stderr, /status 404/);
  });

  it('a remote tarball is the context; a remote plain file is the Dockerfile', () => {
    const src = ctx({ Dockerfile: 'FROM busybox\nCOPY data.txt /remote-data\n', 'data.txt': 'remote\n' });
    spawnSync('tar', ['-C', src, '-czf', join(served, 'ctx.tar.gz'), '.']);
    ok(['build', '-t', 'remote-tar', `${url}/ctx.tar.gz`]);
    assert.equal(run('remote-tar', 'cat /remote-data'), 'remote\n');
    writeFileSync(join(served, 'Dockerfile.remote'), 'FROM busybox\nRUN echo from-remote > /r\n');
    ok(['build', '-t', 'remote-df', `${url}/Dockerfile.remote`]);
    assert.equal(run('remote-df', 'cat /r'), 'from-remote\n');
  });
});

describe('COPY options', () => {
  it('--chmod, --parents, --exclude, --link', () => {
    const dir = ctx({
      'app/a/one.txt': '1',
      'app/b/two.txt': '2',
      'app/b/skip.tmp': 'x',
      'run.sh': 'echo run\n',
      Dockerfile: [
        'FROM busybox',
        'COPY --chmod=0750 run.sh /bin/run.sh',
        'COPY --parents app/a/one.txt app/b/two.txt /tree/',
        'COPY --exclude=*.tmp app/b /filtered/',
        'COPY --link app/a /linked/',
        '',
      ].join('\n'),
    });
    ok(['build', '-t', 'copy-options', dir]);
    assert.equal(run('copy-options', 'stat -c "%a" /bin/run.sh; find /tree /filtered /linked -type f | sort'), '750\n/filtered/two.txt\n/linked/one.txt\n/tree/app/a/one.txt\n/tree/app/b/two.txt\n');
  });
});

describe('stopping and watching a build', () => {
  it('POST /build/cancel stops the build the client named, and its container goes', async () => {
    const tar = spawnSync('tar', ['-C', ctx({ Dockerfile: 'FROM busybox\nRUN echo started && sleep 600\n' }), '-cf', '-', '.']).stdout;
    let text = '';
    const finished = new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: '/build?buildid=job-1', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(tar);
    });
    for (let i = 0; i < 600 && !text.includes('"stream":"started\\n"'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(text, /started/);
    const cancel = await d.api('POST', '/build/cancel?id=job-1');
    assert.equal(cancel.status, 200);
    await finished;
    assert.match(text, /"errorDetail":\{"message":"build cancelled"\}/);
    assert.equal(ok(['ps', '-aq']), '');
    assert.equal((await d.api('POST', '/build/cancel?id=job-1')).status, 404);
  });

  it('--progress=tty draws the steps with their times, as BuildKit does', () => {
    const out = ok(['build', '--progress=tty', '-t', 'tty-view', ctx({ Dockerfile: 'FROM busybox\nRUN echo line-of-output\nENV A=1\n' })]);
    const final = out.slice(out.lastIndexOf('[+] Building'));
    assert.match(final, /^\[\+\] Building \d+\.\ds \(3\/3\) FINISHED\n/);
    assert.match(final, /=> \[2\/3\] RUN echo line-of-output +\d+\.\ds\n/);
    assert.match(final, /=> naming to tty-view:latest/);
    assert.doesNotMatch(out, /Sending build context/);
    // A failed step keeps its output in the final view (progress.test.ts covers a running one's).
    const failed = d.berth(['build', '--progress=tty', ctx({ Dockerfile: 'FROM busybox\nRUN echo line-of-output; exit 3\n' })], { timeout: 180_000 });
    assert.equal(failed.code, 3, failed.stderr);
    const view = failed.stdout.slice(failed.stdout.lastIndexOf('[+] Building'));
    assert.match(view, /^\[\+\] Building \d+\.\ds \(\d\/2\) ERROR\n/);
    assert.match(view, /=> ERROR \[2\/2\] RUN echo line-of-output; exit 3 +\d+\.\ds\n\u001b\[2K => => # line-of-output/);
  });
});
