// The archive API behind `cp`: HEAD (stat), GET (a tar of a path) and PUT (extract a tar into a
// directory) of /containers/{id}/archive, with dockerd's semantics and errors, on running and
// stopped containers, into and out of their volumes and binds. The container's file system is an
// FdTree (archive/): walked through descriptors, never following a symlink in the kernel, so
// neither the path, nor the archive's names and links, nor a process racing the copy can reach
// outside the container. Packing and extracting are archive/'s; what is here is cp's semantics.
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { FdTree, closeLookup, decompress, extractTar, packTreeEntry, type Lookup } from '../archive/index.ts';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import type { ContainerPathStat } from '../types/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { containerIdMappers } from './governance.ts';
import { resolveUser } from './user.ts';
import { announce } from './announce.ts';

/** Go's os.FileMode bits for a unix mode. */
export function goFileMode(st: Pick<Stats, 'mode'> & { isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m |= 1 << 23;
  if (st.mode & 0o2000) m |= 1 << 22;
  if (st.mode & 0o1000) m |= 1 << 20;
  if (st.isDirectory()) m |= 1 << 31;
  else if (st.isSymbolicLink()) m |= 1 << 27;
  else if (st.isFIFO()) m |= 1 << 25;
  else if (st.isSocket()) m |= 1 << 24;
  else if (st.isCharacterDevice()) m |= (1 << 26) | (1 << 21);
  else if (st.isBlockDevice()) m |= 1 << 26;
  return m >>> 0;
}

/** Go's RFC 3339 with nanoseconds, trailing zeros trimmed (time.Time's JSON). */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

/** dockerd's PreserveTrailingDotOrSeparator over filepath.Join("/", path). */
export function containerAbsPath(path: string): string {
  let abs = posix.join('/', path);
  if (abs.length > 1 && abs.endsWith('/')) abs = abs.slice(0, -1);
  if ((path.endsWith('/.') || path === '.') && !abs.endsWith('/.')) abs = abs === '/' ? '/.' : `${abs}/.`;
  else if (path.endsWith('/') && !abs.endsWith('/')) abs += '/';
  return abs;
}

function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

interface Opened {
  tree: FdTree;
  release(): Promise<void>;
}

/** The container's file system: through its process when running, its mounted rootfs when not. */
async function openContainerTree(ctx: EngineContext, c: Container): Promise<Opened> {
  const sys = ctx.sys ? { sys: ctx.sys } : {};
  if (c.state.Running && c.state.Pid > 0) {
    try {
      const tree = await FdTree.open(`/proc/${c.state.Pid}/root`, sys);
      return { tree, release: async () => tree.close() };
    } catch (err) {
      if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ESRCH')) throw err;
      // it exited meanwhile: fall through to the stopped view
    }
  }
  const rootfs = await ctx.layers.mountRw(c.id);
  const overlays = new Map<string, string>();
  for (const m of Object.values(c.record.MountPoints ?? {})) {
    if (m.Type === 'bind' || m.Type === 'volume') overlays.set(m.Destination, m.Source);
  }
  try {
    const tree = await FdTree.open(rootfs, { ...sys, overlays });
    return {
      tree,
      release: async () => {
        tree.close();
        await ctx.layers.unmountRw(c.id).catch(() => {});
      },
    };
  } catch (err) {
    await ctx.layers.unmountRw(c.id).catch(() => {});
    throw err;
  }
}

/** Maps a walk failure to dockerd's errors: a missing path is "Could not find the file". */
function fsError(err: unknown, path: string, container: string): unknown {
  if (isErrno(err, 'ENOENT')) return new NotFound(`Could not find the file ${path} in container ${container}`);
  if (isErrno(err, 'ELOOP') || isErrno(err, 'ENOTDIR')) return new InvalidArgument((err as Error).message);
  // a name the file system cannot hold is the request's fault, as a malformed path is
  if (isErrno(err, 'ENAMETOOLONG')) return new InvalidArgument(`invalid path ${path}: file name too long`);
  return err;
}

async function statIn(tree: FdTree, abs: string): Promise<{ stat: ContainerPathStat; lookup: Lookup }> {
  const followLast = abs.endsWith('/') || abs.endsWith('/.');
  const l = await tree.lookup(abs, { followLast });
  if (!l.node) {
    closeLookup(l);
    throw Object.assign(new Error(`lstat ${abs}: no such file or directory`), { code: 'ENOENT' });
  }
  let linkTarget = '';
  if (l.node.st.isSymbolicLink()) {
    try {
      const t = await tree.lookup(abs, { followLast: true });
      linkTarget = t.path;
      closeLookup(t);
    } catch {
      linkTarget = '';
    }
  }
  const st = l.node.st;
  return { stat: { name: goBase(abs), size: st.size, mode: goFileMode(st), mtime: goTime(st.mtime), linkTarget }, lookup: l };
}

export async function statContainerPath(ctx: EngineContext, c: Container, path: string, ref: string): Promise<ContainerPathStat> {
  if (!path) throw new InvalidArgument('bad parameter: path cannot be empty');
  const opened = await openContainerTree(ctx, c);
  try {
    const { stat, lookup } = await statIn(opened.tree, containerAbsPath(path));
    closeLookup(lookup);
    return stat;
  } catch (err) {
    throw fsError(err, path, ref);
  } finally {
    await opened.release();
  }
}

/** GET: the stat of `path` and a tar of it, named as dockerd names it (the path's base name). */
export async function archiveContainerPath(ctx: EngineContext, c: Container, path: string, ref: string): Promise<{ stat: ContainerPathStat; stream: Readable }> {
  if (!path) throw new InvalidArgument('bad parameter: path cannot be empty');
  const opened = await openContainerTree(ctx, c);
  let lookup: Lookup;
  let stat: ContainerPathStat;
  const abs = containerAbsPath(path);
  try {
    ({ stat, lookup } = await statIn(opened.tree, abs));
  } catch (err) {
    await opened.release();
    throw fsError(err, path, ref);
  }
  const { tree } = opened;
  const entryName = goBase(abs);
  // the root itself has no parent to name it in
  const start = lookup.path === '/' ? { dir: tree.at(lookup.node!), entryName } : { dir: tree.at(lookup.parent), name: lookup.name, entryName };
  // the container's own mounts are walked into; others met (proc, sys, dev) are not
  const mountPoints = new Set(['/', ...Object.keys(c.record.MountPoints ?? {})]);
  const mappers = containerIdMappers(ctx, c);
  const { stream, done } = packTreeEntry(tree, start, { whiteouts: 'keep', xattrs: false, mountPoints, ...(mappers ? { mapIds: mappers.toContainer } : {}) });
  void done.finally(async () => {
    closeLookup(lookup);
    await opened.release();
  });
  announce(ctx, c, 'archive-path');
  return { stat, stream };
}

export interface ExtractOptions {
  /** dockerd's noOverwriteDirNonDir: refuse to replace a directory by a file or the reverse. */
  noOverwriteDirNonDir: boolean;
  /** cp -a: files get the container user's uid and gid (dockerd's copyUIDGID). */
  copyUIDGID: boolean;
}

/** PUT: extracts a (possibly compressed) tar into the directory `path` of the container. */
export async function extractToContainer(ctx: EngineContext, c: Container, path: string, ref: string, input: Readable, options: ExtractOptions): Promise<void> {
  if (!path) throw new InvalidArgument('bad parameter: path cannot be empty');
  const opened = await openContainerTree(ctx, c);
  const { tree } = opened;
  let dest: Lookup | undefined;
  try {
    try {
      dest = await tree.lookup(path, { followLast: true });
    } catch (err) {
      throw fsError(err, path, ref);
    }
    if (!dest.node) throw new NotFound(`Could not find the file ${path} in container ${ref}`);
    if (!dest.node.st.isDirectory()) throw new InvalidArgument('extraction point is not a directory');
    checkWritable(c, dest.path);
    let owner: { uid: number; gid: number } | undefined;
    if (options.copyUIDGID && c.record.Config.User) {
      const u = await resolveUser(tree.rootPath, c.record.Config.User).catch((err: unknown) => {
        throw new InvalidArgument((err as Error).message);
      });
      owner = { uid: u.uid, gid: u.gid };
    }
    // userns-remap: the archive speaks the container's ids, the files on disk the host's
    const mappers = containerIdMappers(ctx, c);
    if (owner && mappers) owner = mappers.toHost(owner.uid, owner.gid);
    try {
      await extractTar(await decompress(input), tree, {
        whiteouts: 'keep',
        xattrs: false,
        under: dest.path.slice(1),
        rootEntry: 'apply',
        noOverwriteDirNonDir: options.noOverwriteDirNonDir,
        ...(owner ? { owner } : mappers ? { mapIds: mappers.toHost } : {}),
      });
    } catch (err) {
      // what the archive asked for cannot be made (a loop, a file where a directory must be…)
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' || code === 'EISDIR' || code === 'ENAMETOOLONG') throw new InvalidArgument((err as Error).message, { cause: err });
      throw err;
    }
  } finally {
    if (dest) closeLookup(dest);
    await opened.release();
  }
  announce(ctx, c, 'extract-to-dir');
}

/** dockerd's checkWritablePath: a read-only volume or root file system refuses the copy. */
function checkWritable(c: Container, path: string): void {
  let best: { dest: string; rw: boolean } | undefined;
  for (const m of Object.values(c.record.MountPoints ?? {})) {
    const d = m.Destination;
    if (path === d || path.startsWith(d === '/' ? '/' : `${d}/`)) {
      if (!best || d.length > best.dest.length) best = { dest: d, rw: m.RW };
    }
  }
  if (best) {
    if (!best.rw) throw new InvalidArgument('mounted volume is marked read-only');
    return;
  }
  if (c.hostConfig.ReadonlyRootfs) throw new InvalidArgument('container rootfs is marked read-only');
}
