// Docker's detach key sequences ("ctrl-p,ctrl-q"): parsing, and a scanner that finds the sequence
// in a stream of keystrokes split across reads. Used by the daemon (attach and exec stdin) and by
// the CLI (a terminal in raw mode), as docker does on both sides.

export const defaultDetachKeys = 'ctrl-p,ctrl-q';

/** The bytes a detach key description stands for; throws with docker's message when invalid. */
export function parseDetachKeys(keys: string): Buffer {
  const out: number[] = [];
  for (const raw of keys.split(',')) {
    const key = raw.trim();
    if (key.length > 1) {
      const m = /^ctrl-(.)$/.exec(key.toLowerCase());
      if (!m) throw new Error(`Invalid escape keys (${keys}) provided`);
      const c = m[1]!;
      if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 'a'.charCodeAt(0) + 1);
      else if (c === '@') out.push(0);
      else if (c === '[') out.push(27);
      else if (c === '\\') out.push(28);
      else if (c === ']') out.push(29);
      else if (c === '^') out.push(30);
      else if (c === '_') out.push(31);
      else throw new Error(`Invalid escape keys (${keys}) provided`);
    } else if (key.length === 1) {
      out.push(key.charCodeAt(0));
    } else {
      throw new Error(`Invalid escape keys (${keys}) provided`);
    }
  }
  return Buffer.from(out);
}

/**
 * Watches keystrokes for the detach sequence. `feed` returns the bytes to pass on (a partial match
 * is held back until it either completes or fails) and whether the sequence was typed; bytes
 * after the sequence are dropped, as the session ends there.
 */
export class DetachScanner {
  #keys: Buffer;
  #matched = 0;

  constructor(keys: Buffer) {
    this.#keys = keys;
  }

  feed(data: Buffer): { forward: Buffer; detached: boolean } {
    if (this.#keys.length === 0) return { forward: data, detached: false };
    const out: number[] = [];
    for (const byte of data) {
      if (byte === this.#keys[this.#matched]) {
        this.#matched++;
        if (this.#matched === this.#keys.length) {
          this.#matched = 0;
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      // The held-back prefix was ordinary input after all.
      for (let i = 0; i < this.#matched; i++) out.push(this.#keys[i]!);
      this.#matched = 0;
      if (byte === this.#keys[0]) this.#matched = 1;
      else out.push(byte);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
