import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK, completeHeader, decodeBlock, encodeHeader, parsePax, parsePaxTime, paxRecord } from './header.ts';

describe('PAX records', () => {
  it('count their own length in bytes, across digit boundaries', () => {
    for (let n = 0; n < 1100; n++) {
      const value = Buffer.alloc(n, 0xff); // bytes, not characters: 0xff is one byte
      const rec = paxRecord('k', value);
      assert.equal(Number(rec.toString('latin1').split(' ')[0]), rec.length, `value of ${n} bytes`);
      assert.deepEqual(parsePax(rec).get('k'), value);
    }
  });

  it('keep binary values (NUL, 0xff, newlines) intact', () => {
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x0a, 0x00, 0x3d]);
    const data = Buffer.concat([paxRecord('SCHILY.xattr.security.capability', cap), paxRecord('path', Buffer.from('ä/b'))]);
    const records = parsePax(data);
    assert.deepEqual(records.get('SCHILY.xattr.security.capability'), cap);
    assert.equal(records.get('path')?.toString(), 'ä/b');
  });

  it('reject malformed records', () => {
    for (const bad of ['5 a=b\n', '30 path=x\n', 'x path=y\n', '9 pathxy\n', '8 path=y', '4 =b\n']) {
      assert.throws(() => parsePax(Buffer.from(bad)), /invalid PAX record/, bad);
    }
  });

  it('parse times with fractions and signs at millisecond precision', () => {
    assert.equal(parsePaxTime('1700000000.123456789').getTime(), 1_700_000_000_123);
    assert.equal(parsePaxTime('1700000000').getTime(), 1_700_000_000_000);
    assert.equal(parsePaxTime('-1.5').getTime(), -1500);
    assert.throws(() => parsePaxTime('soon'), /invalid PAX time/);
  });
});

describe('header blocks', () => {
  it('fit ustar when they can: a 150-byte path is split into prefix and name', () => {
    const name = `${'p'.repeat(60)}/${'q'.repeat(60)}/${'r'.repeat(28)}`;
    const buf = encodeHeader(completeHeader({ name, type: 'file', size: 5, mtime: new Date(1_600_000_000_999) }));
    assert.equal(buf.length, BLOCK);
    const raw = decodeBlock(buf);
    assert.equal(raw.name, name);
    assert.equal(raw.format, 'ustar');
    assert.equal(raw.size, 5);
    assert.equal(raw.mtime, 1_600_000_000); // whole seconds, as docker writes
  });

  it('switch to PAX for long and non-ASCII names, big ids and xattrs', () => {
    const cases = [
      { name: 'x'.repeat(101), type: 'file' as const },
      { name: 'ünïcødé', type: 'file' as const },
      { name: 'a', type: 'symlink' as const, linkname: 'l'.repeat(101) },
      { name: 'a', type: 'file' as const, uid: 0o10000000 },
      { name: 'a', type: 'file' as const, uname: 'u'.repeat(33) },
      { name: 'a', type: 'file' as const, xattrs: new Map([['user.x', Buffer.from([0])]]) },
    ];
    for (const c of cases) {
      const buf = encodeHeader(completeHeader(c));
      assert.ok(buf.length > BLOCK, JSON.stringify(c).slice(0, 60));
      assert.equal(decodeBlock(buf.subarray(0, BLOCK)).flag, 'x');
    }
  });

  it('write device numbers beyond octal in base-256, and read them back', () => {
    const buf = encodeHeader(completeHeader({ name: 'dev', type: 'char', devmajor: 0x7fffff, devminor: 3 }));
    const raw = decodeBlock(buf);
    assert.equal(raw.devmajor, 0x7fffff);
    assert.equal(raw.devminor, 3);
  });

  it('read negative base-256 numbers', () => {
    const block = encodeHeader(completeHeader({ name: 'old', type: 'file' }));
    block.fill(0xff, 136, 148); // mtime -1 in two's complement base-256
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    assert.equal(decodeBlock(block).mtime, -1);
  });

  it('fail on a wrong checksum or garbage in a number', () => {
    const block = encodeHeader(completeHeader({ name: 'f', type: 'file' }));
    const flipped = Buffer.from(block);
    flipped[0] ^= 1;
    assert.throws(() => decodeBlock(flipped), /archive\/tar: invalid tar header/);
    assert.throws(() => decodeBlock(Buffer.alloc(BLOCK, 0x41)), /archive\/tar: invalid tar header/);
  });

  it('accept old signed checksums', () => {
    const block = encodeHeader(completeHeader({ name: '\u00e9', type: 'file', pax: {} }));
    const main = block.subarray(block.length - BLOCK);
    main[99] = 0xe9; // a high byte: signed and unsigned sums differ
    main.fill(0x20, 148, 156);
    let signed = 0;
    for (const b of main) signed += b > 127 ? b - 256 : b;
    main.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    assert.doesNotThrow(() => decodeBlock(main));
  });
});
