// Sniffs a stream's compression (gzip, bzip2, xz, zstd, or none) and returns it decompressed.
// gzip is node:zlib; the others go through their command-line programs when installed (Node 20
// has no zstd), which also puts their work on another core.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgument } from '../errors/index.ts';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const programs: Record<Exclude<Compression, 'none' | 'gzip'>, string> = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' };

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2'; // "BZh"
  if (head.length >= 6 && head[0] === 0xfd && head.toString('latin1', 1, 6) === '7zXZ\0') return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/**
 * Waits for the first n bytes (fewer at the end of the input) and returns them, leaving them
 * unread in the stream. Returns a replacement stream only when the input already ended.
 */
function peek(input: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (ended: boolean): void => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
      input.off('error', onError);
      const head = Buffer.concat(chunks, length);
      if (ended) resolve({ head, stream: Readable.from(head.length ? [head] : []) });
      else {
        if (head.length) input.unshift(head);
        resolve({ head, stream: input });
      }
    };
    const onReadable = (): void => {
      let chunk: Buffer | string | null;
      while ((chunk = input.read() as Buffer | string | null) !== null) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        chunks.push(b);
        length += b.length;
        if (length >= n) return finish(false);
      }
    };
    const onEnd = (): void => finish(true);
    const onError = (err: Error): void => {
      input.off('readable', onReadable);
      input.off('end', onEnd);
      reject(err);
    };
    input.on('readable', onReadable);
    input.once('end', onEnd);
    input.once('error', onError);
  });
}

function throughProgram(kind: keyof typeof programs, input: Readable): Readable {
  const program = programs[kind];
  const child = spawn(program, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = child.stdout;
  let stderr = '';
  let failed = false;
  const fail = (err: Error): void => {
    if (failed) return;
    failed = true;
    input.unpipe(child.stdin);
    child.kill('SIGKILL');
    if (!out.destroyed) out.destroy(err);
  };
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  child.on('error', (err: NodeJS.ErrnoException) => {
    fail(err.code === 'ENOENT' ? new InvalidArgument(`cannot decompress a ${kind} stream: ${program} is not installed`) : err);
  });
  // stdout ends before the exit status is known: hold the end back until the program exits, so
  // a corrupt stream ends in an error rather than in a silently short archive.
  const result = new Readable({ read: () => out.resume() });
  out.on('data', (chunk: Buffer) => {
    if (!result.push(chunk)) out.pause();
  });
  out.on('error', (err) => {
    if (!result.destroyed) result.destroy(err);
  });
  child.on('close', (code, signal) => {
    if (failed) return;
    if (code === 0) result.push(null);
    else if (!result.destroyed) {
      result.destroy(new InvalidArgument(`${program}: ${stderr.trim() || `exit ${code ?? signal}`}`));
    }
  });
  result.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) fail(new Error('decompression abandoned'));
    if (!input.readableEnded) input.destroy();
  });
  input.on('error', (err) => {
    fail(err);
    if (!result.destroyed) result.destroy(err);
  });
  child.stdin.on('error', () => {}); // EPIPE when the program quits early: its exit status says why
  input.pipe(child.stdin);
  return result;
}

/**
 * The input decompressed, by its magic bytes; plain data passes through unchanged. Errors (a
 * corrupt stream, a missing program) arrive as errors of the returned stream; they are kept on
 * it (stream.errored) for pipeline() or an async iterator to report even if they happen before
 * the caller starts reading.
 */
export async function decompress(input: Readable): Promise<Readable> {
  const { head, stream } = await peek(input, 6);
  const kind = detectCompression(head);
  let out: Readable;
  if (kind === 'none') return stream;
  if (kind === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    stream.on('error', (err) => gunzip.destroy(err));
    gunzip.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code?.startsWith('Z_')) err.message = `gzip: ${err.message}`;
    });
    // the reader gone or the data corrupt: stop whatever feeds the input (a download, an upload)
    gunzip.on('close', () => {
      if (!stream.readableEnded) stream.destroy();
    });
    out = stream.pipe(gunzip);
  } else {
    out = throughProgram(kind, stream);
  }
  out.on('error', () => {});
  return out;
}
