// A log file with dockerd's rotation (daemon/logger/loggerutils/logfile.go): before an entry is
// written, a file that has reached max-size becomes <name>.1 (the older ones shift up to
// <name>.<max-file - 1>, the oldest is dropped) and a new one is started; with compress, <name>.1
// is then gzipped in the background into <name>.1.gz, whose header's Extra field records the time
// of its last entry as JSON ({"lastTime":"…"}) so that readers can skip it for --since. With
// max-file 1 the file is truncated instead, as dockerd does. Renames happen synchronously, so a
// reader that lists and opens the files in one synchronous step always sees a consistent set.
import { closeSync, constants, createReadStream, createWriteStream, existsSync, fstatSync, openSync, promises as fsp, readdirSync, renameSync, unlinkSync, write } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isErrno } from '../errors/index.ts';
import { silentLogger, type Logger } from '../lib/index.ts';
import { rfc3339Nano, type LogTime } from './time.ts';

export interface RotationPolicy {
  /** Bytes; -1 for no limit. */
  maxSize: number;
  maxFiles: number;
  compress: boolean;
}

/** What a follower hears from the writer. */
export interface FileListener {
  /** Bytes were appended to the current file. */
  written(): void;
  /** The current file became <name>.1 and a new, empty one took its path (called synchronously). */
  rotated(): void;
  /** The writer is closed: nothing more will come. */
  closed(): void;
}

export class RotatingFile {
  readonly path: string;
  readonly policy: RotationPolicy;
  #fd = -1;
  #size = 0;
  #lastTime: LogTime | undefined;
  #compressing: Promise<void> = Promise.resolve();
  #listeners = new Set<FileListener>();
  #closed = false;
  #mode: number;
  #log: Logger;

  constructor(path: string, policy: RotationPolicy, options: { mode?: number; log?: Logger } = {}) {
    this.path = path;
    this.policy = policy;
    this.#mode = options.mode ?? 0o640;
    this.#log = options.log ?? silentLogger;
  }

  get closed(): boolean {
    return this.#closed;
  }

  open(): void {
    this.#fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, this.#mode);
    this.#size = fstatSync(this.#fd).size;
    // a compression cut short (berthd stopped in the middle) is finished now
    const first = `${this.path}.1`;
    if (this.policy.compress && this.policy.maxFiles > 1 && existsSync(first)) this.#compressing = this.#compress(first, undefined);
  }

  subscribe(listener: FileListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Appends whole entries: `data` holds them back to back, `ends[i]` is where entry i ends and
   * `times[i]` its time. Rotation happens between entries, never inside one.
   */
  async write(data: Buffer, ends: readonly number[], times: readonly LogTime[]): Promise<void> {
    if (this.#closed) throw new Error('cannot write because the output file was closed');
    const { maxSize } = this.policy;
    let segStart = 0;
    let pos = 0;
    for (let i = 0; i < ends.length; i++) {
      if (maxSize >= 0 && this.#size + (pos - segStart) >= maxSize) {
        await this.#append(data.subarray(segStart, pos));
        segStart = pos;
        await this.#rotate();
      }
      pos = ends[i];
      this.#lastTime = times[i];
    }
    await this.#append(data.subarray(segStart, pos));
  }

  async #append(bytes: Buffer): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await new Promise<number>((resolve, reject) => write(this.#fd, bytes, off, bytes.length - off, null, (err, n) => (err ? reject(err) : resolve(n))));
    }
    this.#size += bytes.length;
    if (bytes.length) for (const l of this.#listeners) l.written();
  }

  async #rotate(): Promise<void> {
    // the previous compression must be done before the .gz files shift
    await this.#compressing;
    const { maxFiles, compress } = this.policy;
    closeSync(this.#fd);
    this.#fd = -1;
    if (maxFiles >= 2) {
      const ext = compress ? '.gz' : '';
      ignoreMissing(() => unlinkSync(`${this.path}.${maxFiles - 1}${ext}`));
      for (let i = maxFiles - 1; i > 1; i--) ignoreMissing(() => renameSync(`${this.path}.${i - 1}${ext}`, `${this.path}.${i}${ext}`));
      renameSync(this.path, `${this.path}.1`);
    }
    this.#fd = openSync(this.path, constants.O_WRONLY | constants.O_TRUNC | constants.O_CREAT | constants.O_APPEND, this.#mode);
    this.#size = 0;
    for (const l of this.#listeners) l.rotated();
    if (maxFiles >= 2 && compress) this.#compressing = this.#compress(`${this.path}.1`, this.#lastTime);
  }

  async #compress(source: string, lastTime: LogTime | undefined): Promise<void> {
    const target = `${source}.gz`;
    try {
      await pipeline(
        createReadStream(source),
        createGzip(),
        new GzipExtraHeader(Buffer.from(JSON.stringify(lastTime ? { lastTime: rfc3339Nano(lastTime) } : {}))),
        createWriteStream(target, { mode: this.#mode }),
      );
      await fsp.unlink(source);
    } catch (err) {
      this.#log.warn('compressing a rotated log file failed; it stays uncompressed', { file: source, error: err });
      await fsp.rm(target, { force: true });
    }
  }

  /** Stops writing; followers drain what is there and end. Waits for a compression under way. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
    for (const l of this.#listeners) l.closed();
    this.#listeners.clear();
    await this.#compressing;
  }
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

/**
 * Rewrites zlib's gzip header the way Go's gzip.Writer writes dockerd's: FEXTRA set with the given
 * bytes, OS 255 ("unknown"). The trailer's CRC covers the data only, so it stays valid.
 */
class GzipExtraHeader extends Transform {
  #head: Buffer | undefined = Buffer.alloc(0);
  readonly #extra: Buffer;

  constructor(extra: Buffer) {
    super();
    this.#extra = extra;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.#head) return done(null, chunk);
    this.#head = Buffer.concat([this.#head, chunk]);
    if (this.#head.length < 10) return done();
    const header = Buffer.from(this.#head.subarray(0, 10));
    header[3] |= 0x04;
    header[9] = 0xff;
    const xlen = Buffer.alloc(2);
    xlen.writeUInt16LE(this.#extra.length);
    const out = Buffer.concat([header, xlen, this.#extra, this.#head.subarray(10)]);
    this.#head = undefined;
    done(null, out);
  }
}

/**
 * The rotated files of a log, oldest first: <name>.N or <name>.N.gz for each N present (an
 * uncompressed copy wins over a .gz being written), then <name> itself when present.
 */
export function logFileSet(path: string): Array<{ path: string; compressed: boolean; index: number }> {
  const base = basename(path);
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const found = new Map<number, { path: string; compressed: boolean; index: number }>();
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^(\d+)(\.gz)?$/.exec(name.slice(base.length + 1));
    if (!m) continue;
    const index = Number(m[1]);
    const compressed = !!m[2];
    const have = found.get(index);
    if (!have || (have.compressed && !compressed)) found.set(index, { path: join(dir, name), compressed, index });
  }
  const rotated = [...found.values()].sort((a, b) => b.index - a.index);
  return names.includes(base) ? [...rotated, { path, compressed: false, index: 0 }] : rotated;
}
