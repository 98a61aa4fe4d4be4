// Sniffs a stream's compression (gzip, bzip2, xz, zstd, or none) and returns it decompressed.
// gzip is native; the others go through their command-line tools when installed.
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgument } from '../errors/index.ts';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head[0] === 0xfd && head.toString('latin1', 1, 6) === '7zXZ\0') return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** Reads the first bytes without losing them: returns them and a stream that still starts with them. */
async function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = input[Symbol.asyncIterator]();
  const parts: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : (r.value as Buffer);
    parts.push(b);
    len += b.length;
  }
  const head = Buffer.concat(parts);
  const stream = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  return { head, stream };
}

function throughProgram(program: string, input: Readable): Readable {
  const out = new PassThrough();
  const child = spawn(program, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err: NodeJS.ErrnoException) => {
    out.destroy(err.code === 'ENOENT' ? new InvalidArgument(`cannot decompress: ${program} is not installed`) : err);
  });
  child.on('close', (code) => {
    if (code !== 0 && !out.destroyed) out.destroy(new InvalidArgument(`${program}: ${stderr.trim() || `exit status ${code}`}`));
  });
  input.on('error', (err) => out.destroy(err));
  input.pipe(child.stdin).on('error', () => {});
  child.stdout.pipe(out);
  return out;
}

/**
 * The decompressed stream. Data starts flowing at once, so an error can happen before the caller
 * attaches its handlers: it is kept on the stream (stream.errored) for pipeline() to report
 * rather than thrown as an unhandled 'error' event.
 */
export async function decompress(input: Readable): Promise<Readable> {
  const { head, stream } = await peek(input, 6);
  let out: Readable;
  switch (detectCompression(head)) {
    case 'gzip': {
      const gunzip = createGunzip();
      const through = new PassThrough();
      stream.on('error', (err) => through.destroy(err));
      gunzip.on('error', (err) => through.destroy(new InvalidArgument(`gzip: ${err.message}`)));
      out = stream.pipe(gunzip).pipe(through);
      break;
    }
    case 'bzip2':
      out = throughProgram('bzip2', stream);
      break;
    case 'xz':
      out = throughProgram('xz', stream);
      break;
    case 'zstd':
      out = throughProgram('zstd', stream);
      break;
    default:
      out = stream;
  }
  out.on('error', () => {});
  return out;
}
