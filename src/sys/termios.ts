// Terminal attributes (termios) through libc. Node offers one raw mode, libuv's, and it keeps
// output post-processing on (OPOST|ONLCR): a container's "\r\n" then reaches the screen as
// "\r\r\n". The docker CLI puts the terminal in cfmakeraw(3)'s mode instead (moby/term's
// MakeRaw clears the same flags), output processing off, and berth does the same with these calls.
// The struct termios is kept opaque: it is read, changed by libc's cfmakeraw and written back
// whole, so the exact attributes found are the ones restored.
import { SyscallError } from './syscalls.ts';

export interface Terminal {
  /** The attributes of the terminal open on `fd`, to give back to setAttributes later. */
  getAttributes(fd: number): Buffer;
  /** Applies attributes taken by getAttributes, at once (TCSANOW). */
  setAttributes(fd: number, attributes: Buffer): void;
  /**
   * Puts the terminal on `fd` in cfmakeraw's mode: no echo, no line editing, no signal keys, no
   * input or output translation (VMIN 1, VTIME 0). Returns the attributes it had.
   */
  makeRaw(fd: number): Buffer;
}

// glibc's struct termios is 60 bytes on Linux; the slack costs nothing.
const termiosSize = 64;
const TCSANOW = 0;
/** c_oflag's "post-process output" bit; struct termios starts with c_iflag, c_oflag (uint32 each). */
export const OPOST = 0o1;

interface TermiosCalls {
  tcgetattr(fd: number, termios: Buffer): number;
  tcsetattr(fd: number, action: number, termios: Buffer): number;
  cfmakeraw(termios: Buffer): void;
  errno(): number;
}

let calls: TermiosCalls | undefined;

function load(): TermiosCalls {
  if (calls) return calls;
  // koffi is a native addon of ~7 ms to load: required here, when a terminal goes raw, and not
  // by the commands that never touch one. node:module too: it brings Node's ES module loader.
  const koffi = process.getBuiltinModule('node:module').createRequire(import.meta.url)('koffi') as {
    load(path: string): { func(decl: string): (...args: unknown[]) => number };
    errno(): number;
  };
  const libc = koffi.load('libc.so.6');
  const get = libc.func('int tcgetattr(int fd, void *termios)');
  const set = libc.func('int tcsetattr(int fd, int action, const void *termios)');
  const raw = libc.func('void cfmakeraw(void *termios)');
  calls = {
    tcgetattr: (fd, t) => get(fd, t),
    tcsetattr: (fd, action, t) => set(fd, action, t),
    cfmakeraw: (t) => void raw(t),
    errno: () => koffi.errno(),
  };
  return calls;
}

/** The real Terminal, calling libc through koffi (loaded on first use). */
export function loadTerminal(): Terminal {
  const fail = (syscall: string): never => {
    const errno = load().errno();
    throw new SyscallError(syscall, errno, `E${errno}`);
  };
  const terminal: Terminal = {
    getAttributes(fd) {
      const t = Buffer.alloc(termiosSize);
      if (load().tcgetattr(fd, t) !== 0) fail('tcgetattr');
      return t;
    },
    setAttributes(fd, attributes) {
      if (load().tcsetattr(fd, TCSANOW, attributes) !== 0) fail('tcsetattr');
    },
    makeRaw(fd) {
      const saved = terminal.getAttributes(fd);
      const raw = Buffer.from(saved);
      load().cfmakeraw(raw);
      terminal.setAttributes(fd, raw);
      return saved;
    },
  };
  return terminal;
}

/**
 * A Terminal for unit tests: each fd's attributes are bytes in memory, and makeRaw clears
 * c_oflag's OPOST bit (as cfmakeraw does) so a test can see which mode a terminal is in.
 */
export class FakeTerminal implements Terminal {
  readonly #attributes = new Map<number, Buffer>();
  /** Every setAttributes, in order. */
  readonly writes: Array<{ fd: number; attributes: Buffer }> = [];

  constructor(fds: readonly number[] = [0]) {
    for (const fd of fds) this.#attributes.set(fd, Buffer.from([0, 0, 0, 0, OPOST, 0, 0, 0, ...new Array<number>(termiosSize - 8).fill(0)]));
  }

  getAttributes(fd: number): Buffer {
    const t = this.#attributes.get(fd);
    if (!t) throw new SyscallError('tcgetattr', 25, 'ENOTTY');
    return Buffer.from(t);
  }

  setAttributes(fd: number, attributes: Buffer): void {
    if (!this.#attributes.has(fd)) throw new SyscallError('tcsetattr', 25, 'ENOTTY');
    this.#attributes.set(fd, Buffer.from(attributes));
    this.writes.push({ fd, attributes: Buffer.from(attributes) });
  }

  makeRaw(fd: number): Buffer {
    const saved = this.getAttributes(fd);
    const raw = Buffer.from(saved);
    raw.writeUInt32LE(raw.readUInt32LE(4) & ~OPOST, 4);
    this.setAttributes(fd, raw);
    return saved;
  }

  /** Whether output post-processing is on (c_oflag & OPOST), as a test reads the mode. */
  outputProcessing(fd: number): boolean {
    return (this.getAttributes(fd).readUInt32LE(4) & OPOST) !== 0;
  }
}
