import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarAttacks } from '../../test/fixtures/tar-attacks.ts';
import { FakeSyscalls, loadSyscalls } from '../sys/index.ts';
import { applyLayer, changes, createTarPacker, decompress, packDirectory, readTar, type TarHeader } from './index.ts';

const isRoot = process.getuid?.() === 0;
const sys = isRoot ? loadSyscalls() : new FakeSyscalls();
const base = mkdtempSync('/tmp/berth-archive-test-');
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string) => {
  const p = join(base, `${n++}-${name}`);
  mkdirSync(p, { recursive: true });
  return p;
};

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function entries(buf: Buffer): Promise<Array<{ h: TarHeader; body: string }>> {
  const out: Array<{ h: TarHeader; body: string }> = [];
  for await (const e of readTar(Readable.from([buf]))) out.push({ h: e.header, body: (await collect(e.body)).toString('latin1') });
  return out;
}

async function pack(list: Array<[Partial<TarHeader> & { name: string }, string?]>): Promise<Buffer> {
  const p = createTarPacker();
  const out = collect(p.stream);
  for (const [hdr, body] of list) {
    const data = body === undefined ? undefined : Buffer.from(body, 'latin1');
    await p.entry({ type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(1_700_000_000_000), ...hdr, size: data?.length ?? 0 } as TarHeader, data ? [data] : undefined);
  }
  await p.finish();
  return out;
}

describe('tar reader and writer', () => {
  it('round-trips long names, links, devices and a binary xattr', async () => {
    const long = 'd/'.repeat(60) + 'file-with-a-long-name.txt';
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x00, 0x80]);
    const buf = await pack([
      [{ name: 'dir/', type: 'directory', mode: 0o755 }],
      [{ name: long }, 'long'],
      [{ name: 'dir/exe', mode: 0o4755, uid: 1000, gid: 2000, xattrs: new Map([['security.capability', cap]]) }, 'binary\0\xff'],
      [{ name: 'dir/sym', type: 'symlink', linkname: '../' + 'x'.repeat(150) }],
      [{ name: 'dir/hard', type: 'link', linkname: 'dir/exe' }],
      [{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }],
      [{ name: 'ünïcødé' }, 'u'],
    ]);
    const got = await entries(buf);
    assert.deepEqual(got.map((e) => e.h.name), ['dir/', long, 'dir/exe', 'dir/sym', 'dir/hard', 'dev/null', 'ünïcødé']);
    assert.equal(got[1].body, 'long');
    assert.equal(got[2].h.mode, 0o4755);
    assert.equal(got[2].h.uid, 1000);
    assert.equal(got[2].h.gid, 2000);
    assert.deepEqual(got[2].h.xattrs?.get('security.capability'), cap);
    assert.equal(got[2].body, 'binary\0\xff');
    assert.equal(got[3].h.linkname, '../' + 'x'.repeat(150));
    assert.equal(got[4].h.type, 'link');
    assert.equal(got[5].h.devmajor, 1);
    assert.equal(got[5].h.devminor, 3);
    assert.equal(got[2].h.mtime.getTime(), 1_700_000_000_000);
  });

  it('is read by GNU tar, with the binary xattr intact', async () => {
    const dir = tmp('gnu-read');
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x00]);
    const buf = await pack([
      [{ name: 'a/' + 'b'.repeat(120) }, 'hello'],
      [{ name: 'x', xattrs: new Map([['user.bin', cap]]) }, 'y'],
    ]);
    writeFileSync(join(dir, 't.tar'), buf);
    const r = spawnSync('tar', ['--xattrs', '-tvf', join(dir, 't.tar')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp('a/' + 'b'.repeat(120)));
    const x = spawnSync('tar', ['--xattrs', "--xattrs-include=user.*", '-xf', join(dir, 't.tar'), '-C', dir], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.equal(readFileSync(join(dir, 'a', 'b'.repeat(120)), 'utf8'), 'hello');
    if (isRoot) assert.deepEqual(loadSyscalls().lgetxattr(join(dir, 'x'), 'user.bin'), cap);
  });

  it('reads what GNU tar writes in gnu and pax formats', async () => {
    const src = tmp('gnu-src');
    mkdirSync(join(src, 'tree', 'x'.repeat(110)), { recursive: true });
    writeFileSync(join(src, 'tree', 'x'.repeat(110), 'f'), 'content');
    symlinkSync('x'.repeat(110) + '/f', join(src, 'tree', 'link'));
    linkSync(join(src, 'tree', 'x'.repeat(110), 'f'), join(src, 'tree', 'hard'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      const t = join(src, `${format}.tar`);
      const r = spawnSync('tar', [`--format=${format}`, '-cf', t, '-C', src, 'tree'], { encoding: 'utf8' });
      if (format === 'ustar' && r.status !== 0) continue; // ustar cannot hold the 110-byte component
      assert.equal(r.status, 0, r.stderr);
      const got = await entries(readFileSync(t));
      const names = got.map((e) => e.h.name).sort();
      assert.ok(names.includes(`tree/${'x'.repeat(110)}/f`), `${format}: ${names.join(',')}`);
      assert.equal(got.find((e) => e.h.name.endsWith('/f'))?.body, 'content');
      assert.equal(got.find((e) => e.h.name === 'tree/link')?.h.linkname, 'x'.repeat(110) + '/f');
    }
  });

  it('refuses what is not a tar, and a truncated one, without hanging', async () => {
    await assert.rejects(entries(Buffer.from('this is definitely not a tar archive'.repeat(20))), /invalid tar header|unexpected EOF/);
    await assert.rejects(entries(Buffer.alloc(0)), /empty archive/);
    const good = await pack([[{ name: 'f' }, 'x'.repeat(2000)]]);
    await assert.rejects(entries(good.subarray(0, 1024)), /unexpected EOF/);
  });

  it('decompresses gzip transparently and passes plain tar through', async () => {
    const buf = await pack([[{ name: 'g' }, 'zipped']]);
    for (const input of [buf, gzipSync(buf)]) {
      const got = await entries(await collect(await decompress(Readable.from([input]))));
      assert.equal(got[0].body, 'zipped');
    }
  });
});

