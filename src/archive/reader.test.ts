import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { loadSyscalls } from '../sys/index.ts';
import { paxRecord } from './header.ts';
import { readTar } from './reader.ts';
import { buildTar, chunked, collect, gnuTar, readAll, tmpDir } from './test-helpers.ts';

const sys = loadSyscalls();
const long = `${'long-directory-name/'.repeat(6)}and-a-file-name-past-one-hundred-bytes.txt`;

/** A tree with a long name, a long symlink target, a hard link, a fifo and a binary xattr. */
function fixtureTree(): string {
  const src = tmpDir('tree');
  mkdirSync(join(src, 'tree', long.slice(0, long.lastIndexOf('/'))), { recursive: true });
  writeFileSync(join(src, 'tree', long), 'long content');
  writeFileSync(join(src, 'tree', 'bin'), Buffer.from([0, 1, 2, 0xff]));
  symlinkSync(long, join(src, 'tree', 'link'));
  linkSync(join(src, 'tree', long), join(src, 'tree', 'hard'));
  spawnSync('mkfifo', [join(src, 'tree', 'fifo')]);
  sys.lsetxattr(join(src, 'tree', 'bin'), 'user.bin', Buffer.from([0x00, 0xff, 0x00, 0x0a]));
  return src;
}

/** Rejects if the promise takes longer than ms: a reader must never hang on bad input. */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);
}

describe('readTar reads what GNU tar writes', () => {
  const src = fixtureTree();
  for (const format of ['gnu', 'oldgnu', 'pax', 'posix']) {
    it(`in ${format} format`, async () => {
      const file = join(src, `${format}.tar`);
      utimesSync(join(src, 'tree', 'bin'), 1_700_000_000.25, 1_700_000_000.125); // reading moves atime
      const xattrs = format === 'pax' || format === 'posix' ? ['--xattrs', '--xattrs-include=*'] : [];
      gnuTar([...xattrs, `--format=${format}`, '-cf', file, '-C', src, 'tree']);
      const entries = await readAll(readFileSync(file));
      const byName = new Map(entries.map((e) => [e.header.name, e]));
      const f = byName.get(`tree/${long}`) ?? byName.get(`tree/hard`);
      assert.ok(f, [...byName.keys()].join(', '));
      const hard = entries.find((e) => e.header.type === 'link');
      assert.ok(hard && [`tree/${long}`, 'tree/hard'].includes(hard.header.linkname));
      const file1 = entries.find((e) => e.header.type === 'file' && e.header.size === 12);
      assert.equal(file1?.body.toString(), 'long content');
      assert.equal(byName.get('tree/link')?.header.type, 'symlink');
      assert.equal(byName.get('tree/link')?.header.linkname, long);
      assert.equal(byName.get('tree/fifo')?.header.type, 'fifo');
      assert.equal(byName.get('tree/')?.header.type, 'directory');
      const bin = byName.get('tree/bin');
      assert.deepEqual(bin?.body, Buffer.from([0, 1, 2, 0xff]));
      assert.equal(bin?.header.uname, 'root');
      if (format === 'pax' || format === 'posix') {
        assert.deepEqual(bin?.header.xattrs.get('user.bin'), Buffer.from([0x00, 0xff, 0x00, 0x0a]));
        assert.equal(bin?.header.mtime.getTime(), 1_700_000_000_125, 'sub-second PAX mtime');
        assert.equal(bin?.header.atime?.getTime(), 1_700_000_000_250);
      } else {
        assert.equal(bin?.header.mtime.getTime(), 1_700_000_000_000);
      }
    });
  }

  for (const format of ['ustar', 'v7']) {
    it(`in ${format} format (short names)`, async () => {
      const dir = tmpDir(format);
      mkdirSync(join(dir, 'a/b'), { recursive: true });
      writeFileSync(join(dir, 'a/b/f'), 'v7 data');
      symlinkSync('b/f', join(dir, 'a/s'));
      const file = join(dir, 'x.tar');
      gnuTar([`--format=${format}`, '-cf', file, '-C', dir, 'a']);
      const entries = await readAll(readFileSync(file));
      assert.deepEqual(
        entries.map((e) => `${e.header.type} ${e.header.name}`).sort(),
        ['directory a/', 'directory a/b/', 'file a/b/f', 'symlink a/s'],
      );
      assert.equal(entries.find((e) => e.header.name === 'a/b/f')?.body.toString(), 'v7 data');
      assert.equal(entries.find((e) => e.header.name === 'a/s')?.header.linkname, 'b/f');
    });
  }

  it('ids beyond the octal fields: base-256 in gnu, PAX records in pax', async () => {
    const dir = tmpDir('bigids');
    writeFileSync(join(dir, 'f'), 'x');
    for (const format of ['gnu', 'pax']) {
      const file = join(dir, `${format}.tar`);
      gnuTar([`--format=${format}`, '--owner=big:3000000', '--group=big:3000001', '--mtime=@-100000', '-cf', file, '-C', dir, 'f']);
      const [e] = await readAll(readFileSync(file));
      assert.equal(e.header.uid, 3_000_000, format);
      assert.equal(e.header.gid, 3_000_001, format);
      assert.equal(e.header.uname, 'big');
      assert.equal(e.header.mtime.getTime(), -100_000_000, format);
    }
  });

  it('PAX global headers apply to every following entry', async () => {
    const dir = tmpDir('global');
    writeFileSync(join(dir, 'a'), 'a');
    writeFileSync(join(dir, 'b'), 'b');
    const file = join(dir, 'g.tar');
    gnuTar(['--format=pax', '--pax-option=comment=for everyone', '-cf', file, '-C', dir, 'a', 'b']);
    const entries = await readAll(readFileSync(file));
    assert.deepEqual(entries.map((e) => [e.header.name, e.header.pax.comment]), [['a', 'for everyone'], ['b', 'for everyone']]);
  });

  it('refuses GNU sparse files, in both encodings', async () => {
    const dir = tmpDir('sparse');
    const f = join(dir, 'holes');
    spawnSync('truncate', ['-s', '8M', f]);
    writeFileSync(f, 'data', { flag: 'r+' });
    for (const format of ['gnu', 'pax']) {
      const file = join(dir, `${format}.tar`);
      gnuTar(['-S', `--format=${format}`, '-cf', file, '-C', dir, 'holes']);
      await assert.rejects(readAll(readFileSync(file)), /sparse files are not supported/, format);
    }
  });
});

