// Volumes, binds, tmpfs, --volumes-from, cp and diff through the berth CLI and the API against a
// real berthd, and the escape attempts `cp` must withstand: symlinks and ".." in the container
// path, malicious archives, and a symlink swapped in while a copy runs (CVE-2018-15664).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tarAttacks } from '../../fixtures/tar-attacks.ts';
import { busyboxRootfsTar, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';

let d: TestDaemon;
let work: string;

before(async () => {
  d = await startDaemon();
  const r = d.berth(['pull', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  work = join(d.base, 'work');
  mkdirSync(work);
  // an image whose /etc is a VOLUME, with content to copy up
  const tar = busyboxRootfsTar(d.base);
  writeFileSync(join(d.base, 'rootfs', 'etc', 'seed'), 'seeded\n');
  spawnSync('tar', ['-C', join(d.base, 'rootfs'), '-cf', tar, '.']);
  const imp = d.berth(['import', '-c', 'VOLUME ["/etc"]', '-c', 'CMD ["sh"]', tar, 'volimg']);
  assert.equal(imp.code, 0, imp.stderr);
});
after(async () => {
  await d?.cleanup();
});

const ok = (args: string[], input?: string | Buffer) => {
  const r = d.berth(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `berth ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const fails = (args: string[], pattern: RegExp, code?: number) => {
  const r = d.berth(args);
  assert.notEqual(r.code, 0, `berth ${args.join(' ')} should fail: ${r.stdout}`);
  if (code !== undefined) assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, pattern);
  return r;
};
const inspectMounts = (c: string) => JSON.parse(ok(['inspect', '-f', '{{json .Mounts}}', c])) as Array<Record<string, unknown>>;

describe('volume commands', () => {
  it('creates, lists, inspects and removes volumes', () => {
    assert.equal(ok(['volume', 'create', 'v-one']), 'v-one\n');
    assert.equal(ok(['volume', 'create', '--label', 'tier=db', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=8m', 'v-tmp']), 'v-tmp\n');
    const [v] = JSON.parse(ok(['volume', 'inspect', 'v-tmp']));
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.equal(v.Mountpoint, join(d.dataRoot, 'volumes', 'v-tmp', '_data'));
    assert.deepEqual(v.Labels, { tier: 'db' });
    assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' });
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(existsSync(join(d.dataRoot, 'volumes', 'v-one', '_data')));
    const ls = ok(['volume', 'ls']);
    assert.match(ls, /^DRIVER\s+VOLUME NAME\n/);
    assert.match(ls, /local\s+v-one\n/);
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'label=tier=db']), 'v-tmp\n');
    assert.equal(ok(['volume', 'ls', '--format', '{{.Name}} {{.Labels}}', '--filter', 'name=v-tmp']), 'v-tmp tier=db\n');
    // a tmpfs volume is mounted while a container uses it
    assert.match(ok(['run', '--rm', '-v', 'v-tmp:/t', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts']), /^tmpfs \/t tmpfs .*size=8192k/);
    assert.equal(ok(['volume', 'rm', 'v-one', 'v-tmp']), 'v-one\nv-tmp\n');
    fails(['volume', 'inspect', 'v-one'], /Error response from daemon: get v-one: no such volume/);
  });

  it('refuses bad names and options, and a volume in use', async () => {
    fails(['volume', 'create', 'a'], /volume name is too short, names should be at least two alphanumeric characters/);
    fails(['volume', 'create', 'bad/name'], /"bad\/name" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed/);
    fails(['volume', 'create', '-o', 'bogus=1', 'v-bad'], /invalid option: "bogus"/);
    fails(['volume', 'create', '-o', 'type=tmpfs', 'v-bad'], /missing required option: "device"/);
    ok(['volume', 'create', 'v-used']);
    const id = ok(['create', '-v', 'v-used:/x', 'busybox', 'true']).trim();
    const r = fails(['volume', 'rm', 'v-used'], /Error response from daemon: remove v-used: volume is in use - \[/);
    assert.ok(r.stderr.includes(id));
    const api = await d.api('DELETE', '/v1.43/volumes/v-used');
    assert.equal(api.status, 409);
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'dangling=false']).split('\n').includes('v-used'), true);
    ok(['rm', id]);
    ok(['volume', 'rm', 'v-used']);
    assert.equal((await d.api('DELETE', '/v1.43/volumes/nope?force=1')).status, 204);
    assert.equal((await d.api('DELETE', '/v1.43/volumes/nope')).status, 404);
  });

  it('prunes only anonymous volumes unless asked for all (API 1.42+), every unused one before', async () => {
    ok(['volume', 'create', 'v-named']);
    const anon = JSON.parse((await d.api('POST', '/v1.43/volumes/create', {})).body).Name as string;
    assert.match(anon, /^[0-9a-f]{64}$/);
    const out = ok(['volume', 'prune', '-f']);
    assert.match(out, new RegExp(`^Deleted Volumes:\\n${anon}\\n\\nTotal reclaimed space: `));
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'name=v-named']), 'v-named\n');
    const old = JSON.parse((await d.api('POST', '/v1.41/volumes/prune')).body);
    assert.ok(old.VolumesDeleted.includes('v-named'));
    ok(['volume', 'create', 'v-named2']);
    assert.match(ok(['volume', 'prune', '-a', '-f']), /Deleted Volumes:\nv-named2\n/);
  });
});

describe('mounts', () => {
  it('binds host directories and single files, creating a missing host directory', () => {
    const dir = join(work, 'www');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), 'hello\n');
    const conf = join(work, 'app.conf');
    writeFileSync(conf, 'conf=1\n');
    const missing = join(work, 'created', 'by', 'v');
    const out = ok(['run', '--rm', '-v', `${dir}:/www:ro`, '-v', `${conf}:/etc/app.conf`, '-v', `${missing}:/m`, 'busybox', 'sh', '-c', 'cat /www/index.html /etc/app.conf; touch /www/x 2>/dev/null || echo ro; echo w > /m/f']);
    assert.equal(out, 'hello\nconf=1\nro\n');
    assert.equal(readFileSync(join(missing, 'f'), 'utf8'), 'w\n');
  });

  it('creates named volumes on first use, copies the image content up, and keeps data', () => {
    const c = ok(['create', '--name', 'vimg', '-v', 'v-data:/data', 'volimg', 'cat', '/etc/seed']).trim();
    assert.equal(ok(['start', '-a', c]), 'seeded\n');
    const mounts = inspectMounts('vimg');
    const etc = mounts.find((m) => m.Destination === '/etc')!;
    assert.equal(etc.Type, 'volume');
    assert.match(etc.Name as string, /^[0-9a-f]{64}$/);
    assert.equal(etc.Mode, '');
    assert.equal(etc.RW, true);
    assert.equal(etc.Source, join(d.dataRoot, 'volumes', etc.Name as string, '_data'));
    assert.equal(readFileSync(join(etc.Source as string, 'seed'), 'utf8'), 'seeded\n');
    const data = mounts.find((m) => m.Destination === '/data')!;
    assert.deepEqual(data, { Type: 'volume', Name: 'v-data', Source: join(d.dataRoot, 'volumes', 'v-data', '_data'), Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    ok(['run', '--rm', '-v', 'v-data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(ok(['run', '--rm', '-v', 'v-data:/data', 'busybox', 'cat', '/data/f']), 'kept\n');
    // rm -v: the anonymous volume goes, the named one stays
    ok(['rm', '-v', 'vimg']);
    assert.equal(existsSync(etc.Source as string), false);
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'name=v-data']), 'v-data\n');
  });

  it('anonymous -v, --mount, --tmpfs, --volumes-from and --read-only', () => {
    ok(['run', '--name', 'src', '-v', '/anon', '--mount', 'type=volume,src=v-m,dst=/mv', 'busybox', 'sh', '-c', 'echo a > /anon/a; echo m > /mv/m']);
    const src = inspectMounts('src');
    assert.equal(src.find((m) => m.Destination === '/anon')!.Type, 'volume');
    const out = ok(['run', '--rm', '--read-only', '--volumes-from', 'src:ro', '--tmpfs', '/scratch:size=1m', '--mount', 'type=tmpfs,dst=/t2,tmpfs-size=2m', 'busybox', 'sh', '-c',
      'cat /anon/a /mv/m; touch /anon/x 2>/dev/null || echo ro-vol; touch /x 2>/dev/null || echo ro-root; echo s > /scratch/s && cat /scratch/s; grep -E " /(scratch|t2) " /proc/mounts | cut -d" " -f2,3 | sort']);
    assert.equal(out, 'a\nm\nro-vol\nro-root\ns\n/scratch tmpfs\n/t2 tmpfs\n');
    const anonName = src.find((m) => m.Destination === '/anon')!.Name as string;
    ok(['rm', '-v', 'src']);
    assert.equal(ok(['volume', 'ls', '-q', '--filter', `name=${anonName}`]), '');
    assert.equal(ok(['volume', 'ls', '-q', '--filter', 'name=v-m']), 'v-m\n');
    // --rm removes the anonymous volumes too
    const before = ok(['volume', 'ls', '-q']);
    ok(['run', '--rm', '-v', '/gone', 'busybox', 'true']);
    assert.equal(ok(['volume', 'ls', '-q']), before);
  });

  it('words bad input as docker does', () => {
    fails(['run', '--rm', '-v', 'rel/dir:/x', 'busybox', 'true'], /create rel\/dir: "rel\/dir" includes invalid characters for a local volume name, only "\[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]" are allowed. If you intended to pass a host directory, use absolute path/, 125);
    fails(['run', '--rm', '--mount', `type=bind,src=${join(work, 'nope')},dst=/x`, 'busybox', 'true'], /invalid mount config for type "bind": bind source path does not exist: .*\/nope/, 125);
    fails(['run', '--rm', '--mount', 'type=bind,dst=/x', 'busybox', 'true'], /invalid mount config for type "bind": field Source must not be empty/, 125);
    fails(['run', '--rm', '--mount', 'type=tmpfs,src=x,dst=/x', 'busybox', 'true'], /field Source must not be specified/, 125);
    fails(['run', '--rm', '--mount', 'type=volume,dst=/x,tmpfs-size=1m', 'busybox', 'true'], /cannot mix 'tmpfs-\*' options with mount type 'volume'/, 125);
    fails(['run', '--rm', '-v', `${work}:/x`, '-v', 'vv:/x', 'busybox', 'true'], /Duplicate mount point: \/x/, 125);
    fails(['run', '--rm', '-v', `${work}:relative`, 'busybox', 'true'], /invalid mount path: 'relative' mount path must be absolute/, 125);
    fails(['run', '--rm', '-v', `${work}:/x:bogus`, 'busybox', 'true'], /invalid mode: bogus/, 125);
    fails(['run', '--rm', '--volumes-from', 'no-such-container', 'busybox', 'true'], /No such container: no-such-container/, 125);
  });
});

describe('cp', () => {
  before(() => {
    const src = join(work, 'tree');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.txt'), 'A\n');
    writeFileSync(join(src, 'sub', 'b.txt'), 'B\n');
    symlinkSync('a.txt', join(src, 'link'));
    ok(['run', '-d', '--name', 'cpr', '-v', 'v-cp:/vol', '-v', `${work}:/bind`, 'busybox', 'sleep', '600']);
    ok(['create', '--name', 'cps', '-v', 'v-cp:/vol', 'busybox', 'true']);
  });

  for (const c of ['cpr', 'cps']) {
    it(`copies files and directories both ways (${c === 'cpr' ? 'running' : 'stopped'})`, () => {
      ok(['cp', join(work, 'tree'), `${c}:/tmp/`]);
      ok(['cp', join(work, 'tree', 'a.txt'), `${c}:/tmp/renamed.txt`]);
      ok(['cp', `${join(work, 'tree')}/.`, `${c}:/vol/${c}-contents`]);
      const out = join(work, `out-${c}`);
      mkdirSync(out);
      ok(['cp', `${c}:/tmp/tree`, out]);
      assert.equal(readFileSync(join(out, 'tree', 'sub', 'b.txt'), 'utf8'), 'B\n');
      ok(['cp', `${c}:/tmp/renamed.txt`, join(out, 'r.txt')]);
      assert.equal(readFileSync(join(out, 'r.txt'), 'utf8'), 'A\n');
      ok(['cp', `${c}:/vol/${c}-contents/sub/b.txt`, join(out, 'from-volume.txt')]);
      assert.equal(readFileSync(join(out, 'from-volume.txt'), 'utf8'), 'B\n');
      // a symlink is copied as a link, or followed with -L
      ok(['cp', `${c}:/tmp/tree/link`, join(out, 'l1')]);
      assert.equal(readdirSync(out).includes('l1'), true);
      ok(['cp', '-L', `${c}:/tmp/tree/link`, join(out, 'l2')]);
      assert.equal(readFileSync(join(out, 'l2'), 'utf8'), 'A\n');
      // tar streams on stdout and stdin
      const r = d.berth(['cp', `${c}:/tmp/renamed.txt`, '-']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.startsWith('renamed.txt'));
      ok(['cp', '-', `${c}:/tmp/`], Buffer.from(r.stdout, 'latin1'));
    });
  }

  it('copies into and out of a bind mounted in a running container, and checks with the container', () => {
    ok(['cp', join(work, 'tree', 'a.txt'), 'cpr:/bind/via-bind.txt']);
    assert.equal(readFileSync(join(work, 'via-bind.txt'), 'utf8'), 'A\n');
    assert.equal(ok(['exec', 'cpr', 'cat', '/tmp/renamed.txt', '/vol/cpr-contents/a.txt', '/vol/cps-contents/a.txt']), 'A\nA\nA\n');
  });

  it('keeps ownership with -a, and reports errors as docker does', () => {
    const f = join(work, 'owned');
    writeFileSync(f, 'x');
    ok(['cp', f, 'cpr:/tmp/owned']);
    ok(['run', '-d', '--name', 'cpu', '-u', 'nobody', 'busybox', 'sleep', '600']);
    ok(['cp', '-a', f, 'cpu:/tmp/owned-a']);
    assert.equal(ok(['exec', 'cpu', 'stat', '-c', '%u:%g', '/tmp/owned-a']), '65534:65534\n');
    ok(['rm', '-f', 'cpu']);
    fails(['cp', f, 'cpr:/no/such/dir/file'], /Error response from daemon: Could not find the file \/no\/such\/dir in container cpr/);
    fails(['cp', 'cpr:/no-such-file', work], /Error response from daemon: Could not find the file \/no-such-file in container cpr/);
    fails(['cp', join(work, 'tree'), 'cpr:/tmp/renamed.txt'], /cannot copy directory/);
    ok(['run', '-d', '--name', 'cpro', '--read-only', '-v', 'v-ro:/rov:ro', 'busybox', 'sleep', '600']);
    fails(['cp', f, 'cpro:/tmp/'], /Error response from daemon: container rootfs is marked read-only/);
    fails(['cp', f, 'cpro:/rov/'], /Error response from daemon: mounted volume is marked read-only/);
    ok(['rm', '-f', 'cpro']);
  });

  it('answers HEAD with the path stat header', async () => {
    const r = await d.api('HEAD', '/v1.43/containers/cpr/archive?path=/tmp/tree/link');
    assert.equal(r.status, 200);
    const stat = JSON.parse(Buffer.from(r.headers['x-docker-container-path-stat'] as string, 'base64').toString());
    assert.equal(stat.name, 'link');
    assert.equal(stat.linkTarget, '/tmp/tree/a.txt');
    assert.equal(stat.mode & (1 << 27), 1 << 27);
    assert.equal((await d.api('HEAD', '/v1.43/containers/cpr/archive?path=/nope')).status, 404);
  });
});

describe('cp never leaves the container', () => {
  let outside: string;
  before(() => {
    outside = join(d.base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'HOST SECRET\n');
    // inside the container, symlinks that point at the host path (absolute and climbing) and at /
    ok(['run', '-d', '--name', 'esc', 'busybox', 'sh', '-c',
      `mkdir -p /w && ln -s ${outside} /w/abs && ln -s ../../../../../../..${outside} /w/rel && ln -s / /w/root && sleep 600`]);
  });
  const assertHostUntouched = () => {
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'HOST SECRET\n');
  };

  it('reading through symlinks and .. in the container path resolves inside the container', () => {
    for (const p of ['/w/abs/secret', '/w/rel/secret', `/w/root${outside}/secret`, `/../../../..${outside}/secret`, `/w/root/../../..${outside}/secret`]) {
      fails(['cp', `esc:${p}`, join(work, 'stolen')], /Could not find the file/);
      assert.equal(existsSync(join(work, 'stolen')), false);
    }
  });

  it('writing through symlinks in the container path lands inside the container', () => {
    const f = join(work, 'payload');
    writeFileSync(f, 'payload\n');
    for (const dest of ['/w/root/tmp/', '/w/rel/', '/w/abs/']) d.berth(['cp', f, `esc:${dest}`]);
    assertHostUntouched();
    assert.equal(ok(['exec', 'esc', 'cat', '/tmp/payload']), 'payload\n');
  });

  for (const attack of tarAttacks) {
    it(`archive attack: ${attack.name}`, async () => {
      ok(['exec', 'esc', 'mkdir', '-p', '/dest']);
      const body = await attack.build(outside);
      const r = await new Promise<number>((resolve, reject) => {
        void import('node:http').then((http) => {
          const req = http.request({ socketPath: d.socket, method: 'PUT', path: '/v1.43/containers/esc/archive?path=/dest', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(body);
        });
      });
      assert.ok(r === 200 || r === 400, `status ${r}`);
      assertHostUntouched();
      assert.equal(existsSync(join(d.base, 'escaped')), false);
    });
  }

  it('a directory swapped for a symlink while copies run (CVE-2018-15664)', async () => {
    // the container makes /race/d a real directory, then a symlink to the host path, over and over
    ok(['exec', '-d', 'esc', 'sh', '-c',
      `mkdir -p /race/real && echo inside > /race/real/secret && while [ ! -e /race/stop ]; do mv /race/real /race/d; mv /race/d /race/real; ln -s ${outside} /race/d; rm /race/d; done`]);
    const f = join(work, 'racer');
    writeFileSync(f, 'racer\n');
    const jobs: Array<Promise<{ code: number; stdout: string }>> = [];
    for (let i = 0; i < 8; i++) {
      jobs.push(d.berthAsync(['cp', 'esc:/race/d/secret', '-']));
      jobs.push(d.berthAsync(['cp', f, 'esc:/race/d/racer']));
    }
    const results = await Promise.all(jobs);
    ok(['exec', 'esc', 'touch', '/race/stop']);
    for (const r of results) assert.ok(!r.stdout.includes('HOST SECRET'), 'read the host file');
    assertHostUntouched();
    assert.ok(results.some((r) => r.code === 0), 'no copy succeeded at all');
  });
});

describe('diff', () => {
  it('shows A, C and D lines from the container layer', () => {
    ok(['run', '--name', 'df', 'busybox', 'sh', '-c', 'mkdir /newdir && echo x > /newdir/f && rm /bin/true && echo y >> /etc/passwd']);
    const out = ok(['diff', 'df']);
    for (const line of ['A /newdir', 'A /newdir/f', 'C /bin', 'D /bin/true', 'C /etc', 'C /etc/passwd']) assert.ok(out.split('\n').includes(line), `missing ${line} in:\n${out}`);
    fails(['diff', 'no-such'], /No such container: no-such/);
  });
});

describe('volumes across a berthd restart', () => {
  it('a running container keeps its mounted volume, which is unmounted when it stops', async () => {
    ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=4m', 'v-restart']);
    ok(['run', '-d', '--name', 'rs', '-v', 'v-restart:/r', 'busybox', 'sh', '-c', 'echo alive > /r/f; sleep 600']);
    const path = join(d.dataRoot, 'volumes', 'v-restart', '_data');
    const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === path);
    assert.equal(mounted(), true);
    await d.stop();
    await d.start();
    assert.equal(ok(['exec', 'rs', 'cat', '/r/f']), 'alive\n');
    ok(['stop', '-t', '0', 'rs']);
    assert.equal(mounted(), false);
    ok(['rm', 'rs']);
    ok(['volume', 'rm', 'v-restart']);
  });
});
