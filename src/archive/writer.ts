// A streaming tar writer: entries go out as they are added, each body piped with backpressure;
// finish() writes the two zero blocks that end the archive (as Go's archive/tar does).
import { PassThrough, type Readable } from 'node:stream';
import { BLOCK, encodeHeader, type TarHeader } from './header.ts';

export interface TarPacker {
  /** The archive, to pipe wherever it goes. */
  readonly stream: Readable;
  /** Adds an entry; a file's body must deliver exactly header.size bytes. */
  entry(header: TarHeader, body?: AsyncIterable<Buffer | string> | Iterable<Buffer | string> | Readable): Promise<void>;
  finish(): Promise<void>;
  /** Ends the archive with an error (the reader sees it). */
  abort(err: Error): void;
}

export function createTarPacker(): TarPacker {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const write = (chunk: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (out.destroyed) return reject(new Error('tar stream closed'));
      if (out.write(chunk)) resolve();
      else {
        const onDrain = () => {
          out.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          out.off('drain', onDrain);
          reject(new Error('tar stream closed'));
        };
        out.once('drain', onDrain);
        out.once('close', onClose);
      }
    });

  return {
    stream: out,
    async entry(header, body) {
      await write(encodeHeader(header));
      if (header.type !== 'file') return;
      let written = 0;
      if (body) {
        for await (const chunk of body as AsyncIterable<Buffer | string>) {
          const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          if (written + b.length > header.size) throw new Error(`archive/tar: write too long for ${header.name}`);
          written += b.length;
          await write(b);
        }
      }
      if (written !== header.size) throw new Error(`archive/tar: missed writing ${header.size - written} bytes of ${header.name}`);
      const pad = (BLOCK - (header.size % BLOCK)) % BLOCK;
      if (pad) await write(Buffer.alloc(pad));
    },
    async finish() {
      await write(Buffer.alloc(BLOCK * 2));
      out.end();
    },
    abort(err) {
      out.destroy(err);
    },
  };
}
