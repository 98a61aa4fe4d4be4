// A streaming tar writer: entries go out as they are added, each body copied chunk by chunk with
// backpressure from whoever reads the archive; finish() writes the two zero blocks that end it.
import { Readable } from 'node:stream';
import { BLOCK, completeHeader, encodeHeader, type TarHeaderInit } from './header.ts';

export type TarBody = Readable | AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;

export interface TarPacker {
  /** The archive, to pipe wherever it goes. */
  readonly stream: Readable;
  /**
   * Adds an entry; a regular file's body must deliver exactly header.size bytes. Calls are
   * queued, so entries keep their order even when not awaited one by one. A failure (a body
   * too short or too long, a body error, the reader gone) aborts the archive.
   */
  entry(header: TarHeaderInit, body?: TarBody): Promise<void>;
  /** Ends the archive (two zero blocks) once every queued entry is written. */
  finish(): Promise<void>;
  /** Ends the archive with an error, which its reader sees. */
  abort(err: Error): void;
}

/**
 * Headers, padding and small files go out gathered into chunks of up to this many bytes: a tree of
 * many small files otherwise becomes tens of thousands of tiny chunks, each its own HTTP chunk,
 * write and garbage; larger data goes out as it comes.
 */
const gatherBytes = 64 * 1024;

class ArchiveStream extends Readable {
  #wake: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #gathered: Buffer[] = [];
  #gatheredBytes = 0;
  /** Sends what is gathered once the producer stops for I/O, so nothing waits for the next entry. */
  #flushLater: NodeJS.Immediate | null = null;

  override _read(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.resolve();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const w = this.#wake;
    this.#wake = null;
    w?.reject(err ?? new Error('tar stream closed'));
    this.#dropGathered();
    cb(err);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.destroyed) throw this.errored ?? new Error('tar stream closed');
    if (chunk.length >= gatherBytes) {
      await this.flush();
      await this.#send(chunk);
      return;
    }
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.length;
    if (this.#gatheredBytes >= gatherBytes) await this.flush();
    else this.#flushLater ??= setImmediate(() => {
      this.#flushLater = null;
      // a failure here is the stream's: the next write or finish sees it
      this.flush().catch(() => {});
    });
  }

  /** Sends what is gathered. */
  async flush(): Promise<void> {
    if (this.#flushLater) clearImmediate(this.#flushLater);
    this.#flushLater = null;
    if (this.#gatheredBytes === 0) return;
    const chunk = this.#gathered.length === 1 ? this.#gathered[0] : Buffer.concat(this.#gathered, this.#gatheredBytes);
    this.#gathered = [];
    this.#gatheredBytes = 0;
    await this.#send(chunk);
  }

  async #send(chunk: Buffer): Promise<void> {
    if (this.destroyed) throw this.errored ?? new Error('tar stream closed');
    if (this.push(chunk)) return;
    // a flush from the timer may be waiting already: both go on when the reader asks for more
    const prior = this.#wake;
    await new Promise<void>((resolve, reject) => {
      this.#wake = {
        resolve: () => (prior?.resolve(), resolve()),
        reject: (err) => (prior?.reject(err), reject(err)),
      };
    });
  }

  #dropGathered(): void {
    if (this.#flushLater) clearImmediate(this.#flushLater);
    this.#flushLater = null;
    this.#gathered = [];
    this.#gatheredBytes = 0;
  }
}

const toBuffer = (c: Buffer | Uint8Array | string): Buffer =>
  Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

/** Padding is a slice of this: never written to, so it can be sent as it is. */
const zeros = Buffer.alloc(BLOCK);

export function createTarPacker(): TarPacker {
  const out = new ArchiveStream({ highWaterMark: 128 * 1024 });
  let tail: Promise<void> = Promise.resolve();
  let finished = false;

  const fail = (err: unknown): never => {
    if (!out.destroyed) out.destroy(err as Error);
    throw err;
  };

  const writeEntry = async (init: TarHeaderInit, body?: TarBody): Promise<void> => {
    const header = completeHeader(init);
    if (!header.name) throw new Error('archive/tar: entry without a name');
    await out.write(encodeHeader(header));
    if (header.type !== 'file') return;
    let written = 0;
    if (body) {
      for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
        const b = toBuffer(chunk);
        if (b.length === 0) continue;
        if (written + b.length > header.size) throw new Error(`archive/tar: write too long for ${header.name}`);
        written += b.length;
        await out.write(b);
      }
    }
    if (written !== header.size) throw new Error(`archive/tar: missed writing ${header.size - written} bytes of ${header.name}`);
    const pad = (BLOCK - (header.size % BLOCK)) % BLOCK;
    if (pad) await out.write(zeros.subarray(0, pad));
  };

  return {
    stream: out,
    entry(header, body) {
      if (finished) return Promise.reject(new Error('archive/tar: entry after finish'));
      const run = tail.then(() => writeEntry(header, body)).catch(fail);
      tail = run.catch(() => {});
      return run;
    },
    finish() {
      finished = true;
      const run = tail
        .then(async () => {
          if (out.destroyed) throw out.errored ?? new Error('tar stream closed');
          await out.write(Buffer.alloc(BLOCK * 2));
          await out.flush();
          out.push(null);
        })
        .catch(fail);
      tail = run.catch(() => {});
      return run;
    },
    abort(err) {
      if (!out.destroyed) out.destroy(err);
    },
  };
}
