// A streaming tar reader: entries one at a time, each body a Readable of exactly its size. The
// next entry is read only once the previous body was consumed; a body nobody touched is skipped
// without being pushed through a stream. Input chunks are sliced, never copied, except where a
// header straddles two chunks.
import { Readable } from 'node:stream';
import {
  BLOCK,
  TarFormatError,
  decodeBlock,
  entryType,
  invalidHeader,
  isZeroBlock,
  parsePax,
  parsePaxTime,
  unexpectedEof,
  type TarHeader,
} from './header.ts';

export interface TarEntry {
  readonly header: TarHeader;
  /** The entry's data (empty for all but regular files). Read it, or leave it: it is skipped. */
  readonly body: Readable;
}

export interface ReadTarOptions {
  /**
   * Read the input to its end after the end-of-archive marker (default true), so that whatever
   * wraps it (a digest check, gzip's trailing CRC) sees every byte.
   */
  drain?: boolean;
  /** Sees the archive's bytes as they are read (tar-split records a layer through it). */
  segments?: TarSegments;
  /**
   * Take an input that ends right after its last entry's data, without that entry's padding,
   * as complete: the docker CLI sends such a build context for `build -f -` (its tar writer is
   * closed after the pipe), and dockerd accepts it.
   */
  missingFinalPadding?: boolean;
}

/**
 * The archive cut into what a reader must keep to reproduce it byte for byte, in order: `raw`
 * gets every byte that is not a regular file's data (headers, PAX and GNU records, padding, the
 * end marker and whatever follows it), `file` stands where a regular file's data is (the entry's
 * size bytes, which `raw` does not get), `end` comes once the whole input was read after the
 * end-of-archive marker. The slices handed to `raw` are the input's own memory.
 */
export interface TarSegments {
  raw(bytes: Buffer): void;
  file(header: TarHeader): void;
  end(): void;
}

// Go refuses PAX and GNU long-name records above 1 MiB; so do we, so a hostile header cannot make
// us buffer without bound.
const maxSpecialSize = 1 << 20;
const emptyBuffer = Buffer.alloc(0);

/** Pulls bytes out of a chunked source: slices of the chunks as they come. */
class ByteSource {
  #it: AsyncIterator<unknown>;
  #buf: Buffer = emptyBuffer;
  #pos = 0;
  #done = false;
  /** Sees every byte taken, unless muted (a file's data, which tar-split does not keep). */
  #tap: ((bytes: Buffer) => void) | undefined;
  muted = false;

  constructor(input: AsyncIterable<unknown>, tap?: (bytes: Buffer) => void) {
    this.#it = input[Symbol.asyncIterator]();
    this.#tap = tap;
  }

