// socketFromFd stands on an internal Node API (see pipeWrap): these tests run it on a real
// SOCK_SEQPACKET socket pair so that a Node upgrade that changes it fails here, loudly, rather
// than in attach sessions.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { pipeWrap, socketFromFd } from './syscalls.ts';

interface Koffi {
  load(path: string): { func(decl: string): (...args: unknown[]) => number };
}

const libc = (createRequire(import.meta.url)('koffi') as Koffi).load('libc.so.6');
const socketpair = libc.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)');
const closeFd = libc.func('int close(int fd)');
const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;

const opened: number[] = [];
after(() => {
  for (const fd of opened) closeFd(fd);
});

function seqpacketPair(): [number, number] {
  const sv = new Int32Array(2);
  assert.equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0, 'socketpair');
  return [sv[0]!, sv[1]!];
}

describe("socketFromFd on Node's pipe_wrap", () => {
  it('finds the binding it needs', () => {
    const binding = pipeWrap();
    assert.equal(typeof binding.Pipe, 'function');
    assert.equal(typeof binding.constants.SOCKET, 'number');
  });

  it('keeps packets whole both ways, and passes a half-close on', async () => {
    const [a, b] = seqpacketPair();
    const left = socketFromFd(a, { allowHalfOpen: true });
    const right = socketFromFd(b, { allowHalfOpen: true });
    const packets: string[] = [];
    const ended = new Promise<void>((resolve) => right.on('end', resolve));
    right.on('data', (d: Buffer) => packets.push(d.toString()));
    // Written back to back, so a coalescing write path would merge them into one packet.
    left.write('one');
    left.write('two');
    left.end('three');
    await ended;
    assert.deepEqual(packets, ['one', 'two', 'three']);
    // Half-open: the other direction still works after the end.
    const back = new Promise<string>((resolve) => left.once('data', (d: Buffer) => resolve(d.toString())));
    right.end('reply');
    assert.equal(await back, 'reply');
    left.destroy();
    right.destroy();
  });

  it('is still needed: net.Socket refuses a SEQPACKET fd (when this fails, use net.Socket and drop pipe_wrap)', () => {
    const [a, b] = seqpacketPair();
    opened.push(a, b);
    assert.throws(() => new net.Socket({ fd: a }), { code: 'ERR_INVALID_FD_TYPE' });
  });
});
