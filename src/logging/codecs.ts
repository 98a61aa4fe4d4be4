// How the reader finds entries in each format: json-file lines, local's size-framed protobufs.
import { readSync } from 'node:fs';
import { decodeJsonEntry } from './json-file-format.ts';
import { decodeLocalEntry } from './local-format.ts';
import type { EntryCodec } from './reader.ts';
import { readAt } from './reader.ts';

const block = 64 * 1024;

export const jsonLinesCodec: EntryCodec = {
  decode(buf, end, onEntry) {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0 || nl >= end) return start;
      const entry = decodeJsonEntry(buf.subarray(start, nl));
      if (entry) onEntry(entry, start, nl + 1);
      start = nl + 1;
    }
  },

  async tailStart(fd, size, n) {
    // The n-th line from the end begins after the (n+1)-th newline from the end. The blocks are
    // read synchronously: a few small reads of what the page cache holds cost less than the
    // trips through libuv's pool, and they are handed back for decoding.
    let newlines = 0;
    let pos = size;
    const blocks: Buffer[] = [];
    while (pos > 0) {
      const from = Math.max(0, pos - block);
      const buf = Buffer.allocUnsafe(pos - from);
      const got = readSync(fd, buf, 0, buf.length, from);
      blocks.unshift(buf.subarray(0, got));
      for (let i = got - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (newlines === n) return { offset: from + i + 1, count: n, data: Buffer.concat(blocks).subarray(i + 1) };
        newlines++;
      }
      pos = from;
    }
    return { offset: 0, count: newlines, data: Buffer.concat(blocks) };
  },

  async resync(fd, offset, size) {
    if (offset === 0) return 0;
    for (let pos = offset - 1; pos < size; pos += block) {
      const buf = await readAt(fd, pos, Math.min(block, size - pos));
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) return pos + nl + 1 < size ? pos + nl + 1 : -1;
    }
    return -1;
  },
};

export const localCodec: EntryCodec = {
  decode(buf, end, onEntry) {
    let pos = 0;
    while (pos + 4 <= end) {
      const size = buf.readUInt32BE(pos);
      if (pos + 8 + size > end) break;
      if (buf.readUInt32BE(pos + 4 + size) !== size) return end; // corrupt: skip what is there
      try {
        onEntry(decodeLocalEntry(buf, pos + 4, pos + 4 + size), pos, pos + 8 + size);
      } catch {
        // an undecodable entry is skipped, as a line of bad JSON is
      }
      pos += 8 + size;
    }
    return pos;
  },

  async tailStart(fd, size, n) {
    let pos = size;
    let count = 0;
    while (count < n && pos >= 8) {
      const tail = await readAt(fd, pos - 4, 4);
      const len = tail.readUInt32BE(0);
      if (len + 8 > pos) break;
      pos -= len + 8;
      count++;
    }
    return { offset: pos, count };
  },
};