  /** Replaces the (fully consumed) buffer with the next chunk; false at the end of the input. */
  async fill(): Promise<boolean> {
    while (!this.#done) {
      const r = await this.#it.next();
      if (r.done) {
        this.#done = true;
        break;
      }
      const v = r.value;
      const chunk = Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array);
      if (chunk.length === 0) continue;
      this.#buf = chunk;
      this.#pos = 0;
      return true;
    }
    return false;
  }

  /** Up to max buffered bytes without waiting, or null when the buffer is empty. */
  takeSync(max: number): Buffer | null {
    const available = this.#buf.length - this.#pos;
    if (available === 0) return null;
    const n = Math.min(available, max);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    if (this.#tap && !this.muted) this.#tap(out);
    return out;
  }

  /** At least one and at most max bytes; "unexpected EOF" when the input ends first. */
  async take(max: number): Promise<Buffer> {
    for (;;) {
      const b = this.takeSync(max);
      if (b) return b;
      if (!(await this.fill())) throw unexpectedEof();
    }
  }

  /** Exactly n bytes; null when the input ends before the first; "unexpected EOF" when within. */
  async readExact(n: number): Promise<Buffer | null> {
    const first = this.takeSync(n);
    if (first && first.length === n) return first;
    const parts: Buffer[] = first ? [first] : [];
    let got = first?.length ?? 0;
    while (got < n) {
      const b = this.takeSync(n - got);
      if (b) {
        parts.push(b);
        got += b.length;
      } else if (!(await this.fill())) {
        if (got === 0) return null;
        throw unexpectedEof();
      }
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const b = this.takeSync(left);
      if (b) left -= b.length;
      else if (!(await this.fill())) throw unexpectedEof();
    }
  }

  /** Skips up to n bytes; false when the input ended first. */
  async skipUpTo(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const b = this.takeSync(left);
      if (b) left -= b.length;
      else if (!(await this.fill())) return false;
    }
    return true;
  }

  async drain(): Promise<void> {
    do this.takeSync(this.#buf.length - this.#pos);
    while (await this.fill());
  }

  async close(): Promise<void> {
    if (!this.#done) await this.#it.return?.();
  }
}

/** An entry's data as a stream that reads straight from the archive, with backpressure. */
class EntryBody extends Readable {
  #src: ByteSource;
  #left: number;
  #inflight: Promise<void> | null = null;
  #sourceError: unknown;
  #waiters: Array<() => void> = [];

  constructor(src: ByteSource, size: number) {
    super({ highWaterMark: 64 * 1024 });
    this.#src = src;
    this.#left = size;
  }

  get left(): number {
    return this.#left;
  }

  override _read(): void {
    if (this.#inflight) return;
    for (;;) {
      if (this.#left === 0) {
        this.push(null);
        return;
      }
      const chunk = this.#src.takeSync(this.#left);
      if (!chunk) break;
      this.#left -= chunk.length;
      this.#wake();
      if (!this.push(chunk)) {
        if (this.#left === 0) this.push(null);
        return;
      }
    }
    this.#inflight = this.#src.take(this.#left).then(
      (chunk) => {
        this.#inflight = null;
        this.#left -= chunk.length;
        this.#wake();
        this.push(chunk);
        if (this.#left === 0) this.push(null);
      },
      (err: unknown) => {
        this.#inflight = null;
        this.#sourceError = err;
        this.destroy(err as Error);
        this.#wake();
      },
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#wake();
    cb(err);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Called before the next header: waits until the body has been read to its end, then returns;
   * a body nobody reads (or one destroyed early) has its rest skipped in the archive.
   */
  async settle(): Promise<void> {
    for (;;) {
      if (this.#inflight) await this.#inflight;
      if (this.#sourceError) throw this.#sourceError;
      if (this.#left === 0) return;
      const untouched = this.readableFlowing !== true && this.listenerCount('data') === 0 && this.listenerCount('readable') === 0;
      if (this.destroyed || untouched) {
        await this.#src.skip(this.#left);
        this.#left = 0;
        if (!this.destroyed) this.destroy();
        return;
      }
      // someone is reading it (a pipe waiting on its destination): wait for progress
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/** An entry as readTar yields it; take() is this folder's stream-free way to read the body. */
export class Entry implements TarEntry {
  readonly header: TarHeader;
  #src: ByteSource;
  #left: number;
  #body: EntryBody | undefined;
  #settled = false;

  constructor(header: TarHeader, src: ByteSource, size: number) {
    this.header = header;
    this.#src = src;
    this.#left = size;
  }

  get body(): Readable {
    if (!this.#body) {
      if (this.#settled) {
        // the archive has moved on: these bytes are gone
        const late = new Readable({ read() {} });
        late.destroy(new Error(`archive/tar: body of ${this.header.name} read after the next entry`));
        return late;
      }
      this.#body = new EntryBody(this.#src, this.#left);
      this.#left = 0;
    }
    return this.#body;
  }

  /**
   * The next piece of the body, sliced from the archive's own chunks; null at its end. Cheaper
   * than a stream for a consumer that writes the data itself. Not to be mixed with `body`.
   */
  async take(): Promise<Buffer | null> {
    if (this.#body || this.#settled) throw new Error('archive/tar: body already read as a stream');
    if (this.#left === 0) return null;
    const chunk = this.#src.takeSync(this.#left) ?? (await this.#src.take(this.#left));
    this.#left -= chunk.length;
    return chunk;
  }

  async settle(): Promise<void> {
    this.#settled = true;
    if (this.#body) await this.#body.settle();
    else await this.#src.skip(this.#left);
    this.#left = 0;
  }
}

const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

const knownPaxKeys = new Set(['path', 'linkpath', 'size', 'uid', 'gid', 'uname', 'gname', 'mtime', 'atime']);

function paxNumber(key: string, v: Buffer): number {
  const s = v.toString('latin1');
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n)) throw new TarFormatError(`archive/tar: invalid PAX ${key} ${JSON.stringify(s)}`);
  return n;
}

/** A PAX record as text; an empty value counts as absent (it unsets a global record). */
function paxText(pax: Map<string, Buffer>, key: string): string | undefined {
  const v = pax.get(key);
  return v === undefined || v.length === 0 ? undefined : v.toString('utf8');
}

function paxInt(pax: Map<string, Buffer>, key: string, fallback: number): number {
  const v = pax.get(key);
  return v === undefined || v.length === 0 ? fallback : paxNumber(key, v);
}

function uriDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new TarFormatError(`archive/tar: invalid PAX record LIBARCHIVE.xattr.${s}`);
  }
}

function checkName(name: string): string {
  if (name.includes('\0')) throw invalidHeader();
  return name;
}

/**
 * Reads a tar stream (ustar, PAX, GNU, old GNU, v7). Throws "archive/tar: invalid tar header" for
 * a block that is not a header and "unexpected EOF" for a stream cut short; an empty stream is an
 * empty archive, as Go's reader has it. Leaving the loop early destroys the input.
 */
export function readTar(input: AsyncIterable<unknown>, options: ReadTarOptions = {}): AsyncGenerator<TarEntry, void, undefined> {
  return readEntries(input, options);
}

/** readTar, yielding this folder's Entry (with take()). */
export async function* readEntries(input: AsyncIterable<unknown>, options: ReadTarOptions = {}): AsyncGenerator<Entry, void, undefined> {
  const segments = options.segments;
  const src = new ByteSource(input, segments && ((bytes) => segments.raw(bytes)));
  let global = new Map<string, Buffer>();
  let local = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let pendingMeta = false;
  const special = async (size: number): Promise<Buffer> => {
    if (size > maxSpecialSize) throw new TarFormatError('archive/tar: header field too long');
    const data = size === 0 ? emptyBuffer : await src.readExact(size);
    if (!data) throw unexpectedEof();
    await src.skip(padding(size));
    return data;
  };
  try {
    for (;;) {
      const block = await src.readExact(BLOCK);
      if (!block) {
        // EOF without the end marker: fine after a complete entry (GNU tar and Go agree)
        if (pendingMeta) throw unexpectedEof();
        return;
      }
      if (isZeroBlock(block)) {
        if (pendingMeta) throw unexpectedEof();
        const second = await src.readExact(BLOCK);
        if (second && !isZeroBlock(second)) throw invalidHeader();
        if (options.drain ?? true) await src.drain();
        segments?.end();
        return;
      }
      const raw = decodeBlock(block);
      switch (raw.flag) {
        case 'x':
        case 'g': {
          const records = parsePax(await special(raw.size));
          for (const key of records.keys()) {
            if (key.startsWith('GNU.sparse.')) throw new TarFormatError('archive/tar: GNU sparse files are not supported');
          }
          if (raw.flag === 'g') {
            global = new Map(global);
            // an empty value in a global header removes the key
            for (const [k, v] of records) if (v.length === 0) global.delete(k);
            else global.set(k, v);
            let bytes = 0;
            for (const v of global.values()) bytes += v.length;
            if (bytes > maxSpecialSize) throw new TarFormatError('archive/tar: header field too long');
          } else {
            local = records; // as in Go, the last x header before an entry is the one that counts
            pendingMeta = true;
          }
          continue;
        }
        case 'L':
        case 'K': {
          const data = await special(raw.size);
          const nul = data.indexOf(0);
          const text = data.toString('utf8', 0, nul >= 0 ? nul : data.length);
          if (raw.flag === 'L') longName = text;
          else longLink = text;
          pendingMeta = true;
          continue;
        }
        case 'S':
          throw new TarFormatError('archive/tar: GNU sparse files are not supported');
        case 'V':
          await src.skip(raw.size + padding(raw.size)); // a GNU volume label: not a file
          continue;
      }
      let type = entryType(raw.flag);
      if (!type) throw new TarFormatError(`archive/tar: unsupported entry type ${JSON.stringify(raw.flag)}`);
      // records of this entry's own x header override the global ones; an empty value unsets
      const pax = global.size === 0 ? local : new Map([...global, ...local]);
      const name = checkName(paxText(pax, 'path') ?? longName ?? raw.name);
      if (raw.flag === '\0' && name.endsWith('/')) type = 'directory'; // v7 had no directory type
      const size = paxInt(pax, 'size', raw.size);
      if (size < 0) throw invalidHeader();
      const mtime = paxText(pax, 'mtime');
      const atime = paxText(pax, 'atime');
      const header: TarHeader = {
        name,
        linkname: checkName(paxText(pax, 'linkpath') ?? longLink ?? raw.linkname),
        type,
        mode: raw.mode & 0o7777,
        uid: paxInt(pax, 'uid', raw.uid),
        gid: paxInt(pax, 'gid', raw.gid),
        uname: paxText(pax, 'uname') ?? raw.uname,
        gname: paxText(pax, 'gname') ?? raw.gname,
        size: type === 'file' ? size : 0,
        mtime: mtime !== undefined ? parsePaxTime(mtime) : new Date(raw.mtime * 1000),
        ...(atime !== undefined ? { atime: parsePaxTime(atime) } : {}),
        devmajor: raw.devmajor,
        devminor: raw.devminor,
        xattrs: new Map(),
        pax: {},
      };
      for (const [k, v] of pax) {
        if (k.startsWith('SCHILY.xattr.')) header.xattrs.set(k.slice(13), v);
        else if (k.startsWith('LIBARCHIVE.xattr.')) header.xattrs.set(uriDecoded(k.slice(17)), Buffer.from(v.toString('latin1'), 'base64'));
        else if (k === 'SCHILY.devmajor' && v.length) header.devmajor = paxNumber(k, v);
        else if (k === 'SCHILY.devminor' && v.length) header.devminor = paxNumber(k, v);
        else if (!knownPaxKeys.has(k) && v.length) header.pax[k] = v.toString('utf8');
      }
      local = new Map();
      longName = undefined;
      longLink = undefined;
      pendingMeta = false;
      // Links, directories and devices carry no data whatever their size field says (as in Go),
      // except a GNU dumpdir, whose listing is skipped.
      const dataSize = type === 'file' || raw.flag === 'D' ? size : 0;
      const entry = new Entry(header, src, type === 'file' ? size : 0);
      if (segments && type === 'file' && size > 0) {
        segments.file(header);
        src.muted = true;
      }
      yield entry;
      await entry.settle();
      src.muted = false;
      if (raw.flag === 'D') await src.skip(dataSize);
      if (!options.missingFinalPadding) await src.skip(padding(dataSize));
      else if (!(await src.skipUpTo(padding(dataSize)))) return;
    }
  } finally {
    await src.close();
  }
}
