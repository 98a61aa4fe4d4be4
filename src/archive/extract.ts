// Unpacking a tar into a Tree as dockerd's chrooted unpacker does: paths resolve inside the tree
// as if its root were "/", nothing is written outside it, an entry's last component is never
// followed, and (for overlay2) the OCI ".wh." markers become overlay whiteouts. Layers, volumes
// and exports extract into a PathTree (applyLayer); `docker cp` into a live container's FdTree.
// On failure a layer's caller removes the directory: a half-applied layer is garbage.
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
import { cleanArchivePath } from './resolve.ts';
import { childOf, openPathTree, type Tree, type TreeDir } from './tree.ts';
import { isOverlayXattr, opaqueMarker, overlayOpaqueXattr, whiteoutMetaPrefix, whiteoutPrefix } from './whiteout.ts';

export interface ExtractOptions {
  /**
   * 'overlay': ".wh.<name>" becomes a whiteout (char device 0:0) and ".wh..wh..opq" makes its
   * directory opaque, for an overlay2 diff dir; 'keep': names are extracted as they are, for a
   * plain tree (docker cp, a rootfs).
   */
  whiteouts: 'overlay' | 'keep';
  /** Leave ownership as it comes out (dockerd's NoLchown), for extraction without root. */
  noChown?: boolean;
  /** Every entry gets this owner instead of its own (docker cp -a: the container user's). */
  owner?: { uid: number; gid: number };
  /**
   * The owner on disk of an entry's owner (userns-remap: container ids to the host ids they map
   * to). Throws for an id the mapping does not cover.
   */
  mapIds?: IdMapper;
  /** Every entry but symlinks gets these permission bits instead of its own (COPY --chmod). */
  mode?: number;
  /** Set the entries' extended attributes (default true; never on an fd tree). */
  xattrs?: boolean;
  /** The directory the archive is extracted in, relative to the tree's root ('' its root). */
  under?: string;
  /**
   * What an entry naming the extraction directory itself does: 'ignore' it (dockerd's layers),
   * or 'apply' its owner, mode and times (docker cp).
   */
  rootEntry?: 'ignore' | 'apply';
  /** dockerd's NoOverwriteDirNonDir: refuse to replace a directory by a non-directory or the reverse. */
  noOverwriteDirNonDir?: boolean;
  /** Sees the archive as it is read: how a layer's tar-split is recorded without a second parse. */
  segments?: TarSegments;
}

/** Translates an owner between id spaces (a user namespace's mapping). */
export type IdMapper = (uid: number, gid: number) => { uid: number; gid: number };

