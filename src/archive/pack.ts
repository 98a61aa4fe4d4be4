// Packing a Tree into a tar stream the way dockerd's archive package writes layers: sorted,
// depth-first, directories (named with a trailing "/") before their contents, hard links written
// once and then as links, whole-second times, no user or group names, and for an overlay upper
// dir its whiteouts and opaque directories as OCI ".wh." markers. Layers, exports and volumes
// are packed from a PathTree (packDirectory); `docker cp` from a live container's FdTree.
//
// Speed: each fs call is a round trip through libuv's thread pool, so the entries after the one
// being written are looked at (lstat, xattrs, small files read whole) concurrently, a bounded
// number ahead, and written in order.
import fs, { promises as fsp, type BigIntStats } from 'node:fs';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { IdMapper } from './extract.ts';
import type { TarHeaderInit } from './header.ts';
import { cleanArchivePath, compareNames } from './resolve.ts';
import { PathTree, type Tree, type TreeDir, type TreeSyscalls } from './tree.ts';
import { isOverlayXattr, opaqueMarker, overlayOpaqueXattr, whiteoutPrefix } from './whiteout.ts';
import { createTarPacker, type TarPacker } from './writer.ts';

export interface PackOptions {
  sys: Syscalls;
  /** 'overlay': the tree is an overlay upper dir whose whiteouts become ".wh." entries. */
  whiteouts: 'overlay' | 'keep';
  /**
   * Only these paths (relative to the directory; each with everything below it), in this order,
   * like dockerd's IncludeFiles. Parents are resolved inside the directory; the last component
   * is never followed. A missing path fails the stream with NotFound.
   */
  paths?: string[];
  /**
   * Renames the start of entry names, like dockerd's RebaseNames: { 'etc': 'config' } writes
   * "etc/passwd" as "config/passwd". Keys are entries of `paths`.
   */
  rebase?: Record<string, string>;
  /** Also write the directory itself, as "./", and every other name under "./" (dockerd's IncludeSourceDir). */
  includeRoot?: boolean;
  /** The owner written for a file's owner on disk (userns-remap: host ids back to container ids). */
  mapIds?: IdMapper;
}

/** glibc's major()/minor() for a 64-bit dev_t. */
export function deviceNumbers(rdev: number | bigint): { major: number; minor: number } {
  const r = BigInt(rdev);
  return {
    major: Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn)),
    minor: Number((r & 0xffn) | ((r >> 12n) & ~0xffn)),
  };
}

const { O_RDONLY, O_NOFOLLOW } = fs.constants;
const open = promisify(fs.open);
const close = promisify(fs.close);
const read = promisify(fs.read) as unknown as (fd: number, buf: Buffer, offset: number, length: number, position: number) => Promise<{ bytesRead: number }>;
const vfsCapRevision3 = 3;
const vfsCapRevision2Size = 20;
/** Files up to this size are read whole while earlier entries are written; larger ones stream. */
const smallFile = 256 * 1024;
const lookahead = 16;

/**
 * The xattrs an archive carries. dockerd writes only security.capability; we also keep user.*,
 * trusted.* (other than overlayfs's) and ACLs, which are part of the files, and leave out
 * security.selinux, a label of this host rather than of the image.
 */
