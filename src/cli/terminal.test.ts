import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { FakeTerminal } from '../sys/index.ts';
import { enterRawMode } from './terminal.ts';

const ttyStdin = () => Object.assign(new Readable({ read() {} }), { isTTY: true, fd: 0 });

describe('enterRawMode', () => {
  it("turns output processing off, and restores the terminal's exact attributes once", () => {
    const terminal = new FakeTerminal([0]);
    const before = terminal.getAttributes(0);
    const events = new EventEmitter();
    const restore = enterRawMode({ stdin: ttyStdin(), terminal: () => terminal }, events);
    assert.equal(terminal.outputProcessing(0), false);
    restore();
    assert.deepEqual(terminal.getAttributes(0), before);
    restore();
    assert.equal(terminal.writes.length, 2, 'raw, then restored, and no more');
    assert.equal(events.listenerCount('exit') + events.listenerCount('SIGTERM'), 0, 'no listener left behind');
  });

  it('restores the terminal when the process exits without ending the session', () => {
    const terminal = new FakeTerminal([0]);
    const before = terminal.getAttributes(0);
    const events = new EventEmitter();
    enterRawMode({ stdin: ttyStdin(), terminal: () => terminal }, events);
    events.emit('exit', 0);
    assert.deepEqual(terminal.getAttributes(0), before);
    assert.equal(events.listenerCount('SIGHUP'), 0);
  });

  it('leaves a stdin that is not a terminal alone', () => {
    const terminal = new FakeTerminal([0]);
    enterRawMode({ stdin: Object.assign(new Readable({ read() {} }), { isTTY: false }), terminal: () => terminal }, new EventEmitter())();
    assert.equal(terminal.writes.length, 0);
  });
});
