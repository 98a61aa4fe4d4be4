import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal, signalName } from './signals.ts';

describe('parseSignal', () => {
  it('reads names with or without SIG, in any case', () => {
    for (const raw of ['SIGTERM', 'TERM', 'sigterm', 'term', 'SigTerm', '15', '+15', '015']) {
      assert.deepEqual(parseSignal(raw), { name: 'SIGTERM', number: 15 }, raw);
    }
    assert.deepEqual(parseSignal('sigkill'), { name: 'SIGKILL', number: 9 });
    assert.deepEqual(parseSignal('HUP'), { name: 'SIGHUP', number: 1 });
    assert.deepEqual(parseSignal('SIGWINCH'), { name: 'SIGWINCH', number: 28 });
    assert.deepEqual(parseSignal('SIGSTKFLT'), { name: 'SIGSTKFLT', number: 16 });
    assert.deepEqual(parseSignal('SYS'), { name: 'SIGSYS', number: 31 });
  });

  it('answers the canonical name for aliases', () => {
    assert.deepEqual(parseSignal('SIGIOT'), { name: 'SIGABRT', number: 6 });
    assert.deepEqual(parseSignal('CLD'), { name: 'SIGCHLD', number: 17 });
    assert.deepEqual(parseSignal('SIGPOLL'), { name: 'SIGIO', number: 29 });
  });

  it('reads the real-time signals from both ends, as moby names them', () => {
    assert.deepEqual(parseSignal('SIGRTMIN'), { name: 'SIGRTMIN', number: 34 });
    assert.deepEqual(parseSignal('SIGRTMIN+3'), { name: 'SIGRTMIN+3', number: 37 });
    assert.deepEqual(parseSignal('rtmin+15'), { name: 'SIGRTMIN+15', number: 49 });
    assert.deepEqual(parseSignal('RTMAX-14'), { name: 'SIGRTMAX-14', number: 50 });
    assert.deepEqual(parseSignal('RTMAX-1'), { name: 'SIGRTMAX-1', number: 63 });
    assert.deepEqual(parseSignal('SIGRTMAX'), { name: 'SIGRTMAX', number: 64 });
    assert.deepEqual(parseSignal('40'), { name: 'SIGRTMIN+6', number: 40 });
    assert.deepEqual(parseSignal('55'), { name: 'SIGRTMAX-9', number: 55 });
  });

  it("refuses unknown names with docker's message", () => {
    for (const raw of ['FOO', 'SIG', '', ' TERM', 'TERM ', 'SIGSIGTERM', 'RTMIN+16', 'RTMAX-15', 'RTMIN-1', 'RTMAX+1', '0', '0x0f', '1.5', 'UNUSED', '99999999999999999999']) {
      assert.throws(() => parseSignal(raw), { name: 'InvalidArgument', message: `Invalid signal: ${raw}` }, raw);
    }
  });

  it('refuses numbers that are no Linux signal as dockerd does', () => {
    for (const [raw, n] of [['32', '32'], ['33', '33'], ['65', '65'], ['-5', '-5'], ['100', '100'], ['9223372036854775807', '9223372036854775807']]) {
      assert.throws(() => parseSignal(raw), { name: 'InvalidArgument', message: `the linux daemon does not support signal ${n}` }, raw);
    }
  });
});

describe('signalName', () => {
  it('names every Linux signal, canonically', () => {
    assert.equal(signalName(1), 'SIGHUP');
    assert.equal(signalName(6), 'SIGABRT');
    assert.equal(signalName(9), 'SIGKILL');
    assert.equal(signalName(15), 'SIGTERM');
    assert.equal(signalName(17), 'SIGCHLD');
    assert.equal(signalName(29), 'SIGIO');
    assert.equal(signalName(31), 'SIGSYS');
    assert.equal(signalName(34), 'SIGRTMIN');
    assert.equal(signalName(49), 'SIGRTMIN+15');
    assert.equal(signalName(50), 'SIGRTMAX-14');
    assert.equal(signalName(64), 'SIGRTMAX');
  });
  it('answers undefined for numbers that are no signal', () => {
    for (const n of [0, -1, 32, 33, 65, 1.5]) assert.equal(signalName(n), undefined, String(n));
  });
  it('round-trips with parseSignal for 1..31 and 34..64', () => {
    for (let n = 1; n <= 64; n++) {
      if (n === 32 || n === 33) continue;
      const name = signalName(n)!;
      assert.equal(parseSignal(name).number, n, name);
      assert.equal(parseSignal(String(n)).name, name);
    }
  });
});