describe('applyLayer', () => {
  it('extracts files, links, devices and metadata; returns the bytes written', async () => {
    const dest = tmp('extract');
    const buf = await pack([
      [{ name: 'etc/', type: 'directory', mode: 0o755 }],
      [{ name: 'etc/passwd', mode: 0o600, uid: 12, gid: 34 }, 'root:x:0:0\n'],
      [{ name: 'bin/tool', mode: 0o4755 }, 'exe'],
      [{ name: 'bin/alias', type: 'link', linkname: 'bin/tool' }],
      [{ name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }],
      [{ name: '/abs/ok' }, 'absolute names stay inside'],
      [{ name: 'dev/fifo', type: 'fifo' }],
    ]);
    const { size } = await applyLayer(Readable.from([buf]), dest, { sys, whiteouts: 'overlay' });
    assert.equal(size, 11 + 3 + 26);
    assert.equal(readFileSync(join(dest, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
    const st = statSync(join(dest, 'etc/passwd'));
    assert.equal(st.mode & 0o777, 0o600);
    if (isRoot) assert.deepEqual([st.uid, st.gid], [12, 34]);
    assert.equal(statSync(join(dest, 'bin/tool')).mode & 0o7777, 0o4755);
    assert.equal(statSync(join(dest, 'bin/alias')).ino, statSync(join(dest, 'bin/tool')).ino);
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/busybox');
    assert.equal(readFileSync(join(dest, 'abs/ok'), 'utf8'), 'absolute names stay inside');
    assert.equal(statSync(join(dest, 'etc/passwd')).mtimeMs, 1_700_000_000_000);
    assert.ok(lstatSync(join(dest, 'dev/fifo')).isFIFO() || !isRoot);
  });

  it('turns .wh. markers into overlay whiteouts and opaque directories', { skip: !isRoot && 'needs root for mknod and trusted xattrs' }, async () => {
    const dest = tmp('whiteouts');
    const buf = await pack([[{ name: 'gone/.wh..wh..opq' }, ''], [{ name: 'etc/.wh.shadow' }, ''], [{ name: 'etc/.wh..wh.plnk' }, '']]);
    await applyLayer(Readable.from([buf]), dest, { sys, whiteouts: 'overlay' });
    const wh = lstatSync(join(dest, 'etc/shadow'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal(sys.lgetxattr(join(dest, 'gone'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.ok(!existsSync(join(dest, 'etc/.wh..wh.plnk')));
    // and back: packing the upper dir gives the markers again
    const back = await entries(await collect(packDirectory(dest, { sys, whiteouts: 'overlay' })));
    const names = back.map((e) => e.h.name);
    assert.ok(names.includes('etc/.wh.shadow'), names.join(','));
    assert.ok(names.includes('gone/.wh..wh..opq'), names.join(','));
  });

  it('follows an in-root symlink parent inside the root, as a chroot would', async () => {
    const dest = tmp('inroot');
    const buf = await pack([
      [{ name: 'usr/lib/', type: 'directory', mode: 0o755 }],
      [{ name: 'lib', type: 'symlink', linkname: '/usr/lib' }],
      [{ name: 'lib/libc.so' }, 'libc'],
    ]);
    await applyLayer(Readable.from([buf]), dest, { sys, whiteouts: 'overlay' });
    assert.equal(readFileSync(join(dest, 'usr/lib/libc.so'), 'utf8'), 'libc');
  });

  for (const attack of tarAttacks) {
    it(`never writes outside the root: ${attack.name}`, async () => {
      const box = tmp('attack');
      const dest = join(box, 'layer');
      const outside = join(box, 'outside');
      mkdirSync(dest);
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret'), 'original');
      const snapshot = () =>
        readdirSync(outside)
          .map((f) => `${f}:${lstatSync(join(outside, f)).isFile() ? createHash('sha256').update(readFileSync(join(outside, f))).digest('hex') : 'x'}:${lstatSync(join(outside, f)).nlink}`)
          .sort()
          .join(',');
      const beforeState = snapshot();
      const boxBefore = readdirSync(box).sort().join(',');
      const buf = await attack.build(outside);
      await applyLayer(Readable.from([buf]), dest, { sys, whiteouts: 'overlay' }).catch(() => undefined);
      assert.equal(snapshot(), beforeState, 'the outside directory changed');
      assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'original');
      assert.equal(readdirSync(box).sort().join(','), boxBefore, 'something appeared beside the root');
      assert.ok(!existsSync('/tmp/escaped') || statSync('/tmp/escaped').mtimeMs < Date.now() - 60_000, '/tmp/escaped was written');
    });
  }
});

describe('packDirectory and changes', () => {
  it('packs a tree in sorted order, directories first, hard links once', async () => {
    const dir = tmp('pack');
    mkdirSync(join(dir, 'b/sub'), { recursive: true });
    writeFileSync(join(dir, 'b/sub/f'), 'f');
    writeFileSync(join(dir, 'a'), 'a');
    linkSync(join(dir, 'a'), join(dir, 'c'));
    symlinkSync('a', join(dir, 'd'));
    const got = await entries(await collect(packDirectory(dir, { sys, whiteouts: 'keep' })));
    assert.deepEqual(got.map((e) => `${e.h.type}:${e.h.name}`), ['file:a', 'directory:b/', 'directory:b/sub/', 'file:b/sub/f', 'link:c', 'symlink:d']);
    assert.equal(got[4].h.linkname, 'a');
  });

  it('lists A, C and D for an upper dir over lowers', { skip: !isRoot && 'needs mknod' }, async () => {
    const lower = tmp('lower');
    const upper = tmp('upper');
    mkdirSync(join(lower, 'etc'));
    writeFileSync(join(lower, 'etc/keep'), '');
    writeFileSync(join(lower, 'etc/old'), '');
    mkdirSync(join(upper, 'etc'));
    writeFileSync(join(upper, 'etc/new'), '');
    writeFileSync(join(upper, 'etc/keep'), 'changed');
    sys.mknod(join(upper, 'etc/old'), 0o020000, 0, 0);
    const c = await changes(upper, [lower], sys);
    assert.deepEqual(c.map((x) => `${x.kind} ${x.path}`), ['C /etc', 'C /etc/keep', 'A /etc/new', 'D /etc/old']);
  });
});
