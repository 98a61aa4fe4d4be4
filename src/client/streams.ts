// Reading docker's stream framings on the client side.
import type { Readable } from 'node:stream';
import type { JsonMessage } from '../types/index.ts';

/**
 * Splits a multiplexed stream (8-byte headers) and hands each payload to `onFrame`; for a tty
 * container's raw stream pass `raw: true` and everything is stdout.
 */
export async function demux(
  input: Readable,
  onFrame: (stream: 'stdout' | 'stderr', data: Buffer) => void | Promise<void>,
  options: { raw: boolean },
): Promise<void> {
  if (options.raw) {
    for await (const chunk of input) await onFrame('stdout', chunk as Buffer);
    return;
  }
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const stream = buf[0] === 2 ? 'stderr' : 'stdout';
      const payload = buf.subarray(8, 8 + size);
      buf = buf.subarray(8 + size);
      await onFrame(stream, payload);
    }
  }
}

/** Parses a stream of JSON messages (one per line, possibly split across chunks). */
export function jsonMessages(input: Readable): AsyncGenerator<JsonMessage> {
  return jsonLines<JsonMessage>(input);
}

/** Parses a stream of JSON values, one per line (events, progress), possibly split across chunks. */
export async function* jsonLines<T>(input: AsyncIterable<unknown>): AsyncGenerator<T> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl).trim();
      text = text.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (text.trim()) yield JSON.parse(text) as T;
}
