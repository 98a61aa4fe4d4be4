import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { FakeTerminal, OPOST, loadTerminal, type Terminal } from './index.ts';

/** A pseudo-terminal pair from libc's openpty, so the real calls have a terminal to work on. */
function openPty(): { master: number; slave: number } {
  const koffi = createRequire(import.meta.url)('koffi') as { load(p: string): { func(d: string): (...a: unknown[]) => number } };
  const openpty = koffi.load('libc.so.6').func('int openpty(_Out_ int *amaster, _Out_ int *aslave, char *name, void *termp, void *winp)');
  const m = new Int32Array(1);
  const s = new Int32Array(1);
  assert.equal(openpty(m, s, null, null, null), 0);
  return { master: m[0]!, slave: s[0]! };
}

const opost = (attributes: Buffer) => (attributes.readUInt32LE(4) & OPOST) !== 0;

function terminalContract(name: string, make: () => { terminal: Terminal; fd: number; done(): void }) {
  describe(name, () => {
    it('makeRaw turns output post-processing off and returns the attributes it found', () => {
      const { terminal, fd, done } = make();
      try {
        const before = terminal.getAttributes(fd);
        assert.equal(opost(before), true, 'a new terminal post-processes output');
        const saved = terminal.makeRaw(fd);
        assert.deepEqual(saved, before);
        assert.equal(opost(terminal.getAttributes(fd)), false);
        terminal.setAttributes(fd, saved);
        assert.deepEqual(terminal.getAttributes(fd), before);
      } finally {
        done();
      }
    });

    it('fails with ENOTTY on something that is not a terminal', () => {
      const { terminal, done } = make();
      try {
        assert.throws(() => terminal.getAttributes(987), /tcgetattr/);
      } finally {
        done();
      }
    });
  });
}

terminalContract('the real Terminal, on a pty', () => {
  const { master, slave } = openPty();
  return {
    terminal: loadTerminal(),
    fd: slave,
    done: () => {
      closeSync(slave);
      closeSync(master);
    },
  };
});

terminalContract('FakeTerminal', () => ({ terminal: new FakeTerminal([3]), fd: 3, done: () => {} }));
