import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NotFound } from '../errors/index.ts';
import { S_IFCHR, loadSyscalls } from '../sys/index.ts';
import { applyLayer } from './extract.ts';
import { packDirectory } from './pack.ts';
import { collect, gnuTar, readAll, snapshot, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const capV2 = Buffer.from('0100000200200000000000000000000000000000', 'hex');
const capV3 = Buffer.from('0100000300200000000000000000000000000000e8030000', 'hex');

/** A tree with every kind of entry; mtimes with fractions to check they are truncated. */
function tree(): string {
  const dir = tmpDir('tree');
  mkdirSync(join(dir, 'b/sub'), { recursive: true });
  mkdirSync(join(dir, 'B'));
  writeFileSync(join(dir, 'b/sub/f'), 'f');
  writeFileSync(join(dir, 'a'), 'a'.repeat(100_000));
  writeFileSync(join(dir, 'a.txt'), '');
  writeFileSync(join(dir, '_'), '');
  linkSync(join(dir, 'a'), join(dir, 'c'));
  linkSync(join(dir, 'a'), join(dir, 'b/sub/c2'));
  symlinkSync('/nonexistent/target', join(dir, 'd'));
  spawnSync('mkfifo', [join(dir, 'fifo')]);
  sys.mknod(join(dir, 'null'), S_IFCHR | 0o666, 1, 3);
  sys.lsetxattr(join(dir, 'a.txt'), 'user.bin', Buffer.from([0, 0xff]));
  sys.lsetxattr(join(dir, 'a.txt'), 'security.capability', capV3);
  sys.lsetxattr(join(dir, 'a.txt'), 'trusted.overlay.origin', Buffer.from('x'));
  spawnSync('chmod', ['4711', join(dir, 'a.txt')]);
  utimesSync(join(dir, 'a.txt'), 1_600_000_000.75, 1_600_000_000.75);
  return dir;
}

describe('packDirectory', () => {
  it("writes entries as dockerd does: sorted, depth-first, dirs with '/', links once", async () => {
    const dir = tree();
    const server = createServer().listen(join(dir, 'sock')); // sockets have no tar type
    await new Promise((r) => server.once('listening', r));
    try {
      const got = await readAll(packDirectory(dir, { sys, whiteouts: 'keep' }));
      assert.deepEqual(
        got.map((e) => `${e.header.type}:${e.header.name}`),
        ['directory:B/', 'file:_', 'file:a', 'file:a.txt', 'directory:b/', 'directory:b/sub/', 'link:b/sub/c2', 'file:b/sub/f', 'link:c', 'symlink:d', 'fifo:fifo', 'char:null'],
      );
      const by = (n: string) => got.find((e) => e.header.name === n)!;
      assert.equal(by('a').body.length, 100_000);
      assert.equal(by('b/sub/c2').header.linkname, 'a');
      assert.equal(by('d').header.linkname, '/nonexistent/target');
      assert.deepEqual([by('null').header.devmajor, by('null').header.devminor], [1, 3]);
      const txt = by('a.txt').header;
      assert.equal(txt.mode, 0o4711);
      assert.equal(txt.mtime.getTime(), 1_600_000_000_000);
      assert.deepEqual(txt.xattrs.get('user.bin'), Buffer.from([0, 0xff]));
      assert.deepEqual(txt.xattrs.get('security.capability'), capV2, 'v3 capabilities are written as v2, as dockerd does');
      assert.equal(txt.xattrs.has('trusted.overlay.origin'), false);
      assert.equal(txt.uname, '');
    } finally {
      server.close();
    }
  });

  it('is deterministic', async () => {
    const dir = tree();
    const one = await collect(packDirectory(dir, { sys, whiteouts: 'keep' }));
    const two = await collect(packDirectory(dir, { sys, whiteouts: 'keep' }));
    assert.ok(one.equals(two));
  });

  it('converts overlay whiteouts and opaque directories to OCI markers, and back', async () => {
    const upper = tmpDir('upper');
    mkdirSync(join(upper, 'etc'));
    sys.mknod(join(upper, 'etc/shadow'), S_IFCHR, 0, 0);
    mkdirSync(join(upper, 'opq'), 0o750);
    sys.lsetxattr(join(upper, 'opq'), 'trusted.overlay.opaque', Buffer.from('y'));
    writeFileSync(join(upper, 'opq/inside'), 'x');
    const got = await readAll(packDirectory(upper, { sys, whiteouts: 'overlay' }));
    assert.deepEqual(
      got.map((e) => `${e.header.type}:${e.header.name}:${e.header.mode.toString(8)}`),
      ['directory:etc/:755', 'file:etc/.wh.shadow:600', 'directory:opq/:750', 'file:opq/.wh..wh..opq:750', 'file:opq/inside:644'],
    );
    assert.equal(got[2].header.xattrs.size, 0, 'the opaque attribute itself is not written');
    const kept = await readAll(packDirectory(upper, { sys, whiteouts: 'keep' }));
    assert.equal(kept.find((e) => e.header.name === 'etc/shadow')?.header.type, 'char');
    // and back into a second upper dir: the same tree
    const again = tmpDir('again');
    await applyLayer(packDirectory(upper, { sys, whiteouts: 'overlay' }), again, { sys, whiteouts: 'overlay' });
    assert.deepEqual(snapshot(again, sys, { mtimes: false }), snapshot(upper, sys, { mtimes: false }));
  });

  it('round-trips a tree through applyLayer, and GNU tar agrees with the archive', async () => {
    const dir = tree();
    const out = tmpDir('roundtrip');
    await applyLayer(packDirectory(dir, { sys, whiteouts: 'keep' }), out, { sys, whiteouts: 'keep' });
    const strip = (lines: string[]) => lines.map((l) => l.replace('security.capability=' + capV3.toString('hex'), 'security.capability=' + capV2.toString('hex')).replace(/,?trusted\.overlay\.origin=78/, ''));
    // directory mtimes of the source changed when files were added; the rest must match
    assert.deepEqual(snapshot(out, sys).slice(1), strip(snapshot(dir, sys)).slice(1));
    const file = join(tmpDir('gnu'), 'ours.tar');
    writeFileSync(file, await collect(packDirectory(dir, { sys, whiteouts: 'keep' })));
    const theirs = tmpDir('gnu-x');
    gnuTar(['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', file, '-C', theirs]);
    assert.deepEqual(snapshot(theirs, sys).slice(1), snapshot(out, sys).slice(1));
  });

  it('packs selected paths, renamed, and the root as "./" when asked', async () => {
    const dir = tree();
    const got = await readAll(packDirectory(dir, { sys, whiteouts: 'keep', paths: ['b/sub', 'a'], rebase: { 'b/sub': 'renamed' } }));
    assert.deepEqual(got.map((e) => e.header.name), ['renamed/', 'renamed/c2', 'renamed/f', 'a']);
    assert.equal(got[1].header.type, 'file', 'the first of a set of hard links written carries the data');
    const rooted = await readAll(packDirectory(join(dir, 'b'), { sys, whiteouts: 'keep', includeRoot: true }));
    assert.deepEqual(rooted.map((e) => e.header.name), ['./', './sub/', './sub/c2', './sub/f']);
  });

  it('resolves selected paths inside the directory, never following the last component', async () => {
    const dir = tree();
    symlinkSync('/etc', join(dir, 'etc-link'));
    symlinkSync('/', join(dir, 'root-link'));
    const got = await readAll(packDirectory(dir, { sys, whiteouts: 'keep', paths: ['etc-link'] }));
    assert.deepEqual(got.map((e) => `${e.header.type}:${e.header.name}`), ['symlink:etc-link']);
    await assert.rejects(collect(packDirectory(dir, { sys, whiteouts: 'keep', paths: ['root-link/etc/passwd'] })), NotFound);
    await assert.rejects(collect(packDirectory(dir, { sys, whiteouts: 'keep', paths: ['missing'] })), /no such file or directory: missing/);
    await assert.rejects(collect(packDirectory(dir, { sys, whiteouts: 'keep', paths: ['../x'] })), /invalid path/);
  });
});
