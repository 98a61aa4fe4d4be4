// A layer's original tar, byte for byte, without keeping a second copy of its files: what dockerd
// keeps as tar-split.json.gz. While a layer tar is unpacked, the tar reader hands over everything
// but the bodies of regular files (headers, PAX and long-name records, padding, the end marker)
// and each body as a reference to the file it became in the layer's diff directory: the layer is
// parsed once, by the reader that extracts it. Reassembling reads the
// references back from disk, so `save` (and push) send exactly the bytes whose sha256 is the
// layer's diff id.
//
// The file is gzip'd JSON lines as tar-split writes them — {"type":2,"payload":<base64>} for raw
// bytes, {"type":1,"name":<path in the layer>,"size":N} for a file body — but file entries carry
// no CRC and names are the cleaned paths the extractor wrote, so dockerd could not read it back.
import { createReadStream, createWriteStream, promises as fsp, constants as fsConstants } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { cleanEntryName, type TarHeader, type TarSegments } from '../archive/index.ts';
import { secureJoin } from '../lib/index.ts';

/** Raw bytes are flushed as one segment at most this long. */
const maxSegment = 64 * 1024;

export const tarSplitFile = 'tar-split.json.gz';

type Segment = { type: 2; payload: string; position: number } | { type: 1; name: string; size: number; position: number };

/**
 * Records the tar-split of the archive the reader it is given to reads (`segments` of
 * applyLayer). It never fails the extraction: what it cannot record leaves it without a
 * recording (`complete` false), and the layer is then exported by packing its directory instead.
 */
export class TarSplitRecorder implements TarSegments {
  #out = createGzip();
  #writing: Promise<void>;
  #position = 0;
  #raw: Buffer[] = [];
  #rawLength = 0;
  #failed = false;
  #sawEnd = false;

  constructor(path: string) {
    this.#writing = pipeline(this.#out, createWriteStream(path, { mode: 0o600 }));
    this.#writing.catch(() => {});
  }

  /** Whether the whole archive was followed to its end. */
  get complete(): boolean {
    return !this.#failed && this.#sawEnd;
  }

  /** Flushes the recording to disk; call after the archive was read. */
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

  raw(bytes: Buffer): void {
    if (this.#failed || bytes.length === 0) return;
    this.#raw.push(bytes);
    this.#rawLength += bytes.length;
    if (this.#rawLength >= maxSegment) this.#flushRaw();
  }

  file(header: TarHeader): void {
    if (this.#failed) return;
    try {
      const name = cleanEntryName(header.name);
      this.#flushRaw();
      this.#emit({ type: 1, name, size: header.size, position: this.#position++ });
    } catch {
      this.#failed = true; // a name the extractor refuses too: the layer fails anyway
    }
  }

  end(): void {
    this.#sawEnd = true;
  }

  #emit(seg: Segment): void {
    this.#out.write(JSON.stringify(seg) + '\n');
  }

  #flushRaw(): void {
    if (this.#rawLength === 0) return;
    this.#emit({ type: 2, payload: Buffer.concat(this.#raw, this.#rawLength).toString('base64'), position: this.#position++ });
    this.#raw = [];
    this.#rawLength = 0;
  }
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
        // as the extractor wrote it: parents resolved inside the diff dir, the file itself not followed
        const path = await secureJoin(diffDir, s.name, { followLast: false });
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