function readXattrs(sys: TreeSyscalls, path: string): Map<string, Buffer> | undefined {
  let names: string[];
  try {
    names = sys.llistxattr(path);
  } catch (err) {
    if (isErrno(err, 'ENOTSUP') || isErrno(err, 'EOPNOTSUPP') || isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  if (names.length === 0) return undefined;
  let out: Map<string, Buffer> | undefined;
  for (const name of names.sort(compareNames)) {
    if (isOverlayXattr(name) || name === 'security.selinux') continue;
    let value = sys.lgetxattr(path, name);
    if (value === undefined) continue;
    if (name === 'security.capability' && value.length > vfsCapRevision2Size && value[3] === vfsCapRevision3) {
      // as dockerd: a v3 capability names a root uid of this host's user namespace; v2 does not
      value = Buffer.from(value.subarray(0, vfsCapRevision2Size));
      value[3] = 2;
    }
    (out ??= new Map()).set(name, value);
  }
  return out;
}

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

/**
 * Opens a regular file for reading without following a symlink: a container swapping the file
 * for a symlink after our lstat must not get a host file into the archive. undefined when the
 * file vanished or became a symlink meanwhile.
 */
async function openNoFollow(path: string): Promise<number | undefined> {
  try {
    return await open(path, O_RDONLY | O_NOFOLLOW);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ELOOP')) return undefined;
    throw err;
  }
}

/** Reads into buf from file offset `at` until it is full or the file ends; returns the bytes read. */
async function readInto(fd: number, buf: Buffer, { at }: { at: number }): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await read(fd, buf, filled, buf.length - filled, at + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/**
 * A large file's data, exactly `size` bytes: zeros make up for a file that shrank since lstat
 * (its size is already in the header) and whatever it grew by is left out.
 */
async function* fileChunks(fd: number, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < size; ) {
    const buf = Buffer.allocUnsafe(Math.min(smallFile, size - at));
    const n = await readInto(fd, buf, { at });
    if (n < buf.length) buf.fill(0, n);
    at += buf.length;
    yield buf;
  }
}

/** What writing one entry needs, gathered ahead of time. */
interface Prepared {
  /** Where the object is read from (a path that does not follow it). */
  path: string;
  name: string;
  st: BigIntStats;
  xattrs?: Map<string, Buffer>;
  opaque?: boolean;
  linkname?: string;
  /** A small regular file's data, exactly st.size bytes. */
  data?: Buffer;
}

/** A directory of the tree held while its children are prepared and written. */
class HeldDir {
  #refs = 1;
  constructor(
    readonly tree: Tree,
    readonly dir: TreeDir,
  ) {}

  retain(): this {
    this.#refs++;
    return this;
  }

  release(): void {
    if (--this.#refs === 0) this.tree.releaseDir(this.dir);
  }
}

/** One entry to write: child `name` of a held directory, or a directory itself. */
type WalkItem = { parent: HeldDir; name: string; entryName: string } | { self: HeldDir; entryName: string };

export interface PackTreeOptions {
  /** 'overlay': the tree is an overlay upper dir whose whiteouts become ".wh." entries. */
  whiteouts: 'overlay' | 'keep';
  /** Write the files' extended attributes (default true; needs the tree's syscalls). */
  xattrs?: boolean;
  /**
   * The mounts of the tree that are walked into (paths in the tree). A directory on another
   * device that is not one of them (proc, sysfs, devpts in a container) is written as an empty
   * directory. Unset: every directory is walked.
   */
  mountPoints?: ReadonlySet<string>;
  /** The owner written for a file's owner on disk (userns-remap: host ids back to container ids). */
  mapIds?: IdMapper;
}

/** Packs entries of `tree` into `pack`: what packDirectory and docker cp's GET share. */
class TreeWriter {
  readonly #tree: Tree;
  readonly #pack: TarPacker;
  readonly #overlay: boolean;
  readonly #sys: TreeSyscalls | undefined;
  readonly #mountPoints: ReadonlySet<string> | undefined;
  readonly #links = new Map<string, string>(); // "dev:ino" → the name first written
  readonly #mapIds: IdMapper | undefined;

  constructor(tree: Tree, pack: TarPacker, options: PackTreeOptions) {
    this.#tree = tree;
    this.#pack = pack;
    this.#overlay = options.whiteouts === 'overlay';
    this.#sys = (options.xattrs ?? true) ? tree.sys : undefined;
    this.#mountPoints = options.mountPoints;
    this.#mapIds = options.mapIds;
  }

  async #prepare(item: WalkItem): Promise<Prepared | undefined> {
    const entryName = item.entryName;
    let path: string;
    let st: BigIntStats;
    try {
      if ('self' in item) {
        path = item.self.dir.path;
        st = await this.#tree.statDir(item.self.dir);
      } else {
        path = this.#tree.child(item.parent.dir, item.name).path;
        st = await fsp.lstat(path, { bigint: true });
      }
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    const sys = this.#sys;
    if (this.#overlay && isWhiteout(st)) return { path, name: entryName, st };
    const prepared: Prepared = { path, name: entryName, st, ...(sys ? { xattrs: readXattrs(sys, path) } : {}) };
    if (st.isDirectory()) {
      if (this.#overlay && sys) prepared.opaque = sys.lgetxattr(path, overlayOpaqueXattr)?.toString() === 'y';
    } else if (st.isSymbolicLink()) {
      try {
        prepared.linkname = await fsp.readlink(path);
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'EINVAL')) return undefined;
        throw err;
      }
    } else if (st.isFile() && st.size > 0n && st.size <= BigInt(smallFile)) {
      const fd = await openNoFollow(path);
      if (fd === undefined) return undefined;
      try {
        prepared.data = Buffer.allocUnsafe(Number(st.size));
        const n = await readInto(fd, prepared.data, { at: 0 });
        if (n < prepared.data.length) prepared.data.fill(0, n);
      } finally {
        await close(fd);
      }
    }
    return prepared;
  }

  async #emit(item: Prepared): Promise<void> {
    const pack = this.#pack;
    const { path, name, st } = item;
    const mtime = new Date(Number(st.mtimeMs / 1000n) * 1000);
    const owner = this.#mapIds ? this.#mapIds(Number(st.uid), Number(st.gid)) : { uid: Number(st.uid), gid: Number(st.gid) };
    const base = { mode: Number(st.mode) & 0o7777, ...owner, mtime };
    if (this.#overlay && isWhiteout(st)) {
      const slash = name.lastIndexOf('/');
      await pack.entry({ ...base, name: `${name.slice(0, slash + 1)}${whiteoutPrefix}${name.slice(slash + 1)}`, type: 'file', mode: 0o600 });
      return;
    }
    const header: TarHeaderInit = { ...base, name, type: 'file', ...(item.xattrs ? { xattrs: item.xattrs } : {}) };
    if (st.isDirectory()) {
      await pack.entry({ ...header, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' });
      if (item.opaque) await pack.entry({ ...base, name: `${name.replace(/\/$/, '')}/${opaqueMarker}`, type: 'file', mode: base.mode & 0o777 });
      return;
    }
    const key = `${st.dev}:${st.ino}`;
    if (st.nlink > 1n) {
      const first = this.#links.get(key);
      if (first !== undefined) {
        await pack.entry({ ...header, type: 'link', linkname: first });
        return;
      }
    }
    if (st.isFile()) {
      const size = Number(st.size);
      if (size <= smallFile) {
        await pack.entry({ ...header, size }, item.data ? [item.data] : undefined);
      } else {
        const fd = await openNoFollow(path);
        if (fd === undefined) return; // gone: not written, so not a link target either
        try {
          await pack.entry({ ...header, size }, fileChunks(fd, size));
        } finally {
          await close(fd);
        }
      }
    } else if (st.isSymbolicLink()) {
      await pack.entry({ ...header, type: 'symlink', linkname: item.linkname ?? '' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = deviceNumbers(st.rdev);
      await pack.entry({ ...header, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: major, devminor: minor });
    } else if (st.isFIFO()) {
      await pack.entry({ ...header, type: 'fifo' });
    } else {
      return; // a socket has no tar type: left out, as dockerd does
    }
    if (st.nlink > 1n) this.#links.set(key, name);
  }

  /**
   * The entries below the held directory `dir` in archive order, named under `name`: sorted,
   * each directory before its contents. `dir` is released when its children are written.
   */
  async *walk(dir: HeldDir, name: string, prefix = ''): AsyncGenerator<WalkItem> {
    try {
      let dirents: fs.Dirent[];
      try {
        dirents = await fsp.readdir(dir.dir.path, { withFileTypes: true });
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
        throw err;
      }
      dirents.sort((a, b) => compareNames(a.name, b.name));
      const dev = this.#mountPoints ? (await this.#tree.statDir(dir.dir)).dev : undefined;
      for (const d of dirents) {
        const childName = name ? `${name.replace(/\/$/, '')}/${d.name}` : `${prefix}${d.name}`;
        yield { parent: dir.retain(), name: d.name, entryName: childName };
        const mounted = this.#tree.child(dir.dir, d.name).mounted;
        if (!d.isDirectory() && !mounted) continue;
        const sub = await this.#tree.openDir(dir.dir, d.name);
        if (!sub) continue;
        const held = new HeldDir(this.#tree, sub);
        // a mount the runtime made (proc, sysfs, devpts…) is written as its mount point only
        if (dev !== undefined && !mounted && !this.#mountPoints!.has(sub.treePath) && (await this.#tree.statDir(sub)).dev !== dev) {
          held.release();
          continue;
        }
        yield* this.walk(held, childName);
      }
    } finally {
      dir.release();
    }
  }

  /** Writes the items in order while preparing the next few. */
  async write(items: AsyncIterable<WalkItem>): Promise<void> {
    const it = items[Symbol.asyncIterator]();
    const queue: Array<{ item: WalkItem; prepared: Promise<Prepared | undefined> }> = [];
    const done = (item: WalkItem) => ('self' in item ? item.self : item.parent).release();
    let exhausted = false;
    try {
      for (;;) {
        while (!exhausted && queue.length < lookahead) {
          const r = await it.next();
          if (r.done) exhausted = true;
          else {
            const prepared = this.#prepare(r.value);
            prepared.catch(() => {}); // awaited in turn below; a failure before then ends the archive
            queue.push({ item: r.value, prepared });
          }
        }
        const next = queue.shift();
        if (!next) return;
        try {
          const prepared = await next.prepared;
          if (prepared) await this.#emit(prepared);
        } finally {
          done(next.item);
        }
      }
    } finally {
      for (const q of queue) void q.prepared.finally(() => done(q.item)).catch(() => {});
      await it.return?.();
    }
  }
}

/**
 * Packs child `name` of directory `dir` of `tree` (with everything below it) as `entryName`, or,
 * without a name, `dir` itself: docker cp's GET. `dir` stays the caller's; `done` settles once
 * the walk is over (the stream ended, failed or was closed by its reader).
 */
export function packTreeEntry(
  tree: Tree,
  start: { dir: TreeDir; name?: string; entryName: string },
  options: PackTreeOptions,
): { stream: Readable; done: Promise<void> } {
  const pack = createTarPacker();
  const writer = new TreeWriter(tree, pack, options);
  const run = async (): Promise<void> => {
    const items = async function* (): AsyncGenerator<WalkItem> {
      const held = new HeldDir(tree, start.dir).retain(); // the caller's reference is not ours to drop
      try {
        if (start.name === undefined) {
          yield { self: held.retain(), entryName: start.entryName };
          yield* writer.walk(held.retain(), start.entryName);
          return;
        }
        yield { parent: held.retain(), name: start.name, entryName: start.entryName };
        const sub = await tree.openDir(start.dir, start.name);
        if (sub && (await tree.statDir(sub)).isDirectory()) yield* writer.walk(new HeldDir(tree, sub), start.entryName);
        else if (sub) tree.releaseDir(sub);
      } finally {
        held.release();
      }
    };
    await writer.write(items());
    await pack.finish();
  };
  const done = run().catch((err: Error) => pack.abort(err));
  return { stream: pack.stream, done };
}

/**
 * The tree at `dir` as a tar stream. Read errors end the stream with that error, except files
 * that vanish while the walk runs (a running container), which are left out as dockerd does.
 * Only the last component of each path is protected against being swapped for a symlink while
 * the walk runs; a tree a process is changing should be packed while it is paused.
 */
export function packDirectory(dir: string, options: PackOptions): Readable {
  const pack = createTarPacker();
  const prefix = options.includeRoot ? './' : '';

  const run = async (): Promise<void> => {
    const tree = await PathTree.open(dir, options.sys);
    const writer = new TreeWriter(tree, pack, options);
    const root = await tree.dir('', false);
    if (!options.paths) {
      const start = async function* (): AsyncGenerator<WalkItem> {
        const held = new HeldDir(tree, root);
        if (options.includeRoot) yield { self: held.retain(), entryName: './' };
        yield* writer.walk(held, '', prefix);
      };
      await writer.write(start());
      await pack.finish();
      return;
    }
    const seen = new Set<string>();
    for (const include of options.paths) {
      const rel = cleanArchivePath(include);
      if (rel === undefined || rel === '') throw new InvalidArgument(`invalid path ${JSON.stringify(include)}`);
      const slash = rel.lastIndexOf('/');
      let parent: TreeDir;
      try {
        parent = await tree.dir(slash < 0 ? '' : rel.slice(0, slash), false);
      } catch (err) {
        if (err instanceof NotFound) throw new NotFound(`no such file or directory: ${include}`);
        throw err;
      }
      const base = rel.slice(slash + 1);
      const st = await fsp.lstat(tree.child(parent, base).path).catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) throw new NotFound(`no such file or directory: ${include}`);
        throw err;
      });
      const rebased = options.rebase?.[include] ?? options.rebase?.[rel];
      const name = rebased === undefined ? rel : (cleanArchivePath(rebased) ?? rel);
      if (seen.has(name)) continue;
      seen.add(name);
      const start = async function* (): AsyncGenerator<WalkItem> {
        const held = new HeldDir(tree, parent);
        try {
          // rebased onto the root itself: only what is below it, named from the top
          if (name !== '') yield { parent: held.retain(), name: base, entryName: name };
          if (!st.isDirectory()) return;
          const sub = await tree.openDir(parent, base);
          if (sub) yield* writer.walk(new HeldDir(tree, sub), name, prefix);
        } finally {
          held.release();
        }
      };
      await writer.write(start());
    }
    await pack.finish();
  };

  run().catch((err: Error) => pack.abort(err));
  return pack.stream;
}
