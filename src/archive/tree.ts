// The file tree that archive/ packs from and extracts into, as a port with two implementations:
//
// - PathTree (here): plain paths under a root directory that only Berth writes to (a layer being
//   unpacked, a volume, an export). Symlinks are resolved inside the root by RootResolver, which
//   caches what it resolved: fast, but a check-then-act guard.
// - FdTree (fd-tree.ts): a descriptor (O_PATH|O_NOFOLLOW) held on every directory on the way, so
//   that the kernel never follows a symlink: nothing a process in a live container does while
//   `cp` runs can lead outside its root.
//
// A directory is handed out as a TreeDir whose `path` the kernel resolves to that very directory
// (a real path, or /proc/self/fd/N). The shared packer and extractor act on `${dir.path}/${name}`
// only with calls that never follow the last component (lstat, mkdir, open O_EXCL or O_NOFOLLOW,
// symlink, link, mknod, lchown, lutimes, lsetxattr, readlink); whatever would follow it (chmod,
// utimes), resolves paths, opens directories or removes is the port's.
import fs, { promises as fsp, type BigIntStats } from 'node:fs';
import type { Syscalls } from '../sys/index.ts';
import { RootResolver, childPath } from './resolve.ts';

export interface TreeDir {
  /** A path naming this directory itself, valid until the tree or the directory is released. */
  readonly path: string;
  /** Where it is in the tree ("/" the root, "/etc"), for mount tables and messages. */
  readonly treePath: string;
}

/** What a tree needs of the kernel beyond node:fs. */
export type TreeSyscalls = Pick<Syscalls, 'mknod' | 'lsetxattr' | 'lgetxattr' | 'llistxattr'>;

export interface Tree {
  readonly sys: TreeSyscalls | undefined;
  /**
   * The directory `rel` (a cleaned path relative to the root, '' the root itself) with the
   * symlinks on the way followed inside the root. Missing directories are made (0755) when
   * `create`, else NotFound; a component that is not a directory is an InvalidArgument.
   */
  dir(rel: string, create: boolean): Promise<TreeDir>;
  /** Where child `name` of `dir` is read from: a mount laid over it (a stopped container's volume), or its place in `dir`. */
  child(dir: TreeDir, name: string): { path: string; mounted: boolean };
  /** Opens child `name` (a directory) to walk it; undefined when it is gone or no longer a directory. */
  openDir(dir: TreeDir, name: string): Promise<TreeDir | undefined>;
  /** Releases a directory from dir() or openDir() (the root's is kept until close()). */
  releaseDir(dir: TreeDir): void;
  /** The stat of the directory itself. */
  statDir(dir: TreeDir): Promise<BigIntStats>;
  /** chmod and utimes of child `name`, never through a symlink there (then they do nothing). */
  chmod(dir: TreeDir, name: string, mode: number): Promise<void>;
  utimes(dir: TreeDir, name: string, atime: Date, mtime: Date): Promise<void>;
  /** chmod, chown and utimes of `dir` itself. */
  setDir(dir: TreeDir, meta: { uid: number; gid: number; mode: number; times?: { atime: Date; mtime: Date } }): Promise<void>;
  /** rm -r of child `name`, never following a symlink. */
  remove(dir: TreeDir, name: string): Promise<void>;
  /**
   * Something was removed from `dir`: cached resolutions that pass through it are void (a
   * directory there may be a symlink next time). Handles from dir() stay valid until released.
   */
  forget(dir: TreeDir, name: string): void;
  /** Between archive entries: handles the tree cached may be let go of. */
  idle(): void;
  /**
   * 'path': `TreeDir.path`s stay valid for the whole walk, and the tree keeps the bookkeeping
   * that lets an extraction skip chown and chmod on what it just made. 'fd': a TreeDir is valid
   * only until released or forgotten, and the bookkeeping answers "not known".
   */
  readonly kind: 'path' | 'fd';
  markFresh(dir: TreeDir, name: string, fresh: boolean): void;
  /** Whether `dir` (or its child `name`) was made by this tree's extraction, without a default ACL. */
  isFresh(dir: TreeDir, name?: string): boolean;
  /** Records a directory the extraction made or kept (its setgid bit, its place for later lookups). */
  noteDir(dir: TreeDir, name: string, st: { mode: number; gid: number }): void;
  inheritedGid(dir: TreeDir): number | undefined;
  close(): void;
}

export function childOf(dir: TreeDir, name: string): string {
  return childPath(dir.path, name);
}

