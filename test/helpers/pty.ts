// Runs a program on a pseudo-terminal (openpty through koffi), so tests can drive interactive
// clients — berth or the real docker CLI — as a user at a terminal would: type, read the screen.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import tty from 'node:tty';
import { loadTerminal } from '../../src/sys/index.ts';

interface Koffi {
  load(path: string): { func(decl: string): (...args: unknown[]) => number };
}

let openpty: ((master: Int32Array, slave: Int32Array, name: null, termp: null, winp: Uint16Array) => number) | undefined;
let dup: ((fd: number) => number) | undefined;

export interface PtySession {
  child: ChildProcess;
  /** Everything the program wrote to the terminal so far. */
  output(): string;
  write(text: string): void;
  /** Resolves when the output matches; rejects after `timeoutMs` with what was seen. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit status. */
  exited: Promise<number>;
  kill(): void;
  /** The terminal's attributes (struct termios), read through the master: Linux answers with the slave's. */
  attributes(): Buffer;
  /** The attributes the terminal had when the program started. */
  initialAttributes: Buffer;
  setAttributes(attributes: Buffer): void;
}

export function spawnPty(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; rows?: number; cols?: number; /** Changes the new terminal's attributes before the program starts. */ attributes?: (initial: Buffer) => Buffer } = {},
): PtySession {
  if (!openpty) {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const libc = koffi.load('libc.so.6');
    openpty = libc.func('int openpty(_Out_ int *amaster, _Out_ int *aslave, char *name, void *termp, uint16_t *winp)') as unknown as typeof openpty;
    dup = libc.func('int dup(int fd)');
  }
  const m = new Int32Array(1);
  const s = new Int32Array(1);
  const win = new Uint16Array([options.rows ?? 24, options.cols ?? 80, 0, 0]);
  if (openpty!(m, s, null, null, win) !== 0) throw new Error('openpty failed');
  const master = m[0]!;
  const slave = s[0]!;
  if (options.attributes) loadTerminal().setAttributes(master, options.attributes(loadTerminal().getAttributes(master)));
  const initialAttributes = loadTerminal().getAttributes(master);
  const child = spawn(cmd, args, { stdio: [slave, slave, slave], env: options.env ?? process.env, detached: true });
  closeSync(slave);
  // The reader closes the master once the program is gone; a second descriptor keeps the
  // terminal's attributes readable after that, until kill().
  const control = dup!(master);
  let out = '';
  const listeners = new Set<() => void>();
  const reader = new tty.ReadStream(master);
  reader.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  });
  reader.on('error', () => {}); // EIO once the last slave fd closes
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      setTimeout(() => reader.destroy(), 200);
      resolve(code ?? (signal ? 128 : 255));
    });
  });
  return {
    child,
    output: () => out,
    write: (text) => {
      writeSync(master, text);
    },
    waitFor(pattern, timeoutMs = 10_000) {
      const test = () => (typeof pattern === 'string' ? out.includes(pattern) : pattern.test(out));
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${String(pattern)}; terminal shows: ${JSON.stringify(out)}`));
        }, timeoutMs);
        const check = () => {
          if (!test()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      });
    },
    exited,
    initialAttributes,
    attributes: () => loadTerminal().getAttributes(control),
    setAttributes: (attributes) => loadTerminal().setAttributes(control, attributes),
    kill: () => {
      try {
        closeSync(control);
      } catch {
        // closed by an earlier kill()
      }
      try {
        process.kill(child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reader.destroy();
    },
  };
}
