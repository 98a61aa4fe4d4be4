// Unpacking a layer tar into a directory as dockerd's chrooted unpacker does: paths resolve
// inside the destination as if it were "/", nothing is written outside it, an entry's last
// component is never followed, and (for overlay2) the OCI ".wh." markers become overlay
// whiteouts. On failure the caller removes the directory: a half-applied layer is garbage.
//
// Speed: every fs call is an async round trip through libuv's thread pool, and a layer is mostly
// small files. So a small file is opened in order (that is where conflicts show, as EEXIST) and
// then written and given its metadata in the background while the next entries are read, up to
// a bound. Anything that removes or links waits for those writes first.
import fs, { promises as fsp, type Stats } from 'node:fs';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { S_IFBLK, S_IFCHR, S_IFIFO, type Syscalls } from '../sys/index.ts';
import type { TarHeader } from './header.ts';
import { readEntries, type Entry, type TarSegments } from './reader.ts';
import { RootResolver, childPath, cleanArchivePath } from './resolve.ts';
import { isOverlayXattr, opaqueMarker, overlayOpaqueXattr, whiteoutMetaPrefix, whiteoutPrefix } from './whiteout.ts';

export interface ApplyOptions {
  sys: Syscalls;
  /**
   * 'overlay': ".wh.<name>" becomes a whiteout (char device 0:0) and ".wh..wh..opq" makes its
   * directory opaque, for an overlay2 diff dir; 'keep': names are extracted as they are, for a
   * plain tree (docker cp, a rootfs).
   */
  whiteouts: 'overlay' | 'keep';
  /** Leave ownership as it comes out (dockerd's NoLchown), for extraction without root. */
  noChown?: boolean;
  /** Sees the archive as it is read: how a layer's tar-split is recorded without a second parse. */
  segments?: TarSegments;
}

/** An entry that would land outside the destination. */
export class BreakoutError extends InvalidArgument {}

/** An archive entry's path relative to the destination ('' for the root itself). */
export function cleanEntryName(name: string): string {
  const rel = cleanArchivePath(name);
  if (rel === undefined) throw new BreakoutError(`invalid entry name ${JSON.stringify(name)}`);
  return rel;
}

const open = promisify(fs.open);
const close = promisify(fs.close);
const write = promisify(fs.write) as unknown as (fd: number, buffer: Buffer) => Promise<{ bytesWritten: number }>;
const writev = promisify(fs.writev) as unknown as (fd: number, buffers: Buffer[]) => Promise<{ bytesWritten: number }>;
const fchown = promisify(fs.fchown);
const fchmod = promisify(fs.fchmod);
const futimes = promisify(fs.futimes);

const ignorableXattrErrors = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EPERM']);
const yes = Buffer.from('y');
/** Files up to this size are read whole (as slices of the archive's chunks) and written in the background. */
const backgroundFileSize = 256 * 1024;
const maxBackground = 32;

/** The process umask, from /proc (process.umask() without an argument is deprecated); undefined if unknown. */
async function readUmask(): Promise<number | undefined> {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(await fsp.readFile('/proc/self/status', 'latin1'));
    return m ? parseInt(m[1], 8) : undefined;
  } catch {
    return undefined;
  }
}

interface FileTarget {
  /** The real directory it goes in. */
  parent: string;
  path: string;
  atime: Date;
}

async function writeAll(fd: number, chunks: Buffer[]): Promise<void> {
  let rest = chunks;
  while (rest.length > 0) {
    let n = (rest.length === 1 ? await write(fd, rest[0]) : await writev(fd, rest)).bytesWritten;
    // a short write (rare on local files): carry on from where it stopped
    const next: Buffer[] = [];
    for (const c of rest) {
      if (n >= c.length) n -= c.length;
      else {
        next.push(n > 0 ? c.subarray(n) : c);
        n = 0;
      }
    }
    rest = next;
  }
}

/**
 * Extracts an uncompressed layer tar into `dest` (created if missing) and returns the bytes of
 * regular files written. Rejects on a malformed archive, an entry escaping `dest`, or a failed
 * file operation, after every write it started has ended; `dest` is then left half-written for
 * the caller to remove.
 */
