import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DetachScanner, parseDetachKeys } from './detach-keys.ts';

describe('detach keys', () => {
  it('parses docker key names', () => {
    assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
    assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 27, 28, 29, 30, 31]);
    assert.deepEqual([...parseDetachKeys('a,ctrl-A')], [97, 1]);
    assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid escape keys \(ctrl-1\) provided/);
    assert.throws(() => parseDetachKeys('abc'), /Invalid escape keys/);
    assert.throws(() => parseDetachKeys(''), /Invalid escape keys/);
  });

  it('finds the sequence across reads and passes everything else on', () => {
    const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    assert.deepEqual(s.feed(Buffer.from('ls\x10')), { forward: Buffer.from('ls'), detached: false });
    assert.deepEqual(s.feed(Buffer.from('\x11rest')), { forward: Buffer.alloc(0), detached: true });
  });

  it('releases a held-back prefix that turns out to be input', () => {
    const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    assert.deepEqual(s.feed(Buffer.from('\x10')).forward, Buffer.alloc(0));
    assert.deepEqual(s.feed(Buffer.from('x')), { forward: Buffer.from('\x10x'), detached: false });
    assert.deepEqual(s.feed(Buffer.from('\x10\x10\x11')), { forward: Buffer.from('\x10'), detached: true });
  });
});
