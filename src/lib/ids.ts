import { createHash, randomBytes } from 'node:crypto';

/** A new 64-hex-character identifier, as docker's container and exec ids. */
export function newId(): string {
  for (;;) {
    const id = randomBytes(32).toString('hex');
    // docker avoids ids that are all digits: they could be mistaken for a number (e.g. a PID).
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isHexId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}
