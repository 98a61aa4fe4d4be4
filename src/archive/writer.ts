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

class ArchiveStream extends Readable {
  #wake: { resolve: () => void; reject: (err: Error) => void } | null = null;

  override _read(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.resolve();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const w = this.#wake;
    this.#wake = null;
    w?.reject(err ?? new Error('tar stream closed'));
    cb(err);
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.destroyed) throw this.errored ?? new Error('tar stream closed');
    if (this.push(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      this.#wake = { resolve, reject };
    });
  }
}

const toBuffer = (c: Buffer | Uint8Array | string): Buffer =>
  Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);

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
    if (pad) await out.write(Buffer.alloc(pad));
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
