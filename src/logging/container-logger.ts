// One running container's log pipeline: conmon writes the container's output in its k8s-file
// format into a pipe; berthd reads it, cuts it into dockerd's messages and hands them to the
// driver. The pipe is the backpressure: while the driver writes, berthd does not read, the pipe
// fills and the container's writes wait, as they wait for dockerd's copier. conmon keeps a read
// end of the pipe open itself, so a berthd restart never breaks it: the output waits in the pipe
// (1 MiB) for the next berthd, which goes on reading where this one stopped — the bytes of a
// record this one had read only in part are saved beside the log and put back first.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { writeFileAtomic, type Logger } from '../lib/index.ts';
import { Copier } from './copier.ts';
import type { MessageSink } from './drivers.ts';
import { K8sLineSplitter } from './k8s-file.ts';
import type { LogMessage } from './message.ts';

/** How long an exit waits for conmon to close the pipe before the log is closed without it. */
const exitDrainMs = 5000;

export function carryPath(dir: string): string {
  return join(dir, 'conmon-output.carry');
}

export class ContainerLogger {
  readonly sink: MessageSink;
  readonly #carryPath: string;
  readonly #log: Logger;
  readonly #copier = new Copier();
  readonly #splitter = new K8sLineSplitter();
  #source: Readable | undefined;
  #pump: Promise<void> = Promise.resolve();
  #ended = false;
  #stopping = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #failures = 0;

  constructor(options: { dir: string; sink: MessageSink; log: Logger }) {
    this.sink = options.sink;
    this.#carryPath = carryPath(options.dir);
    this.#log = options.log;
  }

  /** Starts reading conmon's output; first what a stopped berthd had read of a record. */
  async consume(source: Readable): Promise<void> {
    this.#source = source;
    const carried = await fsp.readFile(this.#carryPath).catch(() => undefined);
    if (carried) {
      await fsp.rm(this.#carryPath, { force: true });
      await this.#process(carried);
    }
    const wake = () => this.#wake?.();
    source.on('readable', wake);
    source.on('end', () => {
      this.#ended = true;
      wake();
    });
    source.on('error', (err) => {
      this.#log.warn('reading the container output failed', { error: err });
      this.#ended = true;
      wake();
    });
    this.#pump = this.#run(source);
  }

  async #run(source: Readable): Promise<void> {
    for (;;) {
      let chunk: Buffer | null;
      while (!this.#stopping && (chunk = source.read() as Buffer | null) !== null) await this.#process(chunk);
      if (this.#stopping || this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (source.readableLength > 0 || this.#ended || this.#stopping) resolve();
      });
      this.#wake = undefined;
    }
  }

  async #process(chunk: Buffer): Promise<void> {
    const msgs: LogMessage[] = [];
    this.#splitter.push(chunk, (rec) => this.#copier.push(rec, msgs));
    try {
      await this.sink.log(msgs);
    } catch (err) {
      // a full disk, an unreachable syslog: the messages are lost, the container goes on
      if (this.#failures++ % 1000 === 0) this.#log.error('writing the container log failed', { error: err });
    }
  }

  /** Stops reading: what was read but not yet taken is taken now, and the pipe's read end closed. */
  async #stop(): Promise<Buffer[]> {
    this.#stopping = true;
    this.#wake?.();
    await this.#pump;
    const rest: Buffer[] = [];
    const source = this.#source;
    if (source) {
      for (let chunk; (chunk = source.read() as Buffer | null) !== null; ) rest.push(chunk);
      source.destroy();
    }
    return rest;
  }

  /**
   * The container exited: everything up to conmon's close of the pipe is written, unfinished
   * lines end as pieces, and the driver closes.
   */
  async finish(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#source && !this.#ended) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#pump, new Promise<void>((resolve) => (timer = setTimeout(resolve, exitDrainMs)))]);
      clearTimeout(timer);
      if (!this.#ended) this.#log.warn('the container output pipe is still open after its exit; closing the log');
    }
    for (const chunk of await this.#stop()) await this.#process(chunk);
    const msgs: LogMessage[] = [];
    this.#copier.flush(msgs);
    try {
      await this.sink.log(msgs);
    } finally {
      await this.sink.close();
    }
  }

  /**
   * berthd stops and the container goes on: what was read is written (an unfinished line as
   * pieces, which `logs` prints the same), the part of a record read is saved for the next berthd.
   */
  async detach(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const chunk of await this.#stop()) await this.#process(chunk);
    const msgs: LogMessage[] = [];
    this.#copier.flush(msgs);
    try {
      await this.sink.log(msgs);
      const rest = this.#splitter.pendingBytes ? this.#splitter.take() : undefined;
      // atomically: a torn file would put half a record in front of the next berthd's reading
      if (rest) await writeFileAtomic(this.#carryPath, rest);
    } finally {
      await this.sink.close();
    }
  }
}
