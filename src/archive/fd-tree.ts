// The descriptor-based Tree: a live container's file system as `cp` sees it, walked one component
// at a time through file descriptors, so that nothing a process in the container does can make
// berthd touch a file outside it (the CVE-2018-15664 class: a directory swapped for a symlink
// while a copy runs).
//
// Each directory on the way is held open (O_PATH|O_NOFOLLOW) and the next component is looked up
// relative to it through /proc/self/fd/<fd>/<name>, which the kernel resolves against the
// descriptor, not a path; a symlink is never followed by the kernel: its target is read and
// resolved here, with absolute targets restarting at the root and ".." never climbing above it.
// Host directories can be laid over paths of the tree (a stopped container's volumes and binds).
import fs, { promises as fsp, type BigIntStats, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, treeChild, type Tree, type TreeDir, type TreeSyscalls } from './tree.ts';

const maxSymlinks = 40;
/** Directories resolved for an extraction are kept open up to this many, then let go between entries. */
const maxCachedDirs = 256;

const openAsync = promisify(fs.open) as (path: string, flags: number, mode?: number) => Promise<number>;
const fstatAsync = promisify(fs.fstat) as (fd: number) => Promise<Stats>;
const fstatBigAsync = promisify(fs.fstat) as unknown as (fd: number, options: { bigint: true }) => Promise<BigIntStats>;

export function fdPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

export function closeQuietly(fd: number): void {
  fs.close(fd, () => {});
}

export interface FdNode {
  /** O_PATH descriptor of the object itself; owned by whoever asked for it. */
  fd: number;
  st: Stats;
  /** The path in the tree it resolved to ("/etc/passwd"). */
  path: string;
}

export interface Lookup {
  /** The object, or undefined when the last component does not exist. */
  node?: FdNode;
  /** The directory it is (or would be) in: O_PATH descriptor owned by the caller. */
  parent: FdNode;
  name: string;
  /** The fully resolved path in the tree (as far as it exists, then literally). */
  path: string;
}

/** Closes the descriptors a lookup handed over. */
export function closeLookup(l: Lookup): void {
  closeQuietly(l.parent.fd);
  if (l.node) closeQuietly(l.node.fd);
}

interface Frame {
  fd: number;
  path: string;
  st: Stats;
  owned: boolean;
}

/** A TreeDir backed by a held descriptor. */
interface FdDir extends TreeDir {
  readonly fd: number;
  /** Whether releaseDir closes it (not for the tree's cache, nor for a view of a caller's node). */
  closeOnRelease: boolean;
}

function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export interface FdTreeOptions {
  /** Host paths laid over paths of the tree (a stopped container's volumes and binds). */
  overlays?: Map<string, string>;
  /** mknod and xattrs; without them devices cannot be made. */
  sys?: TreeSyscalls;
}

export class FdTree implements Tree {
  readonly sys: TreeSyscalls | undefined;
  readonly kind = 'fd';
  readonly #root: Frame;
  readonly #overlays: Map<string, string>;
  /** Directories resolved by dir(), by relative path; emptied by forget() and idle(). */
  #dirs = new Map<string, FdDir>();
  #closed = false;

  private constructor(root: Frame, options: FdTreeOptions) {
    this.#root = root;
    this.#overlays = options.overlays ?? new Map();
    this.sys = options.sys;
  }

