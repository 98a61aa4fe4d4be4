// A layer's original tar, byte for byte, without keeping a second copy of its files: what dockerd
// keeps as tar-split.json.gz. While a layer tar is unpacked, everything but the bodies of regular
// files (headers, PAX and long-name records, padding, the end marker) is recorded, and each body
// as a reference to the file it became in the layer's diff directory. Reassembling reads the
// references back from disk, so `save` (and push) send exactly the bytes whose sha256 is the
// layer's diff id.
//
// The file is gzip'd JSON lines as tar-split writes them — {"type":2,"payload":<base64>} for raw
// bytes, {"type":1,"name":<path in the layer>,"size":N} for a file body — but file entries carry
// no CRC and names are the cleaned paths the extractor wrote, so dockerd could not read it back.
import { createReadStream, createWriteStream, promises as fsp, constants as fsConstants } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { cleanEntryName } from '../archive/index.ts';

const BLOCK = 512;
/** Metadata records (PAX, GNU long names) above this are not ours to parse: stop recording. */
const maxMetaSize = 1 << 20;
/** Raw bytes are flushed as one segment at most this long. */
const maxSegment = 64 * 1024;

export const tarSplitFile = 'tar-split.json.gz';

type Segment = { type: 2; payload: string; position: number } | { type: 1; name: string; size: number; position: number };

function parseOctal(block: Buffer, at: number, len: number): number {
  if (block[at] & 0x80) {
    let v = 0;
    for (let i = at + 1; i < at + len; i++) v = v * 256 + block[i];
    return v;
  }
  const text = block.toString('latin1', at, at + len).replace(/[\0 ]+.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

function cstr(block: Buffer, at: number, len: number): string {
  const nul = block.indexOf(0, at);
  return block.toString('utf8', at, nul >= 0 && nul < at + len ? nul : at + len);
}

function paxValue(data: Buffer, key: string): string | undefined {
  let value: string | undefined;
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const sp = data.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(data.toString('latin1', pos, sp));
    if (!Number.isSafeInteger(len) || len <= 0) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === key) value = rec.slice(eq + 1);
    pos += len;
  }
  return value;
}

/**
 * A pass-through stream that records the tar-split of what flows through it. It never fails the
 * pipeline: a tar it cannot follow just leaves it without a recording (`complete` false), and
 * the layer is then exported by packing its directory instead.
 */
export class TarSplitRecorder extends Transform {
  #out = createGzip();
  #writing: Promise<void>;
  #position = 0;
  #raw: Buffer[] = [];
  #rawLength = 0;
  #pending = Buffer.alloc(0);
  /** What the bytes at the front of the input are. */
  #state: 'header' | 'meta' | 'body' | 'skip' | 'tail' = 'header';
  #remaining = 0;
  #padding = 0;
  #metaType = '';
  #meta: Buffer[] = [];
  #nextName: string | undefined;
  #nextSize: number | undefined;
  #failed = false;
  #sawEnd = false;

  constructor(path: string) {
    super();
    this.#writing = pipeline(this.#out, createWriteStream(path, { mode: 0o600 }));
    this.#writing.catch(() => {});
  }

  /** Whether the whole archive was followed to its end marker. */
  get complete(): boolean {
    return !this.#failed && this.#sawEnd;
  }

  /** Flushes the recording to disk; call after the stream ended. */
  async close(): Promise<void> {
    try {
      this.#flushRaw();
      this.#out.end();
      await this.#writing;
    } catch {
      // a recording that could not be written is no recording
      this.#failed = true;
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.#failed) {
      try {
        this.#consume(chunk);
      } catch {
        this.#failed = true;
      }
    }
    cb(null, chunk);
  }

