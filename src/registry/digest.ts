// Digests of content as the registry computes them: streamed hashing with node:crypto, the
// algorithms go-digest registers (sha256, sha384, sha512), and where a digest lives on disk.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export interface ParsedDigest {
  algorithm: string;
  hex: string;
}

/** "sha256:abc…" → its parts; the caller has validated it (routes.checkDigest). */
export function splitDigest(digest: string): ParsedDigest {
  const i = digest.indexOf(':');
  return { algorithm: digest.slice(0, i), hex: digest.slice(i + 1) };
}

export function newHash(algorithm: string): Hash {
  return createHash(algorithm);
}

export function digestOf(data: Buffer | string, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** The digest of a file's content, read as a stream. */
export async function digestFile(path: string, algorithm = 'sha256'): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return `${algorithm}:${h.digest('hex')}`;
}
