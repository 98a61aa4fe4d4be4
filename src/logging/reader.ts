// Reading a log written as a rotated file set (json-file, local, the syslog cache), as dockerd's
// LogFile.ReadLogs reads it: --tail takes the last N entries across the files, walking backwards
// from the end of the newest (never reading what it skips), then --since drops older entries and
// --until stops at the first later one; --follow goes on with the current file, across rotations,
// until the writer closes. --since without --tail skips whole rotated files that end before it and
// binary-searches the uncompressed ones.
import { closeSync, constants, createReadStream, fstatSync, openSync, read } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { LogEntry } from './message.ts';
import type { FileListener, RotatingFile } from './rotating-file.ts';
import { logFileSet } from './rotating-file.ts';
import { compareTime, parseRfc3339, type LogTime } from './time.ts';

/** How entries are framed in a file. */
export interface EntryCodec {
  /**
   * Decodes the complete entries in buf[0, end); returns how many bytes they took (an incomplete
   * entry at the end is left for later).
   */
  decode(buf: Buffer, end: number, onEntry: (entry: LogEntry, start: number, next: number) => void): number;
  /**
   * Where the last `n` entries of an uncompressed file of `size` bytes begin, and how many there
   * are; with the bytes from there to `size` when it read them all on the way.
   */
  tailStart(fd: number, size: number, n: number): Promise<{ offset: number; count: number; data?: Buffer }>;
  /** The offset of the first entry that begins at or after `offset` (for a binary search), or -1. */
  resync?(fd: number, offset: number, size: number): Promise<number>;
}

export interface ReadOptions {
  follow: boolean;
  /** The last n entries; undefined for all. */
  tail?: number;
  since?: LogTime;
  until?: LogTime;
}

/** A file opened for reading: an uncompressed one is read by offsets, a .gz one streamed. */
interface OpenFile {
  fd: number;
  compressed: boolean;
  path: string;
}

const blockSize = 64 * 1024;

