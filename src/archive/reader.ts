// A streaming tar reader: entries one at a time, each body a Readable of exactly its size. The
// next entry is read only once the previous body was consumed (or it is drained for you).
import { Readable } from 'node:stream';
import { BLOCK, TarFormatError, decodeBlock, entryType, isZeroBlock, parsePax, type TarHeader } from './header.ts';

export interface TarEntry {
  header: TarHeader;
  body: Readable;
}

/** Pulls exact byte counts out of a chunked source. */
class Source {
  #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  #eof = false;

  constructor(input: AsyncIterable<Buffer | string>) {
    const inner = input[Symbol.asyncIterator]();
    this.#it = {
      next: async () => {
        const r = await inner.next();
        if (r.done) return r;
        return { done: false, value: typeof r.value === 'string' ? Buffer.from(r.value) : r.value };
      },
      return: async () => {
        await inner.return?.();
        return { done: true, value: undefined };
      },
    };
  }

  async #more(): Promise<boolean> {
    if (this.#eof) return false;
    const r = await this.#it.next();
    if (r.done) {
      this.#eof = true;
      return false;
    }
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : r.value;
    return true;
  }

  /** Exactly n bytes, or fewer only at EOF. */
  async read(n: number): Promise<Buffer> {
    while (this.#buf.length < n) if (!(await this.#more())) break;
    const out = this.#buf.subarray(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  /** Yields n bytes in chunks as they arrive; throws on a short stream. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0 && !(await this.#more())) throw new TarFormatError('unexpected EOF');
      const chunk = this.#buf.subarray(0, Math.min(left, this.#buf.length));
      this.#buf = this.#buf.subarray(chunk.length);
      left -= chunk.length;
      yield chunk;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.take(n)) {
      // discard
    }
  }

  async close(): Promise<void> {
    await this.#it.return?.();
  }
}

async function readAll(src: Source, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src.take(n)) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function paxTime(v: string): Date {
  const [s, frac = ''] = v.split('.');
  return new Date(Number(s) * 1000 + Number((frac + '000').slice(0, 3)));
}

export async function* readTar(input: AsyncIterable<Buffer | string>): AsyncGenerator<TarEntry> {
  const src = new Source(input);
  let globalPax = new Map<string, Buffer>();
  let pax = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let sawHeader = false;
  try {
    for (;;) {
      const block = await src.read(BLOCK);
      if (block.length === 0) {
        if (!sawHeader) throw new TarFormatError('archive/tar: empty archive');
        return; // EOF without the end marker, after a complete entry: accept, as GNU tar does
      }
      if (block.length < BLOCK) throw new TarFormatError('unexpected EOF');
      if (isZeroBlock(block)) return;
      const raw = decodeBlock(block);
      sawHeader = true;
      const flag = raw.flag;
      if (flag === 'x' || flag === 'g') {
        const records = parsePax(await readAll(src, raw.size));
        await src.skip(pad(raw.size));
        if (flag === 'g') globalPax = new Map([...globalPax, ...records]);
        else pax = new Map([...pax, ...records]);
        continue;
      }
      if (flag === 'L' || flag === 'K') {
        const data = (await readAll(src, raw.size)).toString('utf8').replace(/\0+$/, '');
        await src.skip(pad(raw.size));
        if (flag === 'L') longName = data;
        else longLink = data;
        continue;
      }
      if (flag === 'S' || [...pax.keys()].some((k) => k.startsWith('GNU.sparse'))) throw new TarFormatError('archive/tar: sparse files are not supported');
      if (flag === 'V') {
        await src.skip(raw.size + pad(raw.size));
        continue;
      }
      const type = entryType(flag);
      if (!type) throw new TarFormatError(`archive/tar: unsupported entry type ${JSON.stringify(flag)}`);
      const all = new Map([...globalPax, ...pax]);
      const str = (k: string) => all.get(k)?.toString('utf8');
      const header: TarHeader = {
        name: str('path') ?? longName ?? raw.name,
        type,
        mode: raw.mode & 0o7777,
        uid: str('uid') !== undefined ? Number(str('uid')) : raw.uid,
        gid: str('gid') !== undefined ? Number(str('gid')) : raw.gid,
        size: str('size') !== undefined ? Number(str('size')) : raw.size,
        mtime: str('mtime') !== undefined ? paxTime(str('mtime')!) : new Date(raw.mtime * 1000),
        linkname: str('linkpath') ?? longLink ?? raw.linkname,
        uname: str('uname') ?? raw.uname,
        gname: str('gname') ?? raw.gname,
        devmajor: raw.devmajor,
        devminor: raw.devminor,
      };
      if (str('atime') !== undefined) header.atime = paxTime(str('atime')!);
      const xattrs = new Map<string, Buffer>();
      const other: Record<string, string> = {};
      for (const [k, v] of all) {
        if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice('SCHILY.xattr.'.length), v);
        else if (k.startsWith('LIBARCHIVE.xattr.')) xattrs.set(decodeURIComponent(k.slice('LIBARCHIVE.xattr.'.length)), Buffer.from(v.toString('latin1'), 'base64'));
        else if (!['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'atime', 'ctime', 'uname', 'gname'].includes(k)) other[k] = v.toString('utf8');
      }
      if (xattrs.size) header.xattrs = xattrs;
      if (Object.keys(other).length) header.pax = other;
      pax = new Map();
      longName = undefined;
      longLink = undefined;
      // Links, directories and devices carry no data, whatever their size field says.
      const size = type === 'file' ? header.size : 0;
      if (type !== 'file') header.size = 0;
      let finished!: () => void;
      let failed!: (e: unknown) => void;
      const consumed = new Promise<void>((resolve, reject) => {
        finished = resolve;
        failed = reject;
      });
      // The body's consumer sees the error first; this copy only orders the next header.
      consumed.catch(() => {});
      const body = Readable.from(
        (async function* () {
          try {
            yield* src.take(size);
            await src.skip(pad(size));
            finished();
          } catch (err) {
            failed(err);
            throw err;
          }
        })(),
        { objectMode: false, highWaterMark: 64 * 1024 },
      );
      if (size === 0) {
        await src.skip(pad(raw.size && type === 'file' ? raw.size : 0));
        body.resume();
        finished();
      }
      yield { header, body };
      if (!body.readableEnded && size > 0 && !body.destroyed) {
        body.resume(); // the consumer skipped this body: drain it
      } else if (body.destroyed && !body.readableEnded && size > 0) {
        throw new TarFormatError('archive/tar: entry body closed early');
      }
      await consumed;
    }
  } finally {
    await src.close();
  }
}
