import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { loadSyscalls } from '../sys/index.ts';
import { BLOCK, type TarHeaderInit } from './header.ts';
import { createTarPacker } from './writer.ts';
import { buildTar, collect, gnuTar, readAll, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // cap_net_bind_service, effective
const binary = Buffer.from([0x00, 0xff, 0x00, 0x0a, 0x3d, 0x20]);
const longName = `${'deep/'.repeat(40)}file-${'n'.repeat(120)}`;
const longLink = `../${'target/'.repeat(30)}end`;

const items: Array<[TarHeaderInit, (string | Buffer)?]> = [
  [{ name: 'dir/', type: 'directory', mode: 0o1777 }],
  [{ name: longName, type: 'file', mode: 0o640 }, 'long'],
  [{ name: 'dir/exe', type: 'file', mode: 0o4755, uid: 1000, gid: 2000, xattrs: new Map([['security.capability', capability], ['user.bin', binary]]) }, Buffer.from('binary\0\xff', 'latin1')],
  [{ name: 'dir/sym', type: 'symlink', linkname: longLink }],
  [{ name: 'dir/hard', type: 'link', linkname: 'dir/exe', mode: 0o4755, uid: 1000, gid: 2000 }],
  [{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }],
  [{ name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0, mode: 0o660 }],
  [{ name: 'dev/fifo', type: 'fifo', mode: 0o600 }],
  [{ name: 'ünïcødé/名前', type: 'file', uid: 5_000_000, gid: 6_000_000, uname: 'a-user-name-longer-than-32-bytes!!', gname: 'g' }, 'u'],
  [{ name: 'setgid/', type: 'directory', mode: 0o2755 }],
];

describe('createTarPacker', () => {
  it('round-trips names, links, devices, ids and binary xattrs through the reader', async () => {
    const buf = await buildTar(items);
    assert.equal(buf.length % BLOCK, 0);
    assert.ok(buf.subarray(buf.length - 2 * BLOCK).equals(Buffer.alloc(2 * BLOCK)), 'ends with two zero blocks');
    const got = await readAll(buf);
    assert.deepEqual(got.map((e) => e.header.name), items.map(([h]) => h.name));
    const by = (name: string) => got.find((e) => e.header.name === name)!;
    assert.equal(by(longName).body.toString(), 'long');
    assert.equal(by(longName).header.mode, 0o640);
    assert.equal(by('dir/').header.mode, 0o1777);
    assert.equal(by('setgid/').header.mode, 0o2755);
    const exe = by('dir/exe');
    assert.equal(exe.header.mode, 0o4755);
    assert.deepEqual([exe.header.uid, exe.header.gid], [1000, 2000]);
    assert.deepEqual(exe.header.xattrs.get('security.capability'), capability);
    assert.deepEqual(exe.header.xattrs.get('user.bin'), binary);
    assert.deepEqual(exe.body, Buffer.from('binary\0\xff', 'latin1'));
    assert.equal(by('dir/sym').header.linkname, longLink);
    assert.equal(by('dir/hard').header.type, 'link');
    assert.equal(by('dir/hard').header.linkname, 'dir/exe');
    assert.deepEqual([by('dev/null').header.type, by('dev/null').header.devmajor, by('dev/null').header.devminor], ['char', 1, 3]);
    assert.deepEqual([by('dev/sda').header.type, by('dev/sda').header.devmajor], ['block', 8]);
    assert.equal(by('dev/fifo').header.type, 'fifo');
    const u = by('ünïcødé/名前');
    assert.deepEqual([u.header.uid, u.header.gid, u.header.uname], [5_000_000, 6_000_000, 'a-user-name-longer-than-32-bytes!!']);
    assert.equal(exe.header.mtime.getTime(), 1_700_000_000_000);
  });

  it('writes whole-second times', async () => {
    const [e] = await readAll(await buildTar([[{ name: 'f', type: 'file', mtime: new Date(1_700_000_000_999) }, '']]));
    assert.equal(e.header.mtime.getTime(), 1_700_000_000_000);
  });

  it('is read by GNU tar: listing, and extraction with the binary xattrs intact', async () => {
    const dir = tmpDir('gnu-read');
    const file = join(dir, 'ours.tar');
    writeFileSync(file, await buildTar(items));
    const listing = gnuTar(['-tvf', file]);
    assert.match(listing, /^drwxrwxrwt 0\/0 +0 \S+ \S+ dir\/$/m);
    assert.match(listing, /^-rwsr-xr-x 1000\/2000 +8 \S+ \S+ dir\/exe$/m);
    assert.match(listing, /^hrwsr-xr-x 1000\/2000 +0 \S+ \S+ dir\/hard link to dir\/exe$/m);
    assert.match(listing, /^crw-rw-rw- 0\/0 +1,3 \S+ \S+ dev\/null$/m);
    assert.ok(listing.includes(longName), 'long name');
    assert.ok(listing.includes(`dir/sym -> ${longLink}`), 'long link');
    const out = join(dir, 'out');
    mkdirSync(out);
    gnuTar(['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', file, '-C', out]);
    assert.equal(readFileSync(join(out, longName), 'utf8'), 'long');
    assert.equal(readlinkSync(join(out, 'dir/sym')), longLink);
    assert.deepEqual(sys.lgetxattr(join(out, 'dir/exe'), 'user.bin'), binary);
    assert.deepEqual(sys.lgetxattr(join(out, 'dir/exe'), 'security.capability'), capability);
    const st = lstatSync(join(out, 'ünïcødé/名前'));
    assert.deepEqual([st.uid, st.gid], [5_000_000, 6_000_000]);
    assert.equal(lstatSync(join(out, 'dir/hard')).ino, lstatSync(join(out, 'dir/exe')).ino);
    assert.ok(lstatSync(join(out, 'dev/null')).isCharacterDevice());
  });

  it('refuses a body shorter or longer than the size, and the archive fails with it', async () => {
    for (const [size, body, re] of [
      [10, 'short', /missed writing 5 bytes/],
      [2, 'too long', /write too long/],
    ] as const) {
      const pack = createTarPacker();
      const read = collect(pack.stream);
      await assert.rejects(pack.entry({ name: 'f', type: 'file', size }, [body]), re);
      await assert.rejects(read, re);
      await assert.rejects(pack.finish());
    }
  });

  it('waits for its reader (backpressure) and keeps queued entries in order', async () => {
    const pack = createTarPacker();
    const big = Buffer.alloc(4 << 20, 2);
    let done = false;
    const first = pack.entry({ name: 'big', type: 'file', size: big.length }, Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)])).then(() => {
      done = true;
    });
    const second = pack.entry({ name: 'small', type: 'file', size: 5 }, ['small']);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false, 'the entry completed with nobody reading');
    const finished = pack.finish();
    const got = await readAll(pack.stream);
    await Promise.all([first, second, finished]);
    assert.deepEqual(got.map((e) => [e.header.name, e.body.length]), [['big', big.length], ['small', 5]]);
  });

  it('stops when its reader goes away', async () => {
    const pack = createTarPacker();
    const body = (async function* () {
      for (;;) yield Buffer.alloc(64 * 1024);
    })();
    const writing = pack.entry({ name: 'endless', type: 'file', size: 2 ** 40 }, body);
    pack.stream.once('data', () => pack.stream.destroy());
    await assert.rejects(writing);
  });

  it('gathers small entries into large chunks, and sends what it has when the producer pauses', async () => {
    const pack = createTarPacker();
    const chunks: Buffer[] = [];
    pack.stream.on('data', (c: Buffer) => chunks.push(c));
    // one small entry, then nothing: it must reach the reader without waiting for more
    await pack.entry({ name: 'first', type: 'file', size: 3 }, ['one']);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(Buffer.concat(chunks).length, 2 * BLOCK, 'the header and data of a lone entry are sent');
    for (let i = 0; i < 400; i++) await pack.entry({ name: `f${i}`, type: 'file', size: 100 }, [Buffer.alloc(100, i)]);
    await pack.finish();
    await new Promise((r) => pack.stream.once('end', r));
    assert.ok(chunks.length < 20, `${chunks.length} chunks for 401 small entries`);
    const got = await readAll(Readable.from([Buffer.concat(chunks)]));
    assert.equal(got.length, 401);
    assert.deepEqual(got[400].body, Buffer.alloc(100, 399));
  });
});
