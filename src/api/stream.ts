// Docker's stream framings: the multiplexed stream of attach/logs/exec for containers without a
// tty (an 8-byte header: stream id, three zero bytes, big-endian payload length) and JSON
// progress messages, one per line.
import type { Writable } from 'node:stream';

export const streamIds = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;

export function frame(stream: keyof typeof streamIds, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = streamIds[stream];
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
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

export function jsonLine(value: unknown): string {
  return JSON.stringify(value) + '\r\n';
}
