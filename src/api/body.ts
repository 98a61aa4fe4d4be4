// Request bodies before JSON.parse: a size limit (a client cannot make berthd buffer gigabytes)
// and a nesting limit checked as the bytes arrive (a 40 kB `[[[[…` is refused before anything
// recursive sees it). Both answer 400 with Go's wording where it has one.
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';

/** The largest JSON body a route accepts unless it says otherwise: far above any real request. */
export const maxJsonBodyBytes = 4 * 1024 * 1024;
/** The deepest nesting accepted; Engine API bodies go about 7 levels deep. */
export const maxJsonDepth = 100;

export class BodyTooLarge extends InvalidArgument {
  constructor(limit: number) {
    super(`request body is too large: the limit is ${limit} bytes`);
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

/** Reads a JSON body: at most `limit` bytes (Content-Length is believed first), nesting checked. */
export async function readJsonBody(input: Readable, options: { contentLength?: string | undefined; limit?: number } = {}): Promise<Buffer> {
  const limit = options.limit ?? maxJsonBodyBytes;
  if (options.contentLength !== undefined && Number(options.contentLength) > limit) throw new BodyTooLarge(limit);
  const scanner = new JsonDepthScanner();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const c = chunk as Buffer;
    size += c.length;
    if (size > limit) throw new BodyTooLarge(limit);
    scanner.push(c);
    chunks.push(c);
  }
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
