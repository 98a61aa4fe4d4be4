// Request bodies before JSON.parse: a size limit (a client cannot make berthd buffer gigabytes)
// and a nesting limit checked as the bytes arrive (a 40 kB `[[[[…` is refused before anything
// recursive sees it). Both answer 400 with Go's wording where it has one.
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';

/** The largest JSON body a route accepts unless it says otherwise: far above any real request. */
export const maxJsonBodyBytes = 4 * 1024 * 1024;
/** The deepest nesting accepted; Engine API bodies go about 7 levels deep. */
export const maxJsonDepth = 100;

/**
 * How much of a refused body is still read (and thrown away) so that the client, still sending,
 * gets the answer rather than a reset connection; past this the connection is closed.
 */
export const maxDrainBytes = 64 * 1024 * 1024;

export class BodyTooLarge extends InvalidArgument {
  /** Whether the rest of the body is still on the connection (then it is closed after the answer). */
  readonly unread: boolean;
  constructor(limit: number, unread: boolean) {
    super(`request body is too large: the limit is ${limit} bytes`);
    this.unread = unread;
  }
}

/**
 * Counts the nesting of JSON text fed to it in pieces, outside strings, and throws as soon as it
 * passes `max`. It does not check the syntax otherwise: JSON.parse does that afterwards.
 */
export class JsonDepthScanner {
  #max: number;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(max = maxJsonDepth) {
    this.#max = max;
  }

  push(chunk: Uint8Array): void {
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true; // backslash
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > this.#max) throw new InvalidArgument(`invalid JSON: invalid character '${String.fromCharCode(c)}' exceeded max depth of ${this.#max}`);
      } else if (c === 0x5d || c === 0x7d) depth--;
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
  }
}

/**
 * Reads a JSON body: at most `limit` bytes, nesting checked as it arrives. A body refused for its
 * size or depth is still read to its end (up to maxDrainBytes, discarded) before the error is
 * thrown, so that the client, still sending, receives the 400.
 */
export async function readJsonBody(input: Readable, options: { contentLength?: string | undefined; limit?: number } = {}): Promise<Buffer> {
  const limit = options.limit ?? maxJsonBodyBytes;
  if (options.contentLength !== undefined && Number(options.contentLength) > Math.max(limit, maxDrainBytes)) throw new BodyTooLarge(limit, true);
  const scanner = new JsonDepthScanner();
  const chunks: Buffer[] = [];
  let size = 0;
  let problem: Error | undefined;
  for await (const chunk of input) {
    const c = chunk as Buffer;
    size += c.length;
    if (size > maxDrainBytes) throw new BodyTooLarge(limit, true);
    if (problem) continue;
    if (size > limit) {
      problem = new BodyTooLarge(limit, false);
      chunks.length = 0;
      continue;
    }
    try {
      scanner.push(c);
    } catch (err) {
      problem = err as Error;
      chunks.length = 0;
      continue;
    }
    chunks.push(c);
  }
  if (problem) throw problem;
  return Buffer.concat(chunks);
}

/** The parsed body; undefined for an empty one or `null` (Go leaves the target as it was). */
export function parseJsonBody(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) ?? undefined;
  } catch (err) {
    throw new InvalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
}
