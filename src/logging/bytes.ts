// A growable byte buffer: the drivers encode a batch of entries into one buffer and write it with
// one system call.

export class ByteWriter {
  buf: Buffer;
  length = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** An ASCII (or latin1) string, byte per character. */
  ascii(s: string): void {
    this.ensure(s.length);
    this.length += this.buf.write(s, this.length, 'latin1');
  }

  bytes(b: Buffer, start = 0, end = b.length): void {
    this.ensure(end - start);
    // short runs byte by byte: a native copy costs more than it saves below a few dozen bytes
    if (end - start < 32) {
      const out = this.buf;
      let o = this.length;
      for (let i = start; i < end; i++) out[o++] = b[i];
    } else b.copy(this.buf, this.length, start, end);
    this.length += end - start;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  uint32be(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(n, this.length);
    this.length += 4;
  }

  /** A copy of what was written; the writer may be reused after reset(). */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  reset(): void {
    this.length = 0;
  }
}