export interface ApplyOptions extends ExtractOptions {
  sys: Syscalls;
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

const joinRel = (a: string, b: string): string => (a === '' ? b : b === '' ? a : `${a}/${b}`);

/**
 * Extracts an uncompressed layer tar into `dest` (created if missing) and returns the bytes of
 * regular files written. Rejects on a malformed archive, an entry escaping `dest`, or a failed
 * file operation, after every write it started has ended; `dest` is then left half-written for
 * the caller to remove.
 */
export async function applyLayer(input: Readable | AsyncIterable<unknown>, dest: string, options: ApplyOptions): Promise<{ size: number }> {
  const tree = await openPathTree(dest, options.sys);
  try {
    return await extractTar(input, tree, options);
  } finally {
    tree.close();
  }
}

/**
 * Extracts an uncompressed tar into `tree` (under `options.under`) and returns the bytes of
 * regular files written; the same guarantees as applyLayer.
 */
export async function extractTar(input: Readable | AsyncIterable<unknown>, tree: Tree, options: ExtractOptions): Promise<{ size: number }> {
  const { sys } = tree;
  const overlay = options.whiteouts === 'overlay';
  const chown = !options.noChown;
  const xattrs = (options.xattrs ?? true) && tree.kind === 'path';
  const under = options.under ?? '';
  const ownerOf = (h: TarHeader): { uid: number; gid: number } => options.owner ?? (options.mapIds ? options.mapIds(h.uid, h.gid) : { uid: h.uid, gid: h.gid });
  // Most entries are root's, with modes the umask leaves alone: made in a directory this
  // extraction made, a new file already has the owner and mode it should, and skipping chown
  // and chmod saves two of six calls per file.
  const umask = tree.kind === 'path' ? await readUmask() : undefined;
  const euid = process.geteuid?.() ?? -1;
  const egid = process.getegid?.() ?? -1;
  const createdOwned = (parent: TreeDir, h: TarHeader): boolean => {
    const { uid, gid } = ownerOf(h);
    return tree.isFresh(parent) && uid === euid && gid === (tree.inheritedGid(parent) ?? egid);
  };
  const createdWithMode = (parent: TreeDir, h: TarHeader): boolean => {
    if (umask === undefined || !tree.isFresh(parent)) return false;
    const setgid = h.type === 'directory' && tree.inheritedGid(parent) !== undefined ? 0o2000 : 0;
    return (h.mode & 0o7777) === ((h.mode & 0o777 & ~umask) | setgid);
  };
  // Directory times go last: creating children changes them. Keyed by path in the tree; dropped
  // when the directory (or one above it) is replaced, so the final pass never follows a new
  // symlink. A path tree keeps the real path it was made at.
  const dirTimes = new Map<string, { atime: Date; mtime: Date; path?: string }>();
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

  const shown = (rel: string): string => `/${rel}`;

  /**
   * Creates the entry `rel` (named `name` in directory `parentRel`) with `make`, which must fail
   * with EEXIST rather than follow or overwrite; an existing entry is then removed and `make`
   * tried again in the directory resolved anew, except a directory where a directory is wanted,
   * which is kept (its metadata is updated).
   */
  const create = async (
    at: { rel: string; parentRel: string; name: string },
    h: TarHeader,
    make: (dir: TreeDir) => unknown,
    createOptions: { keepDir?: boolean } = {},
  ): Promise<{ dir: TreeDir; created: boolean }> => {
    let dir = await tree.dir(at.parentRel, true);
    try {
      await make(dir);
      return { dir, created: true };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    await settle(); // what is in the way may be a file still being written, or hold some
    const st = await fsp.lstat(childOf(dir, at.name));
    if (createOptions.keepDir && st.isDirectory()) return { dir, created: false };
    if (options.noOverwriteDirNonDir) {
      const isDir = h.type === 'directory';
      if (st.isDirectory() && !isDir) throw new InvalidArgument(`cannot overwrite directory "${shown(at.rel)}" with non-directory "${h.name}"`);
      if (!st.isDirectory() && isDir) throw new InvalidArgument(`cannot overwrite non-directory "${shown(at.rel)}" with directory "${h.name}"`);
    }
    await tree.remove(dir, at.name);
    if (st.isDirectory() || st.isSymbolicLink()) {
      tree.forget(dir, at.name);
      for (const p of dirTimes.keys()) if (p === at.rel || p.startsWith(`${at.rel}/`)) dirTimes.delete(p);
    }
    dir = await tree.dir(at.parentRel, true);
    await make(dir);
    return { dir, created: true };
  };

  const setXattrs = (path: string, header: TarHeader): void => {
    if (!xattrs || !sys) return;
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
  const finishFile = async (fd: number, f: { path: string; h: TarHeader; owned: boolean; moded: boolean; atime: Date }): Promise<void> => {
    const { path, h, owned, moded, atime } = f;
    if (chown && !owned) {
      const { uid, gid } = ownerOf(h);
      await fchown(fd, uid, gid);
    }
    setXattrs(path, h); // after chown, which clears security.capability
    if (!moded) await fchmod(fd, h.mode & 0o7777); // after chown, which clears setuid and setgid
    await futimes(fd, atime, h.mtime);
  };

  const extractFile = async (entry: Entry, at: { rel: string; parentRel: string; name: string }, atime: Date): Promise<void> => {
    const h = entry.header;
    let fd = -1;
    const { dir } = await create(at, h, async (d) => {
      fd = await open(childOf(d, at.name), 'wx', h.mode & 0o777);
    });
    const file = { path: childOf(dir, at.name), atime, h, owned: createdOwned(dir, h), moded: createdWithMode(dir, h) };
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

  const mknod = (path: string, mode: number, major: number, minor: number, h: TarHeader): void => {
    if (!sys) throw new InvalidArgument(`cannot create device ${h.name}`);
    sys.mknod(path, mode, major, minor);
  };

  const extract = async (entry: Entry): Promise<void> => {
    const h = entry.header;
    if (options.mode !== undefined && h.type !== 'symlink') h.mode = (h.mode & ~0o7777) | options.mode;
    const entryRel = cleanEntryName(h.name);
    if (entryRel === '') {
      // the extraction directory itself: dockerd's layers leave its metadata alone, cp sets it
      if (options.rootEntry === 'apply' && h.type === 'directory') {
        const { uid, gid } = ownerOf(h);
        await tree.setDir(await tree.dir(under, true), { uid, gid, mode: h.mode & 0o7777 });
        dirTimes.set(under, { atime: h.atime && h.atime > h.mtime ? h.atime : h.mtime, mtime: h.mtime });
      }
      return;
    }
    // AUFS metadata (".wh..wh.plnk/…" and the like) is no part of the image
    if (overlay && entryRel.includes(whiteoutMetaPrefix) && isAufsMetadata(entryRel)) return;
    const rel = joinRel(under, entryRel);
    const slash = rel.lastIndexOf('/');
    const at = { rel, parentRel: slash < 0 ? '' : rel.slice(0, slash), name: rel.slice(slash + 1) };
    const { name } = at;

    if (overlay && name.startsWith(whiteoutPrefix)) {
      if (name === whiteoutPrefix || name === `${whiteoutPrefix}.` || name === `${whiteoutPrefix}..`) {
        throw new InvalidArgument(`invalid whiteout entry ${JSON.stringify(h.name)}`);
      }
      const parent = await tree.dir(at.parentRel, true);
      if (name === opaqueMarker) {
        if (!sys) throw new InvalidArgument(`cannot make ${at.parentRel} opaque`);
        sys.lsetxattr(parent.path, overlayOpaqueXattr, yes);
        return;
      }
      const hidden = { ...at, name: name.slice(whiteoutPrefix.length), rel: joinRel(at.parentRel, name.slice(whiteoutPrefix.length)) };
      const { dir } = await create(hidden, h, (d) => mknod(childOf(d, hidden.name), S_IFCHR, 0, 0, h));
      if (chown && !createdOwned(dir, h)) {
        const { uid, gid } = ownerOf(h);
        await fsp.lchown(childOf(dir, hidden.name), uid, gid);
      }
      return;
    }

    const atime = h.atime && h.atime > h.mtime ? h.atime : h.mtime;
    if (h.type === 'file') {
      await extractFile(entry, at, atime);
      size += h.size;
      return;
    }

    // the data of every other type is empty
    let owned = false; // whether the inode already has the entry's owner
    let moded = false; // … and its mode
    let timed = false; // … and its mtime
    let followable = true; // whether chmod/utimes may act on it (they do nothing through a symlink)
    let made: { dir: TreeDir; created: boolean };
    switch (h.type) {
      case 'directory': {
        made = await create(at, h, (d) => fsp.mkdir(childOf(d, name), h.mode & 0o777), { keepDir: true });
        owned = made.created && createdOwned(made.dir, h);
        moded = made.created && createdWithMode(made.dir, h);
        break;
      }
      case 'symlink':
        made = await create(at, h, (d) => fsp.symlink(h.linkname, childOf(d, name)));
        owned = made.created && createdOwned(made.dir, h);
        followable = false;
        break;
      case 'link': {
        await settle(); // the target may still be being written, its metadata not yet set
        let target: Stats | undefined;
        made = await create(at, h, async (d) => {
          // resolved again on a retry: the removal released what was resolved before
          const t = await hardlinkTarget(tree, under, h);
          target = t.stat;
          try {
            await fsp.link(t.path, childOf(d, name));
          } catch (err) {
            if (isErrno(err, 'EEXIST')) throw err;
            throw new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: ${(err as Error).message}`, { cause: err });
          }
        });
        const { uid, gid } = ownerOf(h);
        // a hard link to a symlink is itself a symlink: chmod or utimes would follow it
        followable = !target!.isSymbolicLink();
        // a link entry mostly repeats its target's metadata; chown would clear the
        // security.capability the target got (GNU tar repeats no xattrs on link entries)
        owned = target!.uid === uid && target!.gid === gid;
        moded = (target!.mode & 0o7777) === (h.mode & 0o7777);
        timed = target!.mtimeMs === h.mtime.getTime();
        break;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        const kind = h.type === 'char' ? S_IFCHR : h.type === 'block' ? S_IFBLK : S_IFIFO;
        made = await create(at, h, (d) => mknod(childOf(d, name), kind | (h.mode & 0o777), h.devmajor, h.devminor, h));
        owned = createdOwned(made.dir, h);
        moded = createdWithMode(made.dir, h);
        break;
      }
    }
    const { dir } = made;
    const path = childOf(dir, name);
    if (chown && !owned) {
      const { uid, gid } = ownerOf(h);
      await fsp.lchown(path, uid, gid);
    }
    setXattrs(path, h);
    if (followable && !moded) await tree.chmod(dir, name, h.mode & 0o7777);
    if (h.type === 'directory') {
      tree.noteDir(dir, name, { mode: h.mode, gid: chown ? ownerOf(h).gid : (tree.inheritedGid(dir) ?? egid) });
      // a default ACL decides the modes of what is made inside instead of the umask
      tree.markFresh(dir, name, (made.created || tree.isFresh(dir, name)) && !h.xattrs.has('system.posix_acl_default'));
      dirTimes.set(rel, { atime, mtime: h.mtime, ...(tree.kind === 'path' ? { path } : {}) });
    } else if (h.type === 'symlink') await fsp.lutimes(path, atime, h.mtime);
    else if (followable && !timed) await tree.utimes(dir, name, atime, h.mtime);
  };

  try {
    for await (const entry of readEntries(input, options.segments ? { segments: options.segments } : {})) {
      if (backgroundError) throw backgroundError.err;
      tree.idle();
      await extract(entry);
    }
    await settle();
    if (backgroundError) throw backgroundError.err;
  } catch (err) {
    await settle(); // nothing may still be writing when the caller removes the directory
    throw err;
  }
  for (const [rel, t] of dirTimes) {
    if (t.path !== undefined) {
      // lutimes: never follow, whatever the path became
      await fsp.lutimes(t.path, t.atime, t.mtime);
      continue;
    }
    // a live tree: resolved again through descriptors, and best effort, as dockerd's
    try {
      if (rel === under) {
        const d = await tree.dir(rel, false);
        await fsp.utimes(d.path, t.atime, t.mtime);
        continue;
      }
      const slash = rel.lastIndexOf('/');
      const d = await tree.dir(slash < 0 ? '' : rel.slice(0, slash), false);
      await fsp.lutimes(childOf(d, rel.slice(slash + 1)), t.atime, t.mtime);
    } catch {
      // changed meanwhile
    }
  }
  return { size };
}

function isAufsMetadata(rel: string): boolean {
  const parts = rel.split('/');
  return parts.some((p, i) => p.startsWith(whiteoutMetaPrefix) && !(p === opaqueMarker && i === parts.length - 1));
}

/** A hardlink's target: resolved in the tree like any path, never its last component. */
async function hardlinkTarget(tree: Tree, under: string, h: TarHeader): Promise<{ path: string; stat: Stats }> {
  const linkRel = cleanArchivePath(h.linkname);
  if (linkRel === undefined || linkRel === '') throw new BreakoutError(`invalid hardlink target ${JSON.stringify(h.linkname)}`);
  const rel = joinRel(under, linkRel);
  const slash = rel.lastIndexOf('/');
  const missing = (): InvalidArgument =>
    new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: no such file`);
  let parent: TreeDir;
  try {
    parent = await tree.dir(slash < 0 ? '' : rel.slice(0, slash), false);
  } catch (err) {
    if (err instanceof NotFound) throw missing();
    throw err;
  }
  const path = childOf(parent, rel.slice(slash + 1));
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