describe('readTar on its own archives', () => {
  it('reads LIBARCHIVE.xattr records (base64, URL-encoded names)', async () => {
    const buf = await buildTar([[{ name: 'f', type: 'file', pax: { 'LIBARCHIVE.xattr.user.a%3Db': Buffer.from([0, 0xff]).toString('base64') } }, 'x']]);
    const [e] = await readAll(buf);
    assert.deepEqual(e.header.xattrs.get('user.a=b'), Buffer.from([0, 0xff]));
    assert.equal(e.header.pax['LIBARCHIVE.xattr.user.a%3Db'], undefined);
  });

  it('handles headers and bodies straddling chunk boundaries', async () => {
    const items: Array<[{ name: string; type: 'file' }, Buffer]> = [];
    for (let i = 0; i < 40; i++) items.push([{ name: `f${i}${'n'.repeat(i * 7)}`, type: 'file' }, Buffer.alloc(i * 97, i)]);
    const buf = await buildTar(items);
    for (const sizes of [[1], [7, 511, 513], [512], [100_000]]) {
      const entries = await readAll(buf, sizes);
      assert.equal(entries.length, 40);
      entries.forEach((e, i) => {
        assert.equal(e.header.name, items[i][0].name);
        assert.deepEqual(e.body, items[i][1]);
      });
    }
  });

  it('skips bodies nobody reads, and ones destroyed halfway', async () => {
    const big = Buffer.alloc(300_000, 7);
    const buf = await buildTar([
      [{ name: 'skipped', type: 'file' }, big],
      [{ name: 'half', type: 'file' }, big],
      [{ name: 'read', type: 'file' }, 'the end'],
    ]);
    const seen: string[] = [];
    for await (const e of readTar(chunked(buf, [4096]))) {
      seen.push(e.header.name);
      if (e.header.name === 'half') {
        for await (const chunk of e.body) {
          assert.ok((chunk as Buffer).length > 0);
          break; // destroys the body
        }
      }
      if (e.header.name === 'read') assert.equal((await collect(e.body)).toString(), 'the end');
    }
    assert.deepEqual(seen, ['skipped', 'half', 'read']);
  });

  it('refuses to hand out a body after moving on', async () => {
    const buf = await buildTar([[{ name: 'a', type: 'file' }, 'aaa'], [{ name: 'b', type: 'file' }, 'bbb']]);
    const held: Array<{ body: Readable }> = [];
    for await (const e of readTar(chunked(buf))) held.push(e);
    await assert.rejects(collect(held[0].body), /read after the next entry/);
  });

  it('applies backpressure: a slow consumer keeps the input from being read ahead', async () => {
    const body = Buffer.alloc(4 << 20, 1);
    const buf = await buildTar([[{ name: 'big', type: 'file' }, body]]);
    const input = new PassThrough({ highWaterMark: 16 * 1024 });
    let written = 0;
    const feed = (async () => {
      for (let pos = 0; pos < buf.length; pos += 16 * 1024) {
        if (!input.write(buf.subarray(pos, pos + 16 * 1024))) await new Promise((r) => input.once('drain', r));
        written = pos;
      }
      input.end();
    })();
    const it = readTar(input)[Symbol.asyncIterator]();
    const first = await it.next();
    assert.ok(!first.done);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(written < 1 << 20, `read ahead ${written} bytes without a consumer`);
    assert.deepEqual(await collect(first.value.body), body);
    assert.ok((await it.next()).done);
    await feed;
  });

  it('reads an archive without its end marker, and an empty stream as no entries', async () => {
    const buf = await buildTar([[{ name: 'f', type: 'file' }, 'data']]);
    const entries = await readAll(buf.subarray(0, buf.length - 1024));
    assert.equal(entries[0].body.toString(), 'data');
    assert.deepEqual(await readAll(Buffer.alloc(0)), []);
    assert.deepEqual(await readAll(Buffer.alloc(1024)), []);
  });

  it('drains the input after the end marker unless told not to', async () => {
    const buf = Buffer.concat([await buildTar([[{ name: 'f', type: 'file' }, 'data']]), Buffer.alloc(10240)]);
    const input = chunked(buf, [1000]);
    await readAll(input);
    assert.ok(input.readableEnded);
    const kept = chunked(buf, [1000]);
    for await (const _ of readTar(kept, { drain: false })) {
      // nothing
    }
    assert.ok(!kept.readableEnded);
  });

  it('fails cleanly, without hanging, on what is not a tar or is cut short', async () => {
    const good = await buildTar([
      [{ name: 'x'.repeat(150), type: 'file' }, 'y'.repeat(2000)],
      [{ name: 'z', type: 'file' }, 'z'],
    ]);
    const random = Buffer.alloc(4096);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + 13) % 251;
    const cases: Array<[string, Buffer, RegExp]> = [
      ['text', Buffer.from('this is definitely not a tar archive\n'.repeat(40)), /invalid tar header/],
      ['random bytes', random, /invalid tar header/],
      ['a gzip stream', Buffer.from([0x1f, 0x8b, 8, 0, ...Buffer.alloc(600, 3)]), /invalid tar header/],
      ['cut inside the PAX records', good.subarray(0, 600), /unexpected EOF/],
      ['cut after the PAX header', good.subarray(0, 1024), /unexpected EOF/],
      ['cut inside a header', good.subarray(0, 1024 + 300), /unexpected EOF/],
      ['cut inside a body', good.subarray(0, 1536 + 1000), /unexpected EOF/],
      ['a zero block then garbage', Buffer.concat([Buffer.alloc(512), Buffer.alloc(512, 0x41)]), /invalid tar header/],
      ['a half block', Buffer.alloc(100, 0x41), /unexpected EOF/],
    ];
    for (const [label, buf, re] of cases) {
      await assert.rejects(within(2000, readAll(buf, [333])), re, label);
    }
  });

  it("reports the input stream's own error when it breaks off", async () => {
    const input = new PassThrough();
    const good = await buildTar([[{ name: 'f', type: 'file' }, Buffer.alloc(5000, 1)]]);
    input.write(good.subarray(0, 2000));
    setTimeout(() => input.destroy(new Error('connection reset')), 10);
    await assert.rejects(within(2000, readAll(input)), /connection reset/);
  });

  it('rejects oversized PAX headers instead of buffering them', async () => {
    const records = paxRecord('comment', Buffer.alloc(2 << 20, 0x61));
    const buf = await buildTar([[{ name: 'f', type: 'file', pax: { comment: records.toString('latin1') } }, 'x']]);
    await assert.rejects(readAll(buf), /header field too long/);
  });

  it('destroys the input when the consumer stops early', async () => {
    const buf = await buildTar([[{ name: 'a', type: 'file' }, 'a'], [{ name: 'b', type: 'file' }, 'b']]);
    const input = chunked(buf, [512]);
    for await (const e of readTar(input)) {
      assert.equal(e.header.name, 'a');
      break;
    }
    assert.ok(input.destroyed);
  });
});

