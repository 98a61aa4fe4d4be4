// POST /containers/{id}/attach: replay the log (logs=1), then stream live output (stream=1) from
// conmon's attach socket, and pass stdin through. Attaching to a container that is not running
// waits for its next start, as dockerd does (`docker start -a` attaches first).
import { EventEmitter } from 'node:events';
import { NotImplemented } from '../errors/index.ts';
import { DetachScanner } from '../lib/index.ts';
import type { AttachConnection } from '../runtime/index.ts';
import { announce } from './announce.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { readLogs } from './logs.ts';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  logs: boolean;
  stream: boolean;
  /** The detach sequence to watch stdin for (docker's default: ctrl-p ctrl-q). */
  detachKeys?: Buffer;
}

export type OutputWriter = (stream: 'stdout' | 'stderr', data: Buffer) => Promise<void> | void;

/** A live attachment; `done` settles when output ends (container exit, detach or close). */
export class AttachSession extends EventEmitter {
  readonly done: Promise<void>;
  #conn?: AttachConnection;
  #resolve!: () => void;
  #reject!: (err: unknown) => void;
  #closed = false;
  #stdinQueue: Buffer[] = [];
  #stdinEnd = false;
  #scanner?: DetachScanner;
  #endAfter?: Promise<unknown>;
  /** Set when the client typed the detach sequence. */
  detached = false;

  constructor(options: { detachKeys?: Buffer } = {}) {
    super();
    if (options.detachKeys) this.#scanner = new DetachScanner(options.detachKeys);
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {});
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * When the output ends by itself, `done` waits for `recorded` too: an exec's client reads the
   * exit code as soon as its stream closes, so the stream may close only once the code is known
   * (as dockerd orders it). A detach or a client that goes away ends the session at once.
   */
  endAfter(recorded: Promise<unknown>): void {
    this.#endAfter = recorded;
  }

  #outputEnded(): void {
    if (!this.#endAfter) return this.finish();
    const finish = () => this.finish();
    void this.#endAfter.then(finish, finish);
  }

  /** Hands the session its conmon connection; stdin sent before now is flushed to it. */
  connect(conn: AttachConnection, options: AttachOptions, write: OutputWriter): void {
    if (this.#closed) {
      conn.close();
      return;
    }
    this.#conn = conn;
    conn.on('data', (stream, data) => {
      if ((stream === 'stdout' && !options.stdout) || (stream === 'stderr' && !options.stderr)) return;
      const r = write(stream, data);
      if (r instanceof Promise) {
        conn.pause();
        r.then(
          () => conn.resume(),
          () => this.close(),
        );
      }
    });
    conn.on('end', () => this.#outputEnded());
    conn.on('error', (err) => this.fail(err));
    for (const b of this.#stdinQueue) void conn.writeStdin(b);
    this.#stdinQueue = [];
    if (this.#stdinEnd) conn.closeStdin();
  }

  async writeStdin(input: Buffer): Promise<void> {
    let data = input;
    if (this.#scanner) {
      const { forward, detached } = this.#scanner.feed(input);
      data = forward;
      if (detached) {
        if (data.length) await this.#conn?.writeStdin(data);
        this.detached = true;
        this.finish();
        return;
      }
      if (!data.length) return;
    }
    if (this.#conn) await this.#conn.writeStdin(data);
    else this.#stdinQueue.push(Buffer.from(data));
  }

  closeStdin(): void {
    this.#stdinEnd = true;
    this.#conn?.closeStdin();
  }

  finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn?.close();
    this.#resolve();
  }

  fail(err: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn?.close();
    this.#reject(err);
  }

  /** The client went away: drop the connection (the container keeps running). */
  close(): void {
    this.finish();
  }
}

export async function attachContainer(ctx: Pick<EngineContext, 'runtime' | 'logs' | 'events'>, c: Container, options: AttachOptions, write: OutputWriter): Promise<AttachSession> {
  // The detach keys are a terminal's: dockerd looks for them only in a tty's input. Piped stdin
  // (`run -i < file`) passes through untouched — random bytes hold ctrl-p ctrl-q every 64 KB.
  const session = new AttachSession(options.detachKeys && options.stdin && c.record.Config.Tty ? { detachKeys: options.detachKeys } : {});
  announce(ctx, c, 'attach');
  session.done.then(
    () => {
      if (session.detached) announce(ctx, c, 'detach');
    },
    () => {},
  );
  if (options.logs) {
    try {
      for await (const batch of readLogs(ctx, c, { stdout: options.stdout, stderr: options.stderr, follow: false })) {
        for (const rec of batch) await write(rec.stream, rec.data);
      }
    } catch (err) {
      // a driver that keeps no log has nothing to replay (dockerd logs the same and goes on)
      if (!(err instanceof NotImplemented)) throw err;
    }
  }
  if (!options.stream) {
    session.finish();
    return session;
  }
  const connectNow = () => {
    try {
      session.connect(ctx.runtime.attach(c.id), options, write);
    } catch {
      session.finish(); // it exited before we could connect: nothing more to stream
    }
  };
  if (c.state.Running || c.processExists) connectNow();
  else {
    const waiter = {
      ready: connectNow,
      failed: (err: unknown) => session.fail(err),
    };
    c.pendingAttach.add(waiter);
    const forget = () => c.pendingAttach.delete(waiter);
    session.done.then(forget, forget);
  }
  return session;
}
