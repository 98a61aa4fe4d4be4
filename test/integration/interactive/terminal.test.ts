// The terminal that `berth run -it` works on and leaves behind, on a real pty: in raw mode the
// container's "\r\n" reaches the screen as it is (output post-processing off, as the docker CLI
// sets it — Node's own raw mode made it "\r\r\n"), and the terminal's attributes afterwards are
// exactly those it had, however the session ends: exit, detach keys, a failed start, SIGTERM.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OPOST } from '../../../src/sys/index.ts';
import { berthBin, startDaemon, type TestDaemon } from '../../helpers/daemon.ts';
import { spawnPty, type PtySession } from '../../helpers/pty.ts';

let d: TestDaemon;
const sessions: PtySession[] = [];

before(async () => {
  d = await startDaemon();
  const r = d.berth(['pull', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  for (const s of sessions) s.kill();
  await d?.cleanup();
});

// glibc's struct termios: c_iflag, c_oflag, c_cflag, c_lflag (uint32 each), c_line, c_cc[32]
const C_LFLAG = 12;
const C_CC = 17;
const ECHOCTL = 0o1000;
const VKILL = 3;

/**
 * Attributes no terminal starts with (ECHOCTL off, ^K as the kill character), set before berth
 * starts: restoring them proves berth put back what it found, not some default.
 */
function unusual(initial: Buffer): Buffer {
  const t = Buffer.from(initial);
  t.writeUInt32LE(t.readUInt32LE(C_LFLAG) & ~ECHOCTL, C_LFLAG);
  t[C_CC + VKILL] = 0x0b;
  return t;
}

function berthPty(args: string[]): { p: PtySession; before: Buffer } {
  const p = spawnPty(berthBin, ['-H', d.host, ...args], { rows: 24, cols: 80, attributes: unusual });
  sessions.push(p);
  assert.equal(p.initialAttributes.readUInt32LE(C_LFLAG) & ECHOCTL, 0);
  return { p, before: p.initialAttributes };
}

const outputProcessing = (p: PtySession) => (p.attributes().readUInt32LE(4) & OPOST) !== 0;

/** Polls until the session's terminal is in raw mode; the deadline only guards against a hang. */
async function rawModeOn(p: PtySession): Promise<void> {
  for (let i = 0; outputProcessing(p); i++) {
    if (i > 1200) assert.fail(`the terminal never went raw; it shows ${JSON.stringify(p.output())}`);
    await sleep(25);
  }
}

describe('berth run -it on a terminal', () => {
  it('writes the container\'s "\\r\\n" as it comes, not "\\r\\r\\n", and restores the terminal after exit', async () => {
    const { p, before: attrs } = berthPty(['run', '-it', '--rm', 'busybox', 'sh', '-c', 'printf "a\\nb\\n"; exit 4']);
    assert.equal(await p.exited, 4);
    assert.match(p.output(), /a\r\nb\r\n/);
    assert.doesNotMatch(p.output(), /\r\r\n/);
    assert.deepEqual(p.attributes(), attrs);
  });

  it('restores the terminal when the detach keys end the session', async () => {
    const { p, before: attrs } = berthPty(['run', '-it', '--name', 'detached', 'busybox', 'sh']);
    await p.waitFor('# ');
    assert.equal(outputProcessing(p), false, 'in raw mode during the session');
    p.write('\x10\x11');
    assert.equal(await p.exited, 0);
    assert.deepEqual(p.attributes(), attrs);
    assert.equal(d.berthOk(['inspect', '-f', '{{.State.Running}}', 'detached']).trim(), 'true');
  });

  it('restores the terminal when the container cannot start', async () => {
    const { p, before: attrs } = berthPty(['run', '-it', '--rm', 'busybox', 'no-such-command']);
    assert.equal(await p.exited, 127);
    assert.match(p.output(), /executable file not found/);
    assert.deepEqual(p.attributes(), attrs);
  });

  it('restores the terminal on SIGTERM, then dies of it', async () => {
    const { p, before: attrs } = berthPty(['run', '-it', '--name', 'terminated', 'busybox', 'sh']);
    await p.waitFor('# ');
    await rawModeOn(p);
    process.kill(p.child.pid!, 'SIGTERM');
    await p.exited;
    assert.equal(p.child.signalCode, 'SIGTERM');
    assert.deepEqual(p.attributes(), attrs);
  });

  it('exec -it restores the terminal too', async () => {
    d.berthOk(['run', '-d', '--name', 'target', 'busybox', 'sleep', '600']);
    const { p, before: attrs } = berthPty(['exec', '-it', 'target', 'sh', '-c', 'printf "x\\ny\\n"']);
    assert.equal(await p.exited, 0);
    assert.match(p.output(), /x\r\ny\r\n/);
    assert.deepEqual(p.attributes(), attrs);
  });
});