export async function applyLayer(input: Readable | AsyncIterable<unknown>, dest: string, options: ApplyOptions): Promise<{ size: number }> {
  const { sys } = options;
  const overlay = options.whiteouts === 'overlay';
  const chown = !options.noChown;
  await fsp.mkdir(dest, { recursive: true });
  const root = await fsp.realpath(dest);
  const resolver = new RootResolver(root);
  const rootStat = await fsp.lstat(root);
  resolver.noteDir(root, rootStat);
  // Most entries are root's, with modes the umask leaves alone: made in a directory this
  // extraction made, a new file already has the owner and mode it should, and skipping chown
  // and chmod saves two of six calls per file.
  const umask = await readUmask();
  const euid = process.geteuid?.() ?? -1;
  const egid = process.getegid?.() ?? -1;
  const createdOwned = (parent: string, h: TarHeader): boolean =>
    resolver.isFresh(parent) && h.uid === euid && h.gid === (resolver.inheritedGid(parent) ?? egid);
  const createdWithMode = (parent: string, h: TarHeader): boolean => {
    if (umask === undefined || !resolver.isFresh(parent)) return false;
    const setgid = h.type === 'directory' && resolver.inheritedGid(parent) !== undefined ? 0o2000 : 0;
    return (h.mode & 0o7777) === ((h.mode & 0o777 & ~umask) | setgid);
  };
  // Directory times go last: creating children changes them. Keyed by real path; dropped when
  // the directory (or one above it) is replaced, so the final pass never follows a new symlink.
  const dirTimes = new Map<string, { atime: Date; mtime: Date }>();
  let size = 0;

  // files being written in the background; their errors are kept for the main loop to throw
  const background = new Set<Promise<void>>();
  let backgroundError: { err: unknown } | undefined;
  const settle = async (): Promise<void> => {
    while (background.size > 0) await Promise.all(background);
  };
  const inBackground = async (task: () => Promise<void>): Promise<void> => {
    if (background.size >= maxBackground) await Promise.race(background);
    const p: Promise<void> = task()
      .catch((err: unknown) => {
        backgroundError ??= { err };
      })
      .finally(() => background.delete(p));
    background.add(p);
  };

  const removeExisting = async (path: string, st: Stats): Promise<void> => {
    if (st.isDirectory()) await fsp.rm(path, { recursive: true, force: true });
    else await fsp.unlink(path);
    if (st.isDirectory() || st.isSymbolicLink()) {
      resolver.forget(path);
      for (const p of dirTimes.keys()) if (p === path || p.startsWith(`${path}/`)) dirTimes.delete(p);
    }
  };

  /**
   * Creates the entry with `make`, which must fail with EEXIST rather than follow or overwrite;
   * an existing entry is then removed and `make` tried again, except a directory where a
   * directory is wanted, which is kept (its metadata is updated). False when kept.
   */
  const create = async (path: string, make: () => unknown, options: { keepDir?: boolean } = {}): Promise<boolean> => {
    try {
      await make();
      return true;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    await settle(); // what is in the way may be a file still being written, or hold some
    const st = await fsp.lstat(path);
    if (options.keepDir && st.isDirectory()) return false;
    await removeExisting(path, st);
    await make();
    return true;
  };

  const setXattrs = (path: string, header: TarHeader): void => {
    for (const [name, value] of header.xattrs) {
      // overlayfs's own attributes would change how layers merge: never from an archive
      if (isOverlayXattr(name)) continue;
      try {
        sys.lsetxattr(path, name, value);
      } catch (err) {
        // as dockerd: a filesystem without xattrs, or a namespace we may not write, is not fatal
        if (!ignorableXattrErrors.has((err as { code?: string }).code ?? '')) throw err;
      }
    }
  };

  /** A regular file's metadata, through its open fd; the order matters (see the comments). */
  const finishFile = async (fd: number, f: FileTarget & { h: TarHeader; owned: boolean; moded: boolean }): Promise<void> => {
    const { path, h, owned, moded, atime } = f;
    if (chown && !owned) await fchown(fd, h.uid, h.gid);
    setXattrs(path, h); // after chown, which clears security.capability
    if (!moded) await fchmod(fd, h.mode & 0o7777); // after chown, which clears setuid and setgid
    await futimes(fd, atime, h.mtime);
  };

  const extractFile = async (entry: Entry, target: FileTarget): Promise<void> => {
    const h = entry.header;
    const { parent, path } = target;
    let fd = -1;
    await create(path, async () => {
      fd = await open(path, 'wx', h.mode & 0o777);
    });
    const file = { ...target, h, owned: createdOwned(parent, h), moded: createdWithMode(parent, h) };
    if (h.size <= backgroundFileSize) {
      const chunks: Buffer[] = [];
      try {
        for (let c = await entry.take(); c; c = await entry.take()) chunks.push(c);
      } catch (err) {
        await close(fd);
        throw err;
      }
      await inBackground(async () => {
        try {
          await writeAll(fd, chunks);
          await finishFile(fd, file);
        } finally {
          await close(fd);
        }
      });
      return;
    }
    try {
      for (let c = await entry.take(); c; c = await entry.take()) await writeAll(fd, [c]);
      await finishFile(fd, file);
    } finally {
      await close(fd);
    }
  };

  const extract = async (entry: Entry): Promise<void> => {
    const h = entry.header;
    const rel = cleanEntryName(h.name);
    if (rel === '') return; // the root itself: dockerd leaves the destination's own metadata alone
    // AUFS metadata (".wh..wh.plnk/…" and the like) is no part of the image
    if (overlay && rel.includes(whiteoutMetaPrefix) && isAufsMetadata(rel)) return;
    const slash = rel.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : rel.slice(0, slash);
    const base = rel.slice(slash + 1);

    if (overlay && base.startsWith(whiteoutPrefix)) {
      if (base === whiteoutPrefix || base === `${whiteoutPrefix}.` || base === `${whiteoutPrefix}..`) {
        throw new InvalidArgument(`invalid whiteout entry ${JSON.stringify(h.name)}`);
      }
      const parent = await resolver.dir(parentRel, true);
      if (base === opaqueMarker) {
        sys.lsetxattr(parent, overlayOpaqueXattr, yes);
        return;
      }
      const target = childPath(parent, base.slice(whiteoutPrefix.length));
      await create(target, () => sys.mknod(target, S_IFCHR, 0, 0));
      if (chown && !createdOwned(parent, h)) await fsp.lchown(target, h.uid, h.gid);
      return;
    }

    const parent = await resolver.dir(parentRel, true);
    const path = childPath(parent, base);
    const atime = h.atime && h.atime > h.mtime ? h.atime : h.mtime;
    if (h.type === 'file') {
      await extractFile(entry, { parent, path, atime });
      size += h.size;
      return;
    }

    // the data of every other type is empty
    let owned = false; // whether the inode already has the entry's owner
    let moded = false; // … and its mode
    let timed = false; // … and its mtime
    let followable = true; // whether chmod/utimes may act on the path (they follow symlinks)
    let created = false;
    switch (h.type) {
      case 'directory': {
        created = await create(path, () => fsp.mkdir(path, h.mode & 0o777), { keepDir: true });
        owned = created && createdOwned(parent, h);
        moded = created && createdWithMode(parent, h);
        resolver.remember(rel, path);
        break;
      }
      case 'symlink':
        owned = (await create(path, () => fsp.symlink(h.linkname, path))) && createdOwned(parent, h);
        followable = false;
        break;
      case 'link': {
        await settle(); // the target may still be being written, its metadata not yet set
        const target = await hardlinkTarget(resolver, h);
        await create(path, () => fsp.link(target.path, path));
        // a hard link to a symlink is itself a symlink: chmod or utimes would follow it
        followable = !target.stat.isSymbolicLink();
        // a link entry mostly repeats its target's metadata; chown would clear the
        // security.capability the target got (GNU tar repeats no xattrs on link entries)
        owned = target.stat.uid === h.uid && target.stat.gid === h.gid;
        moded = (target.stat.mode & 0o7777) === (h.mode & 0o7777);
        timed = target.stat.mtimeMs === h.mtime.getTime();
        break;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const kind = h.type === 'char' ? S_IFCHR : h.type === 'block' ? S_IFBLK : S_IFIFO;
        await create(path, () => sys.mknod(path, kind | (h.mode & 0o777), h.devmajor, h.devminor));
        owned = createdOwned(parent, h);
        moded = createdWithMode(parent, h);
        break;
      }
    }
    if (chown && !owned) await fsp.lchown(path, h.uid, h.gid);
    setXattrs(path, h);
    if (followable && !moded) await fsp.chmod(path, h.mode & 0o7777);
    if (h.type === 'directory') {
      resolver.noteDir(path, { mode: h.mode, gid: chown ? h.gid : (resolver.inheritedGid(parent) ?? egid) });
      // a default ACL decides the modes of what is made inside instead of the umask
      resolver.markFresh(path, (created || resolver.isFresh(path)) && !h.xattrs.has('system.posix_acl_default'));
      dirTimes.set(path, { atime, mtime: h.mtime });
    } else if (h.type === 'symlink') await fsp.lutimes(path, atime, h.mtime);
    else if (followable && !timed) await fsp.utimes(path, atime, h.mtime);
  };

  try {
    for await (const entry of readEntries(input, options.segments ? { segments: options.segments } : {})) {
      if (backgroundError) throw backgroundError.err;
      await extract(entry);
    }
    await settle();
    if (backgroundError) throw backgroundError.err;
  } catch (err) {
    await settle(); // nothing may still be writing when the caller removes the directory
    throw err;
  }
  // lutimes: never follow, whatever the path became
  for (const [path, t] of dirTimes) await fsp.lutimes(path, t.atime, t.mtime);
  return { size };
}

function isAufsMetadata(rel: string): boolean {
  const parts = rel.split('/');
  return parts.some((p, i) => p.startsWith(whiteoutMetaPrefix) && !(p === opaqueMarker && i === parts.length - 1));
}

/** A hardlink's target: resolved in the root like any path, never its last component. */
async function hardlinkTarget(resolver: RootResolver, h: TarHeader): Promise<{ path: string; stat: Stats }> {
  const rel = cleanArchivePath(h.linkname);
  if (rel === undefined || rel === '') throw new BreakoutError(`invalid hardlink target ${JSON.stringify(h.linkname)}`);
  const slash = rel.lastIndexOf('/');
  const missing = (): InvalidArgument =>
    new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: no such file`);
  let parent: string;
  try {
    parent = await resolver.dir(slash < 0 ? '' : rel.slice(0, slash), false);
  } catch (err) {
    if (err instanceof NotFound) throw missing();
    throw err;
  }
  const path = childPath(parent, rel.slice(slash + 1));
  let stat: Stats;
  try {
    stat = await fsp.lstat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw missing();
    throw err;
  }
  if (stat.isDirectory()) {
    throw new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: target is a directory`);
  }
  return { path, stat };
}