describe('readTar segments (what tar-split records)', () => {
  /** The segments of a read, with file bodies put back in place when `read`. */
  async function segmentsOf(archive: Buffer, sizes: number[], read: boolean): Promise<{ bytes: Buffer; ended: boolean }> {
    const parts: Buffer[] = [];
    let ended = false;
    const slots: Array<{ at: number; name: string }> = [];
    const segments = {
      raw: (b: Buffer) => parts.push(Buffer.from(b)),
      file: (h: { name: string }) => slots.push({ at: parts.push(Buffer.alloc(0)) - 1, name: h.name }),
      end: () => (ended = true),
    };
    const bodies = new Map<string, Buffer>();
    for await (const e of readTar(chunked(archive, sizes), { segments })) if (read && e.header.type === 'file') bodies.set(e.header.name, await collect(e.body));
    for (const s of slots) parts[s.at] = bodies.get(s.name) ?? Buffer.from(`<${s.name}>`);
    return { bytes: Buffer.concat(parts), ended };
  }

  it('hand over every byte once, raw or as a file body in its place, whatever the chunking', async () => {
    const src = fixtureTree();
    const archive = Buffer.from(gnuTar(['--format=pax', '--xattrs', '-cf', '-', '-C', src, 'tree']), 'latin1');
    for (const sizes of [[archive.length], [1, 511, 513, 7, 4096]]) {
      const whole = await segmentsOf(archive, sizes, true);
      assert.equal(whole.ended, true);
      assert.deepEqual(whole.bytes, archive);
      // bodies nobody reads are skipped, not recorded
      const skipped = await segmentsOf(archive, sizes, false);
      assert.equal(skipped.ended, true);
      assert.ok(!skipped.bytes.includes(Buffer.from('long content')));
    }
  });
});

describe('a stream that ends without its last padding', () => {
  it('is an error, unless missingFinalPadding accepts it as the docker CLI sends it', async () => {
    const header = Buffer.alloc(512);
    header.write('f.txt', 0, 'latin1');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    header.write('00000000005\0', 124, 'latin1');
    header.write('00000000000\0', 136, 'latin1');
    header.write('0', 156, 'latin1');
    header.write('ustar\x0000', 257, 'latin1');
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const truncated = Buffer.concat([header, Buffer.from('hello')]);
    const names = async (options: { missingFinalPadding?: boolean }) => {
      const out: string[] = [];
      for await (const e of readTar(Readable.from([truncated]), options)) {
        let body = '';
        for await (const c of e.body) body += (c as Buffer).toString();
        out.push(`${e.header.name}:${body}`);
      }
      return out;
    };
    await assert.rejects(names({}), /unexpected EOF/);
    assert.deepEqual(await names({ missingFinalPadding: true }), ['f.txt:hello']);
  });
});