  /** `rootPath` is a trusted host path: a mounted rootfs, or /proc/<pid>/root. */
  static async open(rootPath: string, options: FdTreeOptions = {}): Promise<FdTree> {
    const fd = await openAsync(rootPath, O_PATH | O_DIRECTORY);
    try {
      const st = await fstatAsync(fd);
      return new FdTree({ fd, path: '/', st, owned: true }, options);
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
  }

  /** A path naming the root directory itself (for reading files such as /etc/passwd through it). */
  get rootPath(): string {
    return fdPath(this.#root.fd);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropCache();
    closeQuietly(this.#root.fd);
  }

  /**
   * Resolves `path` inside the tree. Every component but the last must exist (or is made, 0755,
   * with `createParents`); symlinks on the way are followed inside the tree, the last one only
   * when `followLast`. Fails with an errno-coded error: ENOENT, ENOTDIR, ELOOP.
   */
  async lookup(path: string, options: { followLast: boolean; createParents?: boolean }): Promise<Lookup> {
    const pending = path.split('/').filter((p) => p !== '' && p !== '.');
    const stack: Frame[] = [this.#root];
    let links = 0;
    const release = (frames: Frame[]) => {
      for (const f of frames) if (f.owned) closeQuietly(f.fd);
    };
    try {
      while (pending.length > 0) {
        const part = pending.shift()!;
        if (part === '..') {
          if (stack.length > 1) release([stack.pop()!]);
          continue;
        }
        const cur = stack[stack.length - 1];
        const childPath = cur.path === '/' ? `/${part}` : `${cur.path}/${part}`;
        const last = pending.length === 0;
        const overlay = this.#overlays.get(childPath);
        let fd: number;
        try {
          fd = overlay !== undefined ? await openAsync(overlay, O_PATH) : await openAsync(fdPath(cur.fd, part), O_PATH | O_NOFOLLOW);
        } catch (err) {
          if (!isErrno(err, 'ENOENT')) throw err;
          if (last) {
            const parent = stack.pop()!;
            release(stack.filter((f) => f !== this.#root));
            return { parent: parent === this.#root ? await this.#dupRoot() : parent, name: part, path: childPath };
          }
          if (!options.createParents) throw errnoError('ENOENT', `no such file or directory: ${childPath}`);
          try {
            await fsp.mkdir(fdPath(cur.fd, part), 0o755);
          } catch (mkErr) {
            if (!isErrno(mkErr, 'EEXIST')) throw mkErr;
          }
          pending.unshift(part);
          continue;
        }
        let st: Stats;
        try {
          st = await fstatAsync(fd);
        } catch (err) {
          closeQuietly(fd);
          throw err;
        }
        if (st.isSymbolicLink() && (!last || options.followLast)) {
          closeQuietly(fd);
          if (++links > maxSymlinks) throw errnoError('ELOOP', `too many levels of symbolic links: ${path}`);
          let target: string;
          try {
            target = await fsp.readlink(fdPath(cur.fd, part));
          } catch (err) {
            // swapped for something else meanwhile: look at it again
            if (isErrno(err, 'EINVAL') || isErrno(err, 'ENOENT')) {
              pending.unshift(part);
              continue;
            }
            throw err;
          }
          if (target.startsWith('/')) release(stack.splice(1));
          pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
          continue;
        }
        if (!last && !st.isDirectory()) {
          closeQuietly(fd);
          throw errnoError('ENOTDIR', `not a directory: ${childPath}`);
        }
        stack.push({ fd, path: childPath, st, owned: true });
      }
      // the path named the root, or resolved back to it
      if (stack.length === 1) {
        const root = await this.#dupRoot();
        return { node: root, parent: await this.#dupRoot(), name: '/', path: '/' };
      }
      const node = stack.pop()!;
      const parent = stack.pop()!;
      release(stack.filter((f) => f !== this.#root));
      return { node, parent: parent === this.#root ? await this.#dupRoot() : parent, name: node.path.slice(node.path.lastIndexOf('/') + 1), path: node.path };
    } catch (err) {
      release(stack.filter((f) => f !== this.#root));
      throw err;
    }
  }

  async #dupRoot(): Promise<FdNode> {
    const fd = await openAsync(fdPath(this.#root.fd), O_PATH | O_DIRECTORY);
    return { fd, st: this.#root.st, path: '/' };
  }

  /** A directory node from lookup() as a TreeDir; its descriptor stays the caller's to close. */
  at(node: FdNode): TreeDir {
    const dir: FdDir = { fd: node.fd, path: fdPath(node.fd), treePath: node.path, closeOnRelease: false };
    return dir;
  }

  async dir(rel: string, create: boolean): Promise<TreeDir> {
    const hit = this.#dirs.get(rel);
    if (hit) return hit;
    let l: Lookup;
    try {
      l = await this.lookup(`/${rel}`, { followLast: true, createParents: create });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new NotFound(`/${rel}: no such directory`);
      if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) throw new InvalidArgument((err as Error).message);
      throw err;
    }
    if (!l.node) {
      try {
        if (!create) throw new NotFound(`/${rel}: no such directory`);
        await fsp.mkdir(fdPath(l.parent.fd, l.name), 0o755);
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
      } finally {
        closeLookup(l);
      }
      return this.dir(rel, create);
    }
    closeQuietly(l.parent.fd);
    if (!l.node.st.isDirectory()) {
      closeQuietly(l.node.fd);
      throw new InvalidArgument(`cannot extract into ${l.path}: not a directory`);
    }
    const dir: FdDir = { fd: l.node.fd, path: fdPath(l.node.fd), treePath: l.node.path, closeOnRelease: false };
    this.#dirs.set(rel, dir);
    return dir;
  }

  child(dir: TreeDir, name: string): { path: string; mounted: boolean } {
    const overlay = this.#overlays.get(treeChild(dir, name));
    return overlay !== undefined ? { path: overlay, mounted: true } : { path: `${dir.path}/${name}`, mounted: false };
  }

  async openDir(dir: TreeDir, name: string): Promise<TreeDir | undefined> {
    const treePath = treeChild(dir, name);
    const overlay = this.#overlays.get(treePath);
    try {
      const fd = overlay !== undefined ? await openAsync(overlay, O_PATH | O_DIRECTORY) : await openAsync(`${dir.path}/${name}`, O_PATH | O_NOFOLLOW | O_DIRECTORY);
      const opened: FdDir = { fd, path: fdPath(fd), treePath, closeOnRelease: true };
      return opened;
    } catch (err) {
      // gone, or swapped for something that is not a directory, since it was looked at
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return undefined;
      throw err;
    }
  }

  releaseDir(dir: TreeDir): void {
    const d = dir as FdDir;
    if (d.closeOnRelease) closeQuietly(d.fd);
  }

  statDir(dir: TreeDir): Promise<BigIntStats> {
    return fstatBigAsync((dir as FdDir).fd, { bigint: true });
  }

  /** Acts on child `name` through a descriptor of it, never through a symlink. */
  async #onChild(dir: TreeDir, name: string, act: (path: string) => Promise<void>): Promise<void> {
    const fd = await openAsync(`${dir.path}/${name}`, O_PATH | O_NOFOLLOW);
    try {
      if ((await fstatAsync(fd)).isSymbolicLink()) return;
      await act(fdPath(fd));
    } finally {
      closeQuietly(fd);
    }
  }

  chmod(dir: TreeDir, name: string, mode: number): Promise<void> {
    return this.#onChild(dir, name, (p) => fsp.chmod(p, mode));
  }

  utimes(dir: TreeDir, name: string, atime: Date, mtime: Date): Promise<void> {
    return this.#onChild(dir, name, (p) => fsp.utimes(p, atime, mtime));
  }

  async setDir(dir: TreeDir, meta: { uid: number; gid: number; mode: number; times?: { atime: Date; mtime: Date } }): Promise<void> {
    // an O_PATH descriptor is reached again through /proc, which names the directory itself
    await fsp.chown(dir.path, meta.uid, meta.gid);
    await fsp.chmod(dir.path, meta.mode);
    if (meta.times) await fsp.utimes(dir.path, meta.times.atime, meta.times.mtime);
  }

  async remove(dir: TreeDir, name: string): Promise<void> {
    await removeAt(dir.path, name);
  }

  forget(): void {
    this.#dropCache();
  }

  idle(): void {
    if (this.#dirs.size >= maxCachedDirs) this.#dropCache();
  }

  #dropCache(): void {
    for (const d of this.#dirs.values()) closeQuietly(d.fd);
    this.#dirs.clear();
  }

  markFresh(): void {}

  isFresh(): boolean {
    return false;
  }

  noteDir(): void {}

  inheritedGid(): number | undefined {
    return undefined;
  }
}

/** rm -r of `name` in a held directory, descending through descriptors only. */
async function removeAt(dirPath: string, name: string): Promise<void> {
  const path = `${dirPath}/${name}`;
  const st = await fsp.lstat(path);
  if (!st.isDirectory()) {
    await fsp.unlink(path);
    return;
  }
  const fd = await openAsync(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const child of await fsp.readdir(fdPath(fd))) await removeAt(fdPath(fd), child);
  } finally {
    closeQuietly(fd);
  }
  await fsp.rmdir(path);
}
