// Packing a directory tree into a tar stream the way dockerd's archive package writes layers:
// sorted, depth-first, directories (named with a trailing "/") before their contents, hard links
// written once and then as links, whole-second times, no user or group names, and for an overlay
// upper dir its whiteouts and opaque directories as OCI ".wh." markers.
//
// Speed: each fs call is a round trip through libuv's thread pool, so the entries after the one
// being written are looked at (lstat, xattrs, small files read whole) concurrently, a bounded
// number ahead, and written in order.
import fs, { promises as fsp, type BigIntStats } from 'node:fs';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { TarHeaderInit } from './header.ts';
import { RootResolver, childPath, cleanArchivePath, compareNames } from './resolve.ts';
import { isOverlayXattr, opaqueMarker, overlayOpaqueXattr, whiteoutPrefix } from './whiteout.ts';
import { createTarPacker } from './writer.ts';

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
function readXattrs(sys: Syscalls, path: string): Map<string, Buffer> | undefined {
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
  path: string;
  name: string;
  st: BigIntStats;
  xattrs?: Map<string, Buffer>;
  opaque?: boolean;
  linkname?: string;
  /** A small regular file's data, exactly st.size bytes. */
  data?: Buffer;
}

/**
 * The tree at `dir` as a tar stream. Read errors end the stream with that error, except files
 * that vanish while the walk runs (a running container), which are left out as dockerd does.
 * Only the last component of each path is protected against being swapped for a symlink while
 * the walk runs; a tree a process is changing should be packed while it is paused.
 */
export function packDirectory(dir: string, options: PackOptions): Readable {
  const { sys } = options;
  const overlay = options.whiteouts === 'overlay';
  const pack = createTarPacker();
  const links = new Map<string, string>(); // "dev:ino" → the name first written
  const prefix = options.includeRoot ? './' : '';

  const prepare = async (path: string, name: string): Promise<Prepared | undefined> => {
    let st: BigIntStats;
    try {
      st = await fsp.lstat(path, { bigint: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    if (overlay && isWhiteout(st)) return { path, name, st };
    const item: Prepared = { path, name, st, xattrs: readXattrs(sys, path) };
    if (st.isDirectory()) {
      if (overlay) item.opaque = sys.lgetxattr(path, overlayOpaqueXattr)?.toString() === 'y';
    } else if (st.isSymbolicLink()) {
      try {
        item.linkname = await fsp.readlink(path);
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'EINVAL')) return undefined;
        throw err;
      }
    } else if (st.isFile() && st.size > 0n && st.size <= BigInt(smallFile)) {
      const fd = await openNoFollow(path);
      if (fd === undefined) return undefined;
      try {
        item.data = Buffer.allocUnsafe(Number(st.size));
        const n = await readInto(fd, item.data, { at: 0 });
        if (n < item.data.length) item.data.fill(0, n);
      } finally {
        await close(fd);
      }
    }
    return item;
  };

  const emit = async (item: Prepared): Promise<void> => {
    const { path, name, st } = item;
    const mtime = new Date(Number(st.mtimeMs / 1000n) * 1000);
    const base = { mode: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid), mtime };
    if (overlay && isWhiteout(st)) {
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
      const first = links.get(key);
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
    if (st.nlink > 1n) links.set(key, name);
  };

  /** Paths below `path` in archive order, with their names: sorted, each directory before its contents. */
  async function* walk(path: string, name: string): AsyncGenerator<[string, string]> {
    let dirents: fs.Dirent[];
    try {
      dirents = await fsp.readdir(path, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
      throw err;
    }
    dirents.sort((a, b) => compareNames(a.name, b.name));
    for (const d of dirents) {
      const childFull = childPath(path, d.name);
      const childName = name ? `${name.replace(/\/$/, '')}/${d.name}` : `${prefix}${d.name}`;
      yield [childFull, childName];
      if (d.isDirectory()) yield* walk(childFull, childName);
    }
  }

  /** Writes the walk's entries in order while preparing the next few. */
  const packAll = async (paths: AsyncIterable<[string, string]>): Promise<void> => {
    const it = paths[Symbol.asyncIterator]();
    const queue: Array<Promise<Prepared | undefined>> = [];
    let exhausted = false;
    try {
      for (;;) {
        while (!exhausted && queue.length < lookahead) {
          const r = await it.next();
          if (r.done) exhausted = true;
          else {
            const p = prepare(r.value[0], r.value[1]);
            p.catch(() => {}); // awaited in turn below; a failure before then ends the archive
            queue.push(p);
          }
        }
        const next = queue.shift();
        if (!next) return;
        const item = await next;
        if (item) await emit(item);
      }
    } finally {
      await it.return?.();
    }
  };

  const run = async (): Promise<void> => {
    const root = await fsp.realpath(dir);
    if (!options.paths) {
      const start = async function* (): AsyncGenerator<[string, string]> {
        if (options.includeRoot) yield [root, './'];
        yield* walk(root, '');
      };
      await packAll(start());
      await pack.finish();
      return;
    }
    const resolver = new RootResolver(root);
    const seen = new Set<string>();
    for (const include of options.paths) {
      const rel = cleanArchivePath(include);
      if (rel === undefined || rel === '') throw new InvalidArgument(`invalid path ${JSON.stringify(include)}`);
      const slash = rel.lastIndexOf('/');
      let parent: string;
      try {
        parent = await resolver.dir(slash < 0 ? '' : rel.slice(0, slash), false);
      } catch (err) {
        if (err instanceof NotFound) throw new NotFound(`no such file or directory: ${include}`);
        throw err;
      }
      const full = childPath(parent, rel.slice(slash + 1));
      const st = await fsp.lstat(full).catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) throw new NotFound(`no such file or directory: ${include}`);
        throw err;
      });
      const rebased = options.rebase?.[include] ?? options.rebase?.[rel];
      const name = rebased === undefined ? rel : (cleanArchivePath(rebased) ?? rel);
      if (seen.has(name)) continue;
      seen.add(name);
      const start = async function* (): AsyncGenerator<[string, string]> {
        // rebased onto the root itself: only what is below it, named from the top
        if (name !== '') yield [full, name];
        if (st.isDirectory()) yield* walk(full, name);
      };
      await packAll(start());
    }
    await pack.finish();
  };

  run().catch((err: Error) => pack.abort(err));
  return pack.stream;
}