export function treeChild(dir: TreeDir, name: string): string {
  return dir.treePath === '/' ? `/${name}` : `${dir.treePath}/${name}`;
}

/** A tree of plain paths under `root` (a real path: no symlinks in it), for trees only Berth writes to. */
export class PathTree implements Tree {
  readonly sys: TreeSyscalls | undefined;
  readonly kind = 'path';
  readonly #resolver: RootResolver;

  private constructor(root: string, sys: TreeSyscalls | undefined) {
    this.#resolver = new RootResolver(root);
    this.sys = sys;
  }

  /** The tree at `dir`, which must exist. */
  static async open(dir: string, sys: TreeSyscalls | undefined): Promise<PathTree> {
    const root = await fsp.realpath(dir);
    const tree = new PathTree(root, sys);
    tree.#resolver.noteDir(root, await fsp.lstat(root));
    return tree;
  }

  get root(): string {
    return this.#resolver.root;
  }

  #dir(path: string): TreeDir {
    const rel = this.#resolver.relative(path);
    return { path, treePath: rel === '' ? '/' : `/${rel}` };
  }

  async dir(rel: string, create: boolean): Promise<TreeDir> {
    return this.#dir(await this.#resolver.dir(rel, create));
  }

  child(dir: TreeDir, name: string): { path: string; mounted: boolean } {
    return { path: childOf(dir, name), mounted: false };
  }

  async openDir(dir: TreeDir, name: string): Promise<TreeDir | undefined> {
    return this.#dir(childOf(dir, name));
  }

  releaseDir(): void {}

  statDir(dir: TreeDir): Promise<BigIntStats> {
    return fsp.lstat(dir.path, { bigint: true });
  }

  /** Acts on child `name` unless it is a symlink (check, then act: this tree is Berth's alone). */
  async #unlessSymlink(dir: TreeDir, name: string, act: (path: string) => Promise<void>): Promise<void> {
    const path = childOf(dir, name);
    if (!(await fsp.lstat(path)).isSymbolicLink()) await act(path);
  }

  chmod(dir: TreeDir, name: string, mode: number): Promise<void> {
    return this.#unlessSymlink(dir, name, (path) => fsp.chmod(path, mode));
  }

  utimes(dir: TreeDir, name: string, atime: Date, mtime: Date): Promise<void> {
    return this.#unlessSymlink(dir, name, (path) => fsp.utimes(path, atime, mtime));
  }

  async setDir(dir: TreeDir, meta: { uid: number; gid: number; mode: number; times?: { atime: Date; mtime: Date } }): Promise<void> {
    await fsp.lchown(dir.path, meta.uid, meta.gid);
    await fsp.chmod(dir.path, meta.mode);
    if (meta.times) await fsp.lutimes(dir.path, meta.times.atime, meta.times.mtime);
  }

  async remove(dir: TreeDir, name: string): Promise<void> {
    const path = childOf(dir, name);
    const st = await fsp.lstat(path);
    if (st.isDirectory()) await fsp.rm(path, { recursive: true, force: true });
    else await fsp.unlink(path);
  }

  forget(dir: TreeDir, name: string): void {
    this.#resolver.forget(childOf(dir, name));
  }

  idle(): void {}

  markFresh(dir: TreeDir, name: string, fresh: boolean): void {
    this.#resolver.markFresh(childOf(dir, name), fresh);
  }

  isFresh(dir: TreeDir, name?: string): boolean {
    return this.#resolver.isFresh(name === undefined ? dir.path : childOf(dir, name));
  }

  noteDir(dir: TreeDir, name: string, st: { mode: number; gid: number }): void {
    const path = childOf(dir, name);
    this.#resolver.noteDir(path, st);
    // the directory an archive just made is where its next entries go: no walk to find it
    this.#resolver.remember(this.#resolver.relative(path), path);
  }

  inheritedGid(dir: TreeDir): number | undefined {
    return this.#resolver.inheritedGid(dir.path);
  }

  close(): void {}
}

/** Makes the (missing) directory `dest` and opens a PathTree there. */
export async function openPathTree(dest: string, sys: TreeSyscalls | undefined): Promise<PathTree> {
  await fsp.mkdir(dest, { recursive: true });
  return PathTree.open(dest, sys);
}

/** fs.constants.O_PATH is not in Node's typings. */
export const O_PATH = 0o10000000;
export const { O_NOFOLLOW, O_DIRECTORY, O_RDONLY } = fs.constants;