function preadAsync(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

function before(t: LogTime, limit: LogTime | undefined): boolean {
  return limit !== undefined && compareTime(t, limit) < 0;
}

function after(t: LogTime, limit: LogTime | undefined): boolean {
  return limit !== undefined && compareTime(t, limit) > 0;
}

/** How far before the place a binary search finds --since starts reading (see #searchSince). */
const sinceLookbackBytes = 1 << 20;

export class FileSetReader {
  readonly #codec: EntryCodec;
  readonly #path: string;
  readonly #writer: RotatingFile | undefined;

  /** `writer` is the live writer of the set, when the container runs: --follow listens to it. */
  constructor(codec: EntryCodec, path: string, writer?: RotatingFile) {
    this.#codec = codec;
    this.#path = path;
    this.#writer = writer && !writer.closed ? writer : undefined;
  }

  /** The entries, in batches (one per block read): a log can hold millions of them. */
  async *read(options: ReadOptions, signal?: AbortSignal): AsyncGenerator<LogEntry[]> {
    // Subscribe and open in one synchronous step: no rotation can come between the two.
    const queue: OpenFile[] = [];
    let wake: (() => void) | undefined;
    // counts what the writer reported, so that a report between a read and the wait is not lost
    let events = 0;
    let writerClosed = !options.follow || !this.#writer;
    const listener: FileListener = {
      written: () => {
        events++;
        wake?.();
      },
      rotated: () => {
        queue.push({ fd: openSync(this.#path, constants.O_RDONLY), compressed: false, path: this.#path });
        events++;
        wake?.();
      },
      closed: () => {
        writerClosed = true;
        events++;
        wake?.();
      },
    };
    const unsubscribe = options.follow && this.#writer ? this.#writer.subscribe(listener) : () => {};
    const files: OpenFile[] = [];
    for (const f of logFileSet(this.#path)) {
      try {
        files.push({ fd: openSync(f.path, constants.O_RDONLY), compressed: f.compressed, path: f.path });
      } catch {
        // rotated away between the listing and the open: nothing to read there
      }
    }
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      const current = files.at(-1);
      const currentSize = current && !current.compressed && current.path === this.#path ? fstatSync(current.fd).size : 0;
      // where the initial read of the current file ended: an entry being written is read later
      const consumed = { offset: currentSize };
      const state = { until: false };
      for await (const batch of this.#initial(files, currentSize, options, consumed, state)) yield batch;
      if (state.until || !options.follow || signal?.aborted) return;
      // Follow: the current file from where the initial read stopped, then each file that
      // replaced it, in order.
      let fd = current && current.path === this.#path ? current.fd : -1;
      let offset = consumed.offset;
      if (fd < 0) {
        const first = queue.shift() ?? tryOpen(this.#path);
        if (!first) return;
        fd = first.fd;
        offset = 0;
        if (!files.includes(first)) files.push(first);
      }
      const buf = { data: Buffer.alloc(0) };
      for (;;) {
        const seen = events;
        const wasClosed = writerClosed;
        const rotatedNext = queue.shift();
        // drain the file; a rotation means this one is complete once read to its end
        for (;;) {
          const entries: LogEntry[] = [];
          const n = await this.#readMore(fd, offset, buf, entries);
          offset += n;
          const state = { until: false };
          const batch = filterTimes(entries, options, state);
          if (batch.length) yield batch;
          if (state.until) return;
          if (n === 0) break;
        }
        if (signal?.aborted) return;
        if (rotatedNext) {
          files.push(rotatedNext);
          fd = rotatedNext.fd;
          offset = 0;
          buf.data = Buffer.alloc(0);
          continue;
        }
        if (wasClosed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (events !== seen || signal?.aborted) resolve();
        });
        wake = undefined;
        if (signal?.aborted) return;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      for (const f of files) closeSync(f.fd);
      for (const f of queue) closeSync(f.fd);
    }
  }

  /** Reads from `offset` to the end of the file; returns the bytes consumed as whole entries. */
  async #readMore(fd: number, offset: number, buf: { data: Buffer }, out: LogEntry[]): Promise<number> {
    const chunk = Buffer.allocUnsafe(blockSize);
    const n = await preadAsync(fd, chunk, 0, blockSize, offset + buf.data.length);
    if (n === 0) return 0;
    const data = buf.data.length ? Buffer.concat([buf.data, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const used = this.#codec.decode(data, data.length, (e) => out.push(e));
    buf.data = Buffer.from(data.subarray(used));
    return used;
  }

  /** The entries present now, with --tail, --since and --until applied; 'until' when it stopped there. */
  async *#initial(files: OpenFile[], currentSize: number, options: ReadOptions, consumed: { offset: number }, state: { until: boolean }): AsyncGenerator<LogEntry[]> {
    if (options.tail === 0) return;
    const sizeOf = (f: OpenFile) => (f === files.at(-1) && f.path === this.#path ? currentSize : fstatSync(f.fd).size);
    // (file, start offset, how many entries to skip in a compressed file)
    const plan: Array<{ file: OpenFile; start: number; skip: number; data?: Buffer }> = [];
    if (options.tail !== undefined && options.tail > 0) {
      let left = options.tail;
      for (let i = files.length - 1; i >= 0 && left > 0; i--) {
        const f = files[i];
        if (f.compressed) {
          const count = await countEntries(this.#codec, f);
          plan.unshift({ file: f, start: 0, skip: Math.max(0, count - left) });
          left -= Math.min(count, left);
        } else {
          const { offset, count, data } = await this.#codec.tailStart(f.fd, sizeOf(f), left);
          plan.unshift({ file: f, start: offset, skip: 0, ...(data ? { data } : {}) });
          left -= count;
        }
      }
    } else {
      for (const f of files) {
        if (options.since && f.compressed && (await endsBefore(f, options.since))) continue;
        let start = 0;
        if (options.since && !f.compressed && this.#codec.resync) start = await this.#searchSince(f, sizeOf(f), options.since);
        plan.push({ file: f, start, skip: 0 });
      }
    }
    for (const { file, start, skip, data } of plan) {
      let skipped = 0;
      const isCurrent = file === files.at(-1) && file.path === this.#path;
      const pos = isCurrent ? consumed : { offset: 0 };
      pos.offset = start;
      const source = data ? decodeAll(this.#codec, data, pos) : entriesOf(this.#codec, file, start, file.compressed ? Infinity : sizeOf(file), pos);
      for await (let entries of source) {
        if (skipped < skip) {
          const n = Math.min(skip - skipped, entries.length);
          skipped += n;
          entries = entries.slice(n);
        }
        const batch = filterTimes(entries, options, state);
        if (batch.length) yield batch;
        if (state.until) return;
      }
    }
  }

  /**
   * An offset at or before the first entry not older than `since`, by binary search. Entries are
   * in time order but for the pieces of a long line, which carry the time of its first piece:
   * the offset found is moved back by a margin, and the entries from there are filtered one by one.
   */
  async #searchSince(f: OpenFile, size: number, since: LogTime): Promise<number> {
    let lo = 0;
    let hi = size;
    while (hi - lo > blockSize) {
      const mid = Math.floor((lo + hi) / 2);
      const at = await this.#codec.resync!(f.fd, mid, size);
      if (at < 0 || at >= hi) {
        hi = mid;
        continue;
      }
      const e = await firstEntryAt(this.#codec, f.fd, at, size);
      if (!e || compareTime(e.time, since) >= 0) hi = mid;
      else lo = at;
    }
    const back = lo - sinceLookbackBytes;
    if (back <= 0) return 0;
    const at = await this.#codec.resync!(f.fd, back, size);
    return at < 0 ? lo : at;
  }
}

function tryOpen(path: string): OpenFile | undefined {
  try {
    return { fd: openSync(path, constants.O_RDONLY), compressed: false, path };
  } catch {
    return undefined;
  }
}

async function firstEntryAt(codec: EntryCodec, fd: number, offset: number, size: number): Promise<LogEntry | undefined> {
  for await (const batch of entriesOf(codec, { fd, compressed: false, path: '' }, offset, Math.min(size, offset + blockSize))) if (batch.length) return batch[0];
  return undefined;
}

/** --since drops older entries; --until stops at the first later one (and says so in `state`). */
function filterTimes(entries: LogEntry[], options: ReadOptions, state: { until: boolean }): LogEntry[] {
  if (!options.since && !options.until) return entries;
  const out: LogEntry[] = [];
  for (const e of entries) {
    if (before(e.time, options.since)) continue;
    if (after(e.time, options.until)) {
      state.until = true;
      break;
    }
    out.push(e);
  }
  return out;
}

/**
 * Whether a compressed rotated file holds only entries older than `since`, by the time of its last
 * entry its header records: dockerd's rule for skipping one.
 */
async function endsBefore(f: OpenFile, since: LogTime): Promise<boolean> {
  const last = await gzipLastTime(f.fd);
  return last !== undefined && compareTime(last, since) < 0;
}

/** dockerd's rotated .gz files carry {"lastTime":"…"} in the gzip header's Extra field. */
async function gzipLastTime(fd: number): Promise<LogTime | undefined> {
  const head = Buffer.alloc(4096);
  const n = await preadAsync(fd, head, 0, head.length, 0);
  if (n < 12 || head[0] !== 0x1f || head[1] !== 0x8b || !(head[3] & 0x04)) return undefined;
  const xlen = head.readUInt16LE(10);
  if (12 + xlen > n) return undefined;
  try {
    const meta = JSON.parse(head.toString('utf8', 12, 12 + xlen)) as { lastTime?: string };
    return meta.lastTime ? parseRfc3339(meta.lastTime) : undefined;
  } catch {
    return undefined;
  }
}

async function countEntries(codec: EntryCodec, f: OpenFile): Promise<number> {
  let n = 0;
  for await (const batch of entriesOf(codec, f, 0, Infinity)) n += batch.length;
  return n;
}

/**
 * The entries of one file from `start` up to `end` (a .gz one is decompressed from its start);
 * `pos.offset` follows the end of the last whole entry read.
 */
async function* entriesOf(codec: EntryCodec, f: OpenFile, start: number, end: number, pos = { offset: start }): AsyncGenerator<LogEntry[]> {
  const source: AsyncIterable<Buffer> = f.compressed
    ? createReadStream('', { fd: f.fd, autoClose: false, start: 0 }).pipe(createGunzip())
    : readRange(f.fd, start, end);
  let rest = Buffer.alloc(0);
  for await (const chunk of source) {
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    const out: LogEntry[] = [];
    const used = codec.decode(data, data.length, (e) => out.push(e));
    rest = Buffer.from(data.subarray(used));
    pos.offset += used;
    if (out.length) yield out;
  }
}

/** The entries of bytes already read (the tail of a file). */
async function* decodeAll(codec: EntryCodec, data: Buffer, pos: { offset: number }): AsyncGenerator<LogEntry[]> {
  const out: LogEntry[] = [];
  pos.offset += codec.decode(data, data.length, (e) => out.push(e));
  if (out.length) yield out;
}

async function* readRange(fd: number, start: number, end: number): AsyncGenerator<Buffer> {
  let pos = start;
  // small first (a reader that stops early, as --until does, reads little), then larger
  let size = blockSize;
  while (pos < end) {
    const buf = Buffer.allocUnsafe(Math.min(size, end - pos));
    size = Math.min(size * 2, blockSize * 8);
    const n = await preadAsync(fd, buf, 0, buf.length, pos);
    if (n === 0) return;
    pos += n;
    yield buf.subarray(0, n);
  }
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(fd: number, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = await preadAsync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
