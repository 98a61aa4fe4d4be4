// Docker's stream framings: the multiplexed stream of attach/logs/exec for containers without a
// tty (an 8-byte header: stream id, three zero bytes, big-endian payload length), and tar
// answers. (JSON progress messages are in json.ts.)
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from './router.ts';

export const streamIds = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;

export function frame(stream: keyof typeof streamIds, data: Buffer): Buffer {
  return Buffer.concat([frameHeader(stream, data.length), data]);
}

/** The 8-byte header of a multiplexed frame of `size` bytes. */
export function frameHeader(stream: keyof typeof streamIds, size: number): Buffer {
  const header = Buffer.alloc(8);
  header[0] = streamIds[stream];
  header.writeUInt32BE(size, 4);
  return header;
}

/** Writes to `out` respecting backpressure; rejects when the peer has gone. */
export function writeAsync(out: Writable, data: Buffer | string): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new Error('client disconnected'));
  return new Promise((resolve, reject) => {
    const ok = out.write(data, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else {
      const onDrain = () => {
        out.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        out.off('drain', onDrain);
        reject(new Error('client disconnected'));
      };
      out.once('drain', onDrain);
      out.once('close', onClose);
    }
  });
}

/** API ≥ 1.42 names the stream type in Content-Type; older clients expect raw-stream. */
export function streamContentType(version: string, tty: boolean): string {
  const [maj, min] = version.split('.').map(Number);
  if (tty || maj < 1 || (maj === 1 && min < 42)) return 'application/vnd.docker.raw-stream';
  return 'application/vnd.docker.multiplexed-stream';
}

/** Sends a tar stream; an error after the head is sent can only cut the connection. */
export async function sendTar(ctx: Pick<RequestContext, 'res' | 'signal'>, stream: Readable): Promise<void> {
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  const abort = () => stream.destroy(new Error('client disconnected'));
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    await pipeline(stream, res);
  } catch {
    res.destroy();
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
}