  #emit(seg: Segment): void {
    this.#out.write(JSON.stringify(seg) + '\n');
  }

  #addRaw(b: Buffer): void {
    if (b.length === 0) return;
    this.#raw.push(b);
    this.#rawLength += b.length;
    if (this.#rawLength >= maxSegment) this.#flushRaw();
  }

  #flushRaw(): void {
    if (this.#rawLength === 0) return;
    this.#emit({ type: 2, payload: Buffer.concat(this.#raw).toString('base64'), position: this.#position++ });
    this.#raw = [];
    this.#rawLength = 0;
  }

  #consume(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length > 0) {
      switch (this.#state) {
        case 'tail':
          this.#addRaw(Buffer.from(buf));
          return;
        case 'header': {
          const need = BLOCK - this.#pending.length;
          const take = buf.subarray(0, need);
          this.#pending = this.#pending.length ? Buffer.concat([this.#pending, take]) : Buffer.from(take);
          buf = buf.subarray(take.length);
          if (this.#pending.length < BLOCK) return;
          const block = this.#pending;
          this.#pending = Buffer.alloc(0);
          this.#header(block);
          break;
        }
        case 'meta': {
          const take = buf.subarray(0, this.#remaining);
          this.#meta.push(Buffer.from(take));
          this.#addRaw(Buffer.from(take));
          this.#remaining -= take.length;
          buf = buf.subarray(take.length);
          if (this.#remaining === 0) this.#endMeta();
          break;
        }
        case 'body': {
          const take = buf.subarray(0, this.#remaining);
          this.#remaining -= take.length;
          buf = buf.subarray(take.length);
          if (this.#remaining === 0) {
            this.#remaining = this.#padding;
            this.#state = this.#remaining > 0 ? 'skip' : 'header';
          }
          break;
        }
        case 'skip': {
          // padding (or the data of a non-file entry): kept as raw bytes
          const take = buf.subarray(0, this.#remaining);
          this.#addRaw(Buffer.from(take));
          this.#remaining -= take.length;
          buf = buf.subarray(take.length);
          if (this.#remaining === 0) this.#state = 'header';
          break;
        }
      }
    }
  }

  #header(block: Buffer): void {
    this.#addRaw(block);
    if (block.every((b) => b === 0)) {
      // the end marker: everything from here on (the second zero block, record padding) is raw
      this.#sawEnd = true;
      this.#state = 'tail';
      return;
    }
    let sum = 8 * 0x20;
    for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i];
    if (parseOctal(block, 148, 8) !== sum) throw new Error('not a tar header');
    const flag = String.fromCharCode(block[156]);
    let size = parseOctal(block, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('bad size');
    const magic = block.toString('latin1', 257, 263);
    let name = cstr(block, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = cstr(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > maxMetaSize) throw new Error('metadata record too large');
      this.#metaType = flag;
      this.#meta = [];
      this.#padding = pad;
      this.#remaining = size;
      this.#state = 'meta';
      if (size === 0) this.#endMeta();
      return;
    }
    if (flag === 'S') throw new Error('sparse files are not recorded');
    const fullName = this.#nextName ?? name;
    if (this.#nextSize !== undefined) size = this.#nextSize;
    this.#nextName = undefined;
    this.#nextSize = undefined;
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((flag === '0' || flag === '\0' || flag === '7') && size > 0) {
      this.#flushRaw();
      this.#emit({ type: 1, name: cleanEntryName(fullName), size, position: this.#position++ });
      this.#remaining = size;
      this.#padding = padding;
      this.#state = 'body';
      return;
    }
    this.#remaining = size + padding;
    this.#state = this.#remaining > 0 ? 'skip' : 'header';
  }

  #endMeta(): void {
    const data = Buffer.concat(this.#meta);
    if (this.#metaType === 'x') {
      const path = paxValue(data, 'path');
      const size = paxValue(data, 'size');
      if (path !== undefined) this.#nextName = path;
      if (size !== undefined) this.#nextSize = Number(size);
    } else if (this.#metaType === 'L') {
      this.#nextName = cstr(data, 0, data.length);
    }
    this.#remaining = this.#padding;
    this.#state = this.#remaining > 0 ? 'skip' : 'header';
  }
}

/** Opens `rel` inside `root`, following symlinks as if `root` were "/" (as the extractor wrote it). */
async function openInRoot(root: string, rel: string): Promise<string> {
  const parts = rel.split('/').filter((p) => p && p !== '.');
  let resolved: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, part);
    const st = await fsp.lstat(candidate);
    if (st.isSymbolicLink() && parts.length > 0) {
      if (++hops > 40) throw new Error(`too many links resolving ${rel}`);
      const target = await fsp.readlink(candidate);
      if (isAbsolute(target)) resolved = [];
      parts.unshift(...posix.normalize(target).split('/').filter((p) => p && p !== '.'));
      continue;
    }
    resolved.push(part);
  }
  return join(root, ...resolved);
}

async function* readSegments(splitPath: string): AsyncGenerator<Segment> {
  await fsp.access(splitPath); // ENOENT here, for callers that fall back
  const src = createReadStream(splitPath);
  const gunzip = createGunzip();
  src.on('error', (err) => gunzip.destroy(err));
  src.pipe(gunzip);
  const decoder = new StringDecoder('utf8'); // a character may straddle two chunks
  let rest = '';
  for await (const chunk of gunzip) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) yield JSON.parse(line) as Segment;
  }
  if (rest) yield JSON.parse(rest) as Segment;
}

/** The size of the reassembled tar, from the recording alone. */
export async function tarSplitSize(splitPath: string): Promise<number> {
  let size = 0;
  for await (const s of readSegments(splitPath)) size += s.type === 1 ? s.size : Buffer.byteLength(s.payload, 'base64');
  return size;
}

/** Reassembles the original tar from the recording and the layer's diff directory. */
export function assembleTar(splitPath: string, diffDir: string): Readable {
  return Readable.from(
    (async function* () {
      for await (const s of readSegments(splitPath)) {
        if (s.type === 2) {
          yield Buffer.from(s.payload, 'base64');
          continue;
        }
        const path = await openInRoot(diffDir, s.name);
        const fh = await fsp.open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
        try {
          let left = s.size;
          while (left > 0) {
            const buf = Buffer.allocUnsafe(Math.min(left, 256 * 1024));
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) throw new Error(`layer file ${s.name} is shorter than recorded`);
            left -= bytesRead;
            yield buf.subarray(0, bytesRead);
          }
        } finally {
          await fh.close();
        }
      }
    })(),
    { objectMode: false },
  );
}
