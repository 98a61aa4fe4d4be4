// Where COPY and ADD read from, behind one interface: the build context, or an image's files.
//
// The context is never unpacked into a directory. While its tar (plain, gzip, bzip2, xz, zstd)
// streams in, each entry's metadata goes into an index and each file's data is appended to one
// file on disk, hashed on the way (names must stay relative: an absolute path or ".." refuses the
// whole context). A cached rebuild then costs one sequential write and no per-file syscalls, and
// a COPY that does run streams its entries from that file. A RUN --mount=type=bind of the context
// is the only reader that needs a directory; it gets one unpacked on first use.
//
// An image's files (COPY --from, mounts from a stage) are read from a mounted layer directory.
// Both resolve sources as dockerd does: symlinks followed inside the tree, Go globs matched in
// walk order; and hash what they read by content and metadata, never by time.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { createTarPacker, decompress, deviceNumbers, extractTar, openPathTree, packDirectory, readTar, type TarHeader } from '../archive/index.ts';
import type { FileRecord, FileType } from '../builder/index.ts';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';

/** Go's filepath.Match as a regular expression (`*`, `?`, `[…]`, `\` escapes; no `/` crossing). */
export function goGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new InvalidArgument(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'u');
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export const hasWildcards = (p: string): boolean => /(^|[^\\])[*?[]/.test(p);

/** A source of a COPY/ADD, found: what it is and how to read it. */
export interface CopySource {
  /** The path as the Dockerfile matched it, relative to the root ("dir/a.txt"). */
  name: string;
  isDir: boolean;
  /** A tar of the source: a directory's contents (names relative to it), or the file as `as`. */
  pack(as: string): Readable;
  /** A file's content (ADD looks for archives in it). */
  open(): Readable;
  /** A downloaded URL: never unpacked. */
  download?: boolean;
}

/** What COPY/ADD reads from. */
export interface SourceReader {
  readonly kind: 'context' | 'image';
  /** The sources a COPY names, in order (a wildcard matched against every path, in walk order). */
  find(sources: readonly string[], instruction: string): Promise<CopySource[]>;
  /** What the cache key hashes: the source, and for a directory everything below it. */
  records(source: CopySource): Promise<FileRecord[]>;
}

function notFound(kind: 'context' | 'image', instruction: string, raw: string, src: string): NotFound {
  return new NotFound(
    kind === 'context'
      ? `${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${raw}: file does not exist`
      : `${instruction} failed: stat ${posix.join('/', src)}: file does not exist`,
  );
}

const cleanSource = (raw: string) => posix.normalize(`/${raw}`).slice(1) || '.';

// ---- the context, from its tar

interface Node {
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  /** Regular files: where the data starts in the data file. */
  offset: number;
  digest?: string;
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  xattrs?: Map<string, Buffer>;
  /** Directories: names of the entries in it. */
  children?: Set<string>;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class ContextArchive implements SourceReader {
  readonly kind = 'context' as const;
  readonly #dir: string;
  readonly #data: string;
  readonly #nodes = new Map<string, Node>();
  #unpacked: Promise<string> | undefined;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#data = join(dir, 'context.data');
    this.#nodes.set('', { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0), size: 0, offset: 0, children: new Set() });
  }

  /**
   * Reads a context tar into `dir` (which must exist): the data file and the index. Rejects a
   * malformed archive and names that leave the context.
   */
  static async receive(input: Readable, dir: string): Promise<ContextArchive> {
    const ctx = new ContextArchive(dir);
    const out = createWriteStream(ctx.#data, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 20 });
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => {});
    let offset = 0;
    try {
      const tar = await decompress(input);
      for await (const entry of readTar(tar, { missingFinalPadding: true })) {
        const h = entry.header;
        const rel = strictName(h.name);
        if (rel === '') {
          entry.body.resume();
          continue;
        }
        const node: Node = { type: typeOf(h), mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtime: h.mtime, size: 0, offset: 0 };
        if (h.xattrs.size > 0) node.xattrs = h.xattrs;
        if (h.type === 'symlink') node.linkTarget = h.linkname;
        if (h.type === 'char' || h.type === 'block') {
          node.devMajor = h.devmajor;
          node.devMinor = h.devminor;
        }
        if (h.type === 'link') {
          const target = ctx.#nodes.get(strictName(h.linkname));
          if (!target || target.type !== 'file') throw new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)} in the build context`);
          Object.assign(node, { type: 'file', size: target.size, offset: target.offset, digest: target.digest });
        }
        if (h.type === 'file') {
          const hash = createHash('sha256');
          node.offset = offset;
          for await (const chunk of entry.body) {
            hash.update(chunk as Buffer);
            offset += (chunk as Buffer).length;
            if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
          }
          node.size = offset - node.offset;
          node.digest = hash.digest('hex');
        } else entry.body.resume();
        if (h.type === 'directory') node.children = ctx.#nodes.get(rel)?.children ?? new Set();
        ctx.#add(rel, node);
      }
      out.end();
      await Promise.race([once(out, 'finish'), failed]);
    } catch (err) {
      out.destroy();
      throw err;
    }
    return ctx;
  }

  /** Adds a node, and the directories above it that the archive did not list. */
  #add(rel: string, node: Node): void {
    const slash = rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : rel.slice(0, slash);
    let dir = this.#nodes.get(parent);
    if (!dir || dir.type !== 'dir') {
      if (dir) throw new InvalidArgument(`invalid build context: ${parent} is not a directory but has ${rel} in it`);
      dir = { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0), size: 0, offset: 0, children: new Set() };
      this.#add(parent, dir);
    }
    dir.children!.add(rel.slice(slash + 1));
    const old = this.#nodes.get(rel);
    if (old?.children && node.type !== 'dir') for (const p of [...this.#nodes.keys()]) if (p.startsWith(`${rel}/`)) this.#nodes.delete(p);
    this.#nodes.set(rel, node);
  }

  /** A path resolved as a chroot would: symlinks followed inside the context, ".." stops at its root. */
  #resolve(path: string): string | undefined {
    const pending = path.split('/').filter((p) => p !== '' && p !== '.');
    const parts: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        parts.pop();
        continue;
      }
      const candidate = [...parts, part].join('/');
      const node = this.#nodes.get(candidate);
      if (!node) return undefined;
      if (node.type === 'symlink') {
        if (++links > 255) throw new InvalidArgument(`too many levels of symbolic links: ${path}`);
        const target = node.linkTarget ?? '';
        if (target.startsWith('/')) parts.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      parts.push(part);
    }
    return parts.join('/');
  }

  /** Every path (parents before children, names in byte order): Go's filepath.Walk. */
  *#walk(rel: string): Generator<string> {
    const node = this.#nodes.get(rel);
    for (const name of [...(node?.children ?? [])].sort(byteOrder)) {
      const child = rel === '' ? name : `${rel}/${name}`;
      yield child;
      if (this.#nodes.get(child)?.type === 'dir') yield* this.#walk(child);
    }
  }

  async find(sources: readonly string[], instruction: string): Promise<CopySource[]> {
    const out: CopySource[] = [];
    for (const raw of sources) {
      const src = cleanSource(raw);
      if (hasWildcards(src)) {
        const re = goGlob(src);
        const matched = [...this.#walk('')].filter((p) => re.test(p));
        if (matched.length === 0) throw new InvalidArgument(`${instruction} failed: no source files were specified`);
        for (const name of matched) out.push(this.#source(name, this.#resolve(name)!));
        continue;
      }
      const real = src === '.' ? '' : this.#resolve(src);
      if (real === undefined) throw notFound('context', instruction, raw, src);
      out.push(this.#source(src, real));
    }
    return out;
  }

  #source(name: string, real: string): CopySource & { real: string } {
    const node = this.#nodes.get(real)!;
    return { name, real, isDir: node.type === 'dir', pack: (as) => this.#pack(real, as), open: () => this.#open(node) };
  }

  #open(node: Node): Readable {
    if (node.size === 0) return Readable.from([]);
    return createReadStream(this.#data, { start: node.offset, end: node.offset + node.size - 1, highWaterMark: 1 << 20 });
  }

  async records(source: CopySource): Promise<FileRecord[]> {
    const real = (source as CopySource & { real: string }).real;
    const record = (path: string, n: Node): FileRecord => ({
      path,
      type: n.type,
      mode: n.mode,
      uid: n.uid,
      gid: n.gid,
      ...(n.type === 'file' ? { size: n.size, contentDigest: n.digest } : {}),
      ...(n.linkTarget !== undefined ? { linkTarget: n.linkTarget } : {}),
      ...(n.devMajor !== undefined ? { devMajor: n.devMajor, devMinor: n.devMinor } : {}),
      ...(n.xattrs ? { xattrs: Object.fromEntries([...n.xattrs].map(([k, v]) => [k, v.toString('base64')])) } : {}),
    });
    const root = this.#nodes.get(real)!;
    if (root.type !== 'dir') return [record('', root)];
    const out = [record('.', root)];
    for (const p of this.#walk(real)) out.push(record(real === '' ? p : p.slice(real.length + 1), this.#nodes.get(p)!));
    return out;
  }

  /** A tar of `real`: a file as one entry `as`; a directory's contents, hard links kept inside. */
  #pack(real: string, as: string): Readable {
    const pack = createTarPacker();
    const root = this.#nodes.get(real)!;
    const links = new Map<string, string>();
    const header = (name: string, n: Node) => ({
      name,
      type: n.type === 'dir' ? ('directory' as const) : n.type === 'hardlink' ? ('link' as const) : n.type,
      mode: n.mode,
      uid: n.uid,
      gid: n.gid,
      mtime: n.mtime,
      size: n.type === 'file' ? n.size : 0,
      linkname: n.linkTarget ?? '',
      devmajor: n.devMajor ?? 0,
      devminor: n.devMinor ?? 0,
      ...(n.xattrs ? { xattrs: n.xattrs } : {}),
    });
    const write = async (name: string, n: Node) => {
      if (n.type === 'file' && n.size > 0) {
        // the same data under two names (a hard link in the context): a link in the copy too
        const key = String(n.offset);
        const first = links.get(key);
        if (first !== undefined) return pack.entry({ ...header(name, n), type: 'link', size: 0, linkname: first });
        links.set(key, name);
        return pack.entry(header(name, n), this.#open(n));
      }
      return pack.entry(header(n.type === 'dir' ? `${name}/` : name, n));
    };
    (async () => {
      if (root.type !== 'dir') await write(as, root);
      else for (const p of this.#walk(real)) await write(real === '' ? p : p.slice(real.length + 1), this.#nodes.get(p)!);
      await pack.finish();
    })().catch((err: Error) => pack.abort(err));
    return pack.stream;
  }

  /** The context as a directory, unpacked once (for RUN --mount=type=bind of the context). */
  directory(sys: Syscalls): Promise<string> {
    this.#unpacked ??= (async () => {
      const dir = join(this.#dir, 'context');
      await fsp.mkdir(dir, { mode: 0o700 });
      const tree = await openPathTree(dir, sys);
      try {
        await extractTar(this.#pack('', ''), tree, { whiteouts: 'keep' });
      } finally {
        tree.close();
      }
      return dir;
    })();
    return this.#unpacked;
  }

  /** A file's text (the Dockerfile, .dockerignore), following symlinks; undefined when absent. */
  async readFile(path: string): Promise<string | undefined> {
    const real = this.#resolve(cleanSource(path));
    const node = real === undefined ? undefined : this.#nodes.get(real);
    if (!node || node.type !== 'file') return undefined;
    const chunks: Buffer[] = [];
    for await (const c of this.#open(node)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Takes a path out of the context (the Dockerfile and .dockerignore when .dockerignore says so). */
  remove(path: string): void {
    const rel = cleanSource(path);
    if (!this.#nodes.has(rel)) return;
    for (const p of [...this.#nodes.keys()]) if (p === rel || p.startsWith(`${rel}/`)) this.#nodes.delete(p);
    const slash = rel.lastIndexOf('/');
    this.#nodes.get(slash < 0 ? '' : rel.slice(0, slash))?.children?.delete(rel.slice(slash + 1));
  }
}

function typeOf(h: TarHeader): FileType {
  switch (h.type) {
    case 'directory':
      return 'dir';
    case 'link':
      return 'hardlink';
    default:
      return h.type;
  }
}

/** An entry's name relative to the context root; absolute names and ".." refuse the context. */
function strictName(name: string): string {
  if (name.startsWith('/') || name.split('/').includes('..')) {
    throw new InvalidArgument(`invalid entry name ${JSON.stringify(name)}: absolute paths and ".." are not allowed in a build context`);
  }
  return name.split('/').filter((p) => p !== '' && p !== '.').join('/');
}

// ---- an image's files, in a mounted layer

/** A directory tree copied from: an image's mounted root. */
export class DirectorySource implements SourceReader {
  readonly kind = 'image' as const;
  readonly root: string;
  #sys: Syscalls;
  #digests = new Map<string, Promise<string>>();

  constructor(root: string, sys: Syscalls) {
    this.root = root;
    this.#sys = sys;
  }

  async find(sources: readonly string[], instruction: string): Promise<CopySource[]> {
    const out: CopySource[] = [];
    for (const raw of sources) {
      const src = cleanSource(raw);
      if (hasWildcards(src)) {
        const re = goGlob(src);
        const matched: CopySource[] = [];
        for await (const rel of this.#paths('')) if (re.test(rel)) matched.push(await this.#source(rel, await secureJoin(this.root, rel)));
        if (matched.length === 0) throw new InvalidArgument(`${instruction} failed: no source files were specified`);
        out.push(...matched);
        continue;
      }
      const path = await secureJoin(this.root, src);
      try {
        out.push(await this.#source(src, path));
      } catch (err) {
        if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
        throw notFound('image', instruction, raw, src);
      }
    }
    return out;
  }

  async #source(name: string, path: string): Promise<CopySource & { path: string; stat: Stats }> {
    const stat = await fsp.stat(path);
    const sys = this.#sys;
    return {
      name,
      path,
      stat,
      isDir: stat.isDirectory(),
      pack: (as) => {
        if (stat.isDirectory()) return packDirectory(path, { sys, whiteouts: 'keep' });
        const base = posix.basename(path);
        return packDirectory(posix.dirname(path), { sys, whiteouts: 'keep', paths: [base], rebase: { [base]: as } });
      },
      open: () => createReadStream(path),
    };
  }

  /** Every path below `rel`, parents first, names in byte order: Go's filepath.Walk. */
  async *#paths(rel: string): AsyncGenerator<string> {
    let names: string[];
    try {
      names = (await fsp.readdir(join(this.root, rel))).sort(byteOrder);
    } catch {
      return;
    }
    for (const n of names) {
      const child = rel === '' ? n : `${rel}/${n}`;
      yield child;
      const st = await fsp.lstat(join(this.root, child));
      if (st.isDirectory()) yield* this.#paths(child);
    }
  }

  async records(source: CopySource): Promise<FileRecord[]> {
    const { path, stat } = source as CopySource & { path: string; stat: Stats };
    if (!stat.isDirectory()) return [await this.#record('', path, stat)];
    const out: FileRecord[] = [await this.#record('.', path, stat)];
    const walk = async (dir: string, rel: string): Promise<void> => {
      const names = (await fsp.readdir(dir)).sort(byteOrder);
      await Promise.all(
        names.map(async (n) => {
          const childRel = rel === '' ? n : `${rel}/${n}`;
          const p = join(dir, n);
          const st = await fsp.lstat(p);
          out.push(await this.#record(childRel, p, st));
          if (st.isDirectory()) await walk(p, childRel);
        }),
      );
    };
    await walk(path, '');
    return out;
  }

  async #record(rel: string, path: string, st: Stats): Promise<FileRecord> {
    const base = { path: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkTarget: await fsp.readlink(path) };
    if (st.isDirectory()) return { ...base, type: 'dir' };
    if (st.isFile()) return { ...base, type: 'file', size: st.size, contentDigest: await this.#digest(path, st) };
    if (st.isFIFO()) return { ...base, type: 'fifo' };
    const dev = deviceNumbers(st.rdev);
    return { ...base, type: st.isBlockDevice() ? 'block' : 'char', devMajor: dev.major, devMinor: dev.minor };
  }

  /** sha256 of a file's content, once per file. */
  #digest(path: string, st: Stats): Promise<string> {
    const key = `${st.dev}:${st.ino}`;
    let d = this.#digests.get(key);
    if (!d) {
      d = (async () => {
        const h = createHash('sha256');
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
        return h.digest('hex');
      })();
      this.#digests.set(key, d);
    }
    return d;
  }
}
