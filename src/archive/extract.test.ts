import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FakeSyscalls, S_IFCHR, loadSyscalls } from '../sys/index.ts';
import { decompress } from './compress.ts';
import { applyLayer, BreakoutError } from './extract.ts';
import { buildTar, chunked, gnuTar, snapshot, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex');
const t0 = new Date(1_600_000_000_000);
const apply = (buf: Buffer, dest: string, whiteouts: 'overlay' | 'keep' = 'overlay') => applyLayer(chunked(buf, [4096]), dest, { sys, whiteouts });

describe('applyLayer', () => {
  it('extracts files, links, devices and their metadata; returns the bytes written', async () => {
    const dest = tmpDir('extract');
    const buf = await buildTar([
      [{ name: './etc/', type: 'directory', mode: 0o750, uid: 5, gid: 6, mtime: t0 }],
      [{ name: 'etc/passwd', type: 'file', mode: 0o600, uid: 12, gid: 34, mtime: t0 }, 'root:x:0:0\n'],
      [{ name: 'bin/tool', type: 'file', mode: 0o4755, xattrs: new Map([['security.capability', capability], ['user.bin', Buffer.from([0, 0xff])]]) }, 'exe'],
      [{ name: 'bin/alias', type: 'link', linkname: 'bin/tool', mode: 0o4755 }],
      [{ name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 7, gid: 8, mtime: t0 }],
      [{ name: '/abs/ok', type: 'file' }, 'absolute names stay inside'],
      [{ name: 'tmp/', type: 'directory', mode: 0o1777 }],
      [{ name: 'shared/', type: 'directory', mode: 0o2775 }],
      [{ name: 'dev/fifo', type: 'fifo', mode: 0o640 }],
      [{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }],
      [{ name: 'dev/loop0', type: 'block', devmajor: 7, devminor: 0, mode: 0o660 }],
      [{ name: 'ovl', type: 'file', xattrs: new Map([['trusted.overlay.opaque', Buffer.from('y')], ['trusted.overlay.redirect', Buffer.from('/x')]]) }, ''],
    ]);
    const { size } = await apply(buf, dest);
    assert.equal(size, 11 + 3 + 26);
    assert.equal(readFileSync(join(dest, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
    const passwd = statSync(join(dest, 'etc/passwd'));
    assert.deepEqual([passwd.mode & 0o7777, passwd.uid, passwd.gid, passwd.mtimeMs], [0o600, 12, 34, t0.getTime()]);
    const etc = statSync(join(dest, 'etc'));
    assert.deepEqual([etc.mode & 0o7777, etc.uid, etc.gid, etc.mtimeMs], [0o750, 5, 6, t0.getTime()], 'directory times are set after its children');
    const tool = statSync(join(dest, 'bin/tool'));
    assert.equal(tool.mode & 0o7777, 0o4755, 'setuid survives chown');
    assert.deepEqual(sys.lgetxattr(join(dest, 'bin/tool'), 'security.capability'), capability, 'capability survives chown and the hard link');
    assert.deepEqual(sys.lgetxattr(join(dest, 'bin/tool'), 'user.bin'), Buffer.from([0, 0xff]));
    assert.equal(statSync(join(dest, 'bin/alias')).ino, tool.ino);
    const sh = lstatSync(join(dest, 'bin/sh'));
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/busybox');
    assert.deepEqual([sh.uid, sh.gid, sh.mtimeMs], [7, 8, t0.getTime()], 'symlinks get lchown and lutimes');
    assert.equal(readFileSync(join(dest, 'abs/ok'), 'utf8'), 'absolute names stay inside');
    assert.equal(statSync(join(dest, 'tmp')).mode & 0o7777, 0o1777);
    assert.equal(statSync(join(dest, 'shared')).mode & 0o7777, 0o2775);
    const fifo = lstatSync(join(dest, 'dev/fifo'));
    assert.ok(fifo.isFIFO());
    assert.equal(fifo.mode & 0o7777, 0o640);
    const devNull = lstatSync(join(dest, 'dev/null'));
    assert.ok(devNull.isCharacterDevice());
    assert.equal(devNull.rdev, (1 << 8) | 3);
    assert.ok(lstatSync(join(dest, 'dev/loop0')).isBlockDevice());
    assert.equal(statSync(join(dest, 'dev')).mode & 0o7777, 0o755, 'implied directories are 0755');
    assert.deepEqual(sys.llistxattr(join(dest, 'ovl')), [], 'overlay attributes are never taken from a layer');
  });

  it('turns .wh. markers into overlay whiteouts and opaque directories', async () => {
    const dest = tmpDir('whiteouts');
    const buf = await buildTar([
      [{ name: 'gone/', type: 'directory' }],
      [{ name: 'gone/.wh..wh..opq', type: 'file' }, ''],
      [{ name: 'etc/.wh.shadow', type: 'file', uid: 3, gid: 4 }, ''],
      [{ name: '.wh..wh.plnk/123', type: 'file' }, 'aufs'],
      [{ name: 'etc/.wh..wh.aufs', type: 'file' }, ''],
      [{ name: '.wh..wh..opq', type: 'file' }, ''],
    ]);
    await apply(buf, dest);
    const wh = lstatSync(join(dest, 'etc/shadow'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal(wh.mode & 0o7777, 0);
    assert.deepEqual([wh.uid, wh.gid], [3, 4]);
    assert.equal(sys.lgetxattr(join(dest, 'gone'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(sys.lgetxattr(dest, 'trusted.overlay.opaque')?.toString(), 'y');
    assert.deepEqual(readdirSync(join(dest, 'etc')), ['shadow']);
    assert.deepEqual(readdirSync(dest).sort(), ['etc', 'gone']);
  });

  it('keeps .wh. names as they are when asked to', async () => {
    const dest = tmpDir('keep');
    await apply(await buildTar([[{ name: 'etc/.wh.shadow', type: 'file' }, 'x'], [{ name: 'd/.wh..wh..opq', type: 'file' }, '']]), dest, 'keep');
    assert.equal(readFileSync(join(dest, 'etc/.wh.shadow'), 'utf8'), 'x');
    assert.ok(existsSync(join(dest, 'd/.wh..wh..opq')));
    assert.equal(sys.lgetxattr(join(dest, 'd'), 'trusted.overlay.opaque'), undefined);
  });

  it('refuses whiteouts of "." and ".."', async () => {
    for (const name of ['a/.wh.', 'a/.wh..', 'a/.wh...']) {
      await assert.rejects(apply(await buildTar([[{ name, type: 'file' }, '']]), tmpDir('badwh')), /invalid whiteout entry/, name);
    }
  });

  it('replaces what is in the way, merging only directory over directory', async () => {
    const dest = tmpDir('replace');
    mkdirSync(join(dest, 'dir/sub'), { recursive: true });
    writeFileSync(join(dest, 'dir/sub/old'), 'old');
    mkdirSync(join(dest, 'merge'));
    writeFileSync(join(dest, 'merge/kept'), 'kept');
    writeFileSync(join(dest, 'file'), 'file');
    symlinkSync('/etc', join(dest, 'link'));
    symlinkSync('nowhere', join(dest, 'dangling'));
    const buf = await buildTar([
      [{ name: 'dir', type: 'file' }, 'now a file'],
      [{ name: 'merge/', type: 'directory', mode: 0o700 }],
      [{ name: 'file/', type: 'directory' }],
      [{ name: 'link', type: 'file' }, 'now a file'],
      [{ name: 'dangling', type: 'symlink', linkname: 'elsewhere' }],
    ]);
    await apply(buf, dest);
    assert.equal(readFileSync(join(dest, 'dir'), 'utf8'), 'now a file');
    assert.equal(readFileSync(join(dest, 'merge/kept'), 'utf8'), 'kept');
    assert.equal(statSync(join(dest, 'merge')).mode & 0o777, 0o700);
    assert.ok(statSync(join(dest, 'file')).isDirectory());
    assert.ok(lstatSync(join(dest, 'link')).isFile());
    assert.equal(readlinkSync(join(dest, 'dangling')), 'elsewhere');
  });

  it('resolves symlinked parents inside the root, as a chroot would', async () => {
    const dest = tmpDir('inroot');
    const buf = await buildTar([
      [{ name: 'usr/lib/', type: 'directory' }],
      [{ name: 'lib', type: 'symlink', linkname: '/usr/lib' }],
      [{ name: 'lib/libc.so', type: 'file' }, 'libc'],
      [{ name: 'rel', type: 'symlink', linkname: 'usr/../usr/./lib' }],
      [{ name: 'rel/librel.so', type: 'file' }, 'rel'],
      [{ name: 'dangling', type: 'symlink', linkname: '/opt/made/here' }],
      [{ name: 'dangling/file', type: 'file' }, 'created at the target'],
      [{ name: 'hard', type: 'link', linkname: 'lib/libc.so' }],
    ]);
    await apply(buf, dest);
    assert.equal(readFileSync(join(dest, 'usr/lib/libc.so'), 'utf8'), 'libc');
    assert.equal(readFileSync(join(dest, 'usr/lib/librel.so'), 'utf8'), 'rel');
    assert.equal(readFileSync(join(dest, 'opt/made/here/file'), 'utf8'), 'created at the target');
    assert.equal(lstatSync(join(dest, 'hard')).ino, lstatSync(join(dest, 'usr/lib/libc.so')).ino);
    assert.ok(lstatSync(join(dest, 'lib')).isSymbolicLink());
  });

  it('gets owners and modes right whatever the umask, setgid directories and default ACLs', async () => {
    // system.posix_acl_default: a default ACL granting other no access (mask rwx)
    const acl = Buffer.from('02000000' + '01000700ffffffff' + '04000500ffffffff' + '10000700ffffffff' + '20000000ffffffff', 'hex');
    const buf = await buildTar([
      [{ name: 'plain/', type: 'directory' }],
      [{ name: 'plain/f', type: 'file', mode: 0o666 }, 'x'],
      [{ name: 'plain/d/', type: 'directory', mode: 0o777 }],
      [{ name: 'sgid/', type: 'directory', mode: 0o2775, gid: 50 }],
      [{ name: 'sgid/f', type: 'file', mode: 0o644 }, 'x'],
      [{ name: 'sgid/d/', type: 'directory', mode: 0o755 }],
      [{ name: 'sgid/l', type: 'symlink', linkname: 'f' }],
      [{ name: 'acl/', type: 'directory', xattrs: new Map([['system.posix_acl_default', acl]]) }],
      [{ name: 'acl/f', type: 'file', mode: 0o644 }, 'x'],
    ]);
    for (const umask of [0o022, 0o077, 0o000]) {
      const old = process.umask(umask);
      try {
        const dest = tmpDir('modes');
        await apply(buf, dest);
        const st = (p: string) => lstatSync(join(dest, p));
        const label = `umask ${umask.toString(8)}`;
        assert.equal(st('plain/f').mode & 0o7777, 0o666, label);
        assert.equal(st('plain/d').mode & 0o7777, 0o777, label);
        assert.deepEqual([st('sgid').mode & 0o7777, st('sgid').gid], [0o2775, 50], label);
        assert.deepEqual([st('sgid/f').mode & 0o7777, st('sgid/f').gid], [0o644, 0], `${label}: not the group a setgid parent hands down`);
        assert.deepEqual([st('sgid/d').mode & 0o7777, st('sgid/d').gid], [0o755, 0], label);
        assert.equal(st('sgid/l').gid, 0, label);
        assert.ok(sys.lgetxattr(join(dest, 'acl'), 'system.posix_acl_default'), 'the default ACL is set');
        assert.equal(st('acl/f').mode & 0o7777, 0o644, `${label}: not the mode a default ACL hands down`);
      } finally {
        process.umask(old);
      }
    }
  });

  it('leaves the root alone when the archive has a "./" entry', async () => {
    const dest = tmpDir('rootentry');
    const before = statSync(dest).mode;
    await apply(await buildTar([[{ name: './', type: 'directory', mode: 0o700, uid: 9 }], [{ name: 'f', type: 'file' }, 'x']]), dest);
    assert.equal(statSync(dest).mode, before);
    assert.equal(statSync(dest).uid, 0);
  });

  it('rejects breakouts and bad hard links', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['..', await buildTar([[{ name: '../x', type: 'file' }, 'x']]), /invalid entry name/],
      ['hardlink to nothing', await buildTar([[{ name: 'h', type: 'link', linkname: 'missing' }]]), /no such file/],
      ['hardlink to the root', await buildTar([[{ name: 'h', type: 'link', linkname: '/' }]]), /invalid hardlink target/],
      ['hardlink to a directory', await buildTar([[{ name: 'd/', type: 'directory' }], [{ name: 'h', type: 'link', linkname: 'd' }]]), /target is a directory/],
      ['file as a parent', await buildTar([[{ name: 'f', type: 'file' }, ''], [{ name: 'f/g', type: 'file' }, '']]), /not a directory/],
    ];
    for (const [label, buf, re] of cases) await assert.rejects(apply(buf, tmpDir('bad')), re, label);
    await assert.rejects(apply(cases[0][1], tmpDir('bad')), BreakoutError);
  });

  it('fails on a truncated archive or a corrupt gzip stream, after its writes have ended', async () => {
    const files: Array<[{ name: string; type: 'file' }, string]> = [];
    for (let i = 0; i < 200; i++) files.push([{ name: `d/f${i}`, type: 'file' }, `file ${i}`.repeat(50)]);
    const buf = await buildTar(files);
    const dest = tmpDir('truncated');
    await assert.rejects(apply(buf.subarray(0, buf.length - 5000), dest), /unexpected EOF/);
    rmSync(dest, { recursive: true }); // what the caller does: nothing may still be writing into it
    assert.ok(!existsSync(dest));
    const gz = gzipSync(buf);
    for (let i = 200; i < 300; i++) gz[i] ^= 0xaa;
    await assert.rejects(applyLayer(await decompress(chunked(gz, [1000])), tmpDir('corrupt'), { sys, whiteouts: 'overlay' }), /gzip: /);
  });

  it('extracts what GNU tar archived exactly as GNU tar extracts it', async () => {
    const src = tmpDir('gnu-src');
    mkdirSync(join(src, 'a/b/c'), { recursive: true });
    writeFileSync(join(src, 'a/b/c/file'), 'content');
    writeFileSync(join(src, 'a/exe'), 'exe');
    sys.lsetxattr(join(src, 'a/exe'), 'security.capability', capability);
    sys.lsetxattr(join(src, 'a/exe'), 'user.note', Buffer.from([0, 1, 0xff]));
    linkSync(join(src, 'a/exe'), join(src, 'a/exe2'));
    symlinkSync('b/c/file', join(src, 'a/link'));
    spawnSync('mkfifo', [join(src, 'a/fifo')]);
    sys.mknod(join(src, 'a/zero'), S_IFCHR | 0o666, 1, 5);
    spawnSync('chown', ['-h', '100:200', join(src, 'a/link')]);
    spawnSync('chmod', ['2750', join(src, 'a/b')]);
    writeFileSync(join(src, `a/${'x'.repeat(120)}`), 'long');
    for (const p of ['a/b/c/file', 'a/exe', 'a/b/c', 'a/b', 'a']) utimesSync(join(src, p), 1_500_000_000, 1_500_000_000);
    const tarFile = join(src, '..', 'gnu.tar');
    gnuTar(['--xattrs', '--xattrs-include=*', '--format=pax', '-cf', tarFile, '-C', src, 'a']);
    const theirs = tmpDir('gnu-theirs');
    gnuTar(['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', tarFile, '-C', theirs]);
    const ours = tmpDir('gnu-ours');
    await apply(readFileSync(tarFile), ours, 'keep');
    // The roots are not in the archive: their mtimes are when each extraction wrote into them.
    for (const root of [ours, theirs]) utimesSync(root, 1_500_000_000, 1_500_000_000);
    assert.deepEqual(snapshot(ours, sys), snapshot(theirs, sys));
    assert.deepEqual(sys.lgetxattr(join(ours, 'a/exe2'), 'security.capability'), capability);
  });

  it('works with the fake syscalls, without root', async () => {
    const fake = new FakeSyscalls();
    const dest = tmpDir('fake');
    await applyLayer(
      chunked(
        await buildTar([
          [{ name: 'etc/.wh.gone', type: 'file' }, ''],
          [{ name: 'opq/.wh..wh..opq', type: 'file' }, ''],
          [{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }],
          [{ name: 'f', type: 'file', xattrs: new Map([['user.x', Buffer.from([0xff])]]) }, 'data'],
        ]),
      ),
      dest,
      { sys: fake, whiteouts: 'overlay', noChown: true },
    );
    assert.deepEqual(fake.nodes.get(join(dest, 'etc/gone')), { mode: S_IFCHR, major: 0, minor: 0 });
    assert.deepEqual(fake.nodes.get(join(dest, 'dev/null')), { mode: S_IFCHR | 0o666, major: 1, minor: 3 });
    assert.equal(fake.xattrs.get(join(dest, 'opq'))?.get('trusted.overlay.opaque')?.toString(), 'y');
    assert.deepEqual(fake.xattrs.get(join(dest, 'f'))?.get('user.x'), Buffer.from([0xff]));
  });
});
