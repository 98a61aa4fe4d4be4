// The archive API behind `cp`: HEAD (stat), GET (a tar of a path) and PUT (extract a tar into a
// directory) of /containers/{id}/archive, with dockerd's semantics and errors, on running and
// stopped containers, into and out of their volumes and binds. Every path is walked through
// ContainerFs (descriptor-relative, never following a symlink in the kernel), so neither the
// path, nor the archive's names and links, nor a process racing the copy can reach outside the
// container.
import fs, { promises as fsp, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { cleanEntryName, createTarPacker, decompress, deviceNumbers, readTar, type TarHeader, type TarHeaderInit, type TarPacker } from '../archive/index.ts';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { S_IFBLK, S_IFCHR, S_IFIFO } from '../sys/index.ts';
import type { Container } from './container.ts';
import {
  ContainerFs,
  O_DIRECTORY,
  O_NOFOLLOW,
  O_PATH,
  closeQuietly,
  fdPath,
  fsError,
  fstatAsync,
  openAsync,
  openChild,
  reopen,
  type Lookup,
  type Node,
} from './container-fs.ts';
import type { EngineContext } from './context.ts';
import { resolveUser } from './user.ts';

/** docker's PathStat (X-Docker-Container-Path-Stat, base64 JSON); mode is a Go os.FileMode. */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

const readAsync = promisify(fs.read) as unknown as (fd: number, buf: Buffer, off: number, len: number, pos: number | null) => Promise<{ bytesRead: number }>;
const fchownAsync = promisify(fs.fchown);
const fchmodAsync = promisify(fs.fchmod);
const futimesAsync = promisify(fs.futimes);
/** Files up to this size are written in the background, up to maxBackground at a time. */
const backgroundFileSize = 256 * 1024;
const maxBackground = 32;
const writeAsync = promisify(fs.write) as unknown as (fd: number, buf: Buffer) => Promise<{ bytesWritten: number }>;

const writevAsync = promisify(fs.writev) as unknown as (fd: number, bufs: Buffer[]) => Promise<{ bytesWritten: number }>;

/** Writes every byte of `bufs`, carrying on after short writes. */
async function writeAll(fd: number, bufs: Buffer[]): Promise<void> {
  let rest = bufs;
  while (rest.length > 0) {
    let n = (rest.length === 1 ? await writeAsync(fd, rest[0]) : await writevAsync(fd, rest)).bytesWritten;
    const left: Buffer[] = [];
    for (const b of rest) {
      if (n >= b.length) n -= b.length;
      else {
        left.push(b.subarray(n));
        n = 0;
      }
    }
    rest = left;
  }
}

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
  fs: ContainerFs;
  release(): Promise<void>;
}

/** The container's file system: through its process when running, its mounted rootfs when not. */
async function openContainerFs(ctx: EngineContext, c: Container): Promise<Opened> {
  if (c.state.Running && c.state.Pid > 0) {
    try {
      const cfs = await ContainerFs.open(`/proc/${c.state.Pid}/root`);
      return { fs: cfs, release: async () => cfs.close() };
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
    const cfs = await ContainerFs.open(rootfs, overlays);
    return {
      fs: cfs,
      release: async () => {
        cfs.close();
        await ctx.layers.unmountRw(c.id).catch(() => {});
      },
    };
  } catch (err) {
    await ctx.layers.unmountRw(c.id).catch(() => {});
    throw err;
  }
}

function closeLookup(l: Lookup): void {
  closeQuietly(l.parent.fd);
  if (l.node) closeQuietly(l.node.fd);
}

async function statIn(cfs: ContainerFs, abs: string): Promise<{ stat: PathStat; lookup: Lookup }> {
  const followLast = abs.endsWith('/') || abs.endsWith('/.');
  const l = await cfs.lookup(abs, { followLast });
  if (!l.node) {
    closeLookup(l);
    throw Object.assign(new Error(`lstat ${abs}: no such file or directory`), { code: 'ENOENT' });
  }
  let linkTarget = '';
  if (l.node.st.isSymbolicLink()) {
    try {
      const t = await cfs.lookup(abs, { followLast: true });
      linkTarget = t.path;
      closeLookup(t);
    } catch {
      linkTarget = '';
    }
  }
  const st = l.node.st;
  return { stat: { name: goBase(abs), size: st.size, mode: goFileMode(st), mtime: goTime(st.mtime), linkTarget }, lookup: l };
}

export async function statContainerPath(ctx: EngineContext, c: Container, path: string, ref: string): Promise<PathStat> {
  if (!path) throw new InvalidArgument('bad parameter: path cannot be empty');
  const opened = await openContainerFs(ctx, c);
  try {
    const { stat, lookup } = await statIn(opened.fs, containerAbsPath(path));
    closeLookup(lookup);
    return stat;
  } catch (err) {
    throw fsError(err, path, ref);
  } finally {
    await opened.release();
  }
}

/** GET: the stat of `path` and a tar of it, named as dockerd names it (the path's base name). */
export async function archiveContainerPath(ctx: EngineContext, c: Container, path: string, ref: string): Promise<{ stat: PathStat; stream: Readable }> {
  if (!path) throw new InvalidArgument('bad parameter: path cannot be empty');
  const opened = await openContainerFs(ctx, c);
  let lookup: Lookup;
  let stat: PathStat;
  const abs = containerAbsPath(path);
  try {
    ({ stat, lookup } = await statIn(opened.fs, abs));
  } catch (err) {
    await opened.release();
    throw fsError(err, path, ref);
  }
  const packer = createTarPacker();
  const node = lookup.node!;
  const rebase = goBase(abs);
  const walker = new TreePacker(packer, opened.fs, c, ctx.sys);
  void (async () => {
    try {
      await walker.entry(lookup.parent.fd, lookup.name, node, rebase, lookup.path);
      await packer.finish();
    } catch (err) {
      packer.abort(err as Error);
    } finally {
      closeLookup(lookup);
      await opened.release();
    }
  })();
  ctx.events.publish('container', 'archive-path', c.id, { image: c.record.Config.Image, name: c.name, path: abs });
  return { stat, stream: packer.stream };
}

class TreePacker {
  #packer: TarPacker;
  #fs: ContainerFs;
  #links = new Map<string, string>();
  /** Where the container's own mounts are; other mounts met (proc, sys, dev) are not entered. */
  #mountPoints: Set<string>;

  constructor(packer: TarPacker, cfs: ContainerFs, c: Container, _sys: unknown) {
    this.#packer = packer;
    this.#fs = cfs;
    this.#mountPoints = new Set(['/', ...Object.keys(c.record.MountPoints ?? {})]);
  }

  /** Writes `node` (named `name` in the directory `dirFd`) as `entryName`, and what it holds. */
  async entry(dirFd: number, name: string, node: Node, entryName: string, path: string, parentDev?: number, data?: Buffer): Promise<void> {
    const st = node.st;
    const base: TarHeaderInit = {
      name: entryName,
      type: 'file',
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: st.mtime,
    };
    if (st.isDirectory()) {
      await this.#packer.entry({ ...base, type: 'directory', name: entryName.endsWith('/') ? entryName : `${entryName}/` });
      // a mount the runtime made (proc, sysfs, devpts…) is shown as its mount point only
      if (parentDev !== undefined && st.dev !== parentDev && !this.#mountPoints.has(path)) return;
      const names = (await fsp.readdir(fdPath(node.fd))).sort(compareBytes);
      // children are opened, stat'ed and (small files) read a few ahead of the one being written
      const prepare = async (child: string): Promise<Prepared | undefined> => {
        const childPath = path === '/' ? `/${child}` : `${path}/${child}`;
        const overlay = this.#fs.overlayAt(childPath);
        const fd = overlay !== undefined ? await openAsync(overlay, O_PATH).catch(() => undefined) : await openChild(node.fd, child);
        if (fd === undefined) return undefined; // gone meanwhile
        try {
          const cst = await fstatAsync(fd);
          let data: Buffer | undefined;
          if (cst.isFile() && cst.size <= prefetchSize && cst.nlink === 1) {
            const rfd = await reopen(fd);
            try {
              data = Buffer.concat(await collect(readExactly(rfd, cst.size)));
            } finally {
              closeQuietly(rfd);
            }
          }
          return { child, fd, st: cst, path: childPath, overlay: overlay !== undefined, ...(data ? { data } : {}) };
        } catch (err) {
          closeQuietly(fd);
          throw err;
        }
      };
      const queue: Array<Promise<Prepared | undefined>> = [];
      let next = 0;
      const fill = () => {
        while (queue.length < lookahead && next < names.length) {
          const p = prepare(names[next++]);
          p.catch(() => {}); // awaited in turn
          queue.push(p);
        }
      };
      fill();
      try {
        while (queue.length > 0) {
          const item = await queue.shift()!;
          fill();
          if (!item) continue;
          try {
            const childName = entryName.endsWith('/') ? `${entryName}${item.child}` : `${entryName}/${item.child}`;
            await this.entry(node.fd, item.child, { fd: item.fd, st: item.st, path: item.path }, childName, item.path, item.overlay ? undefined : st.dev, item.data);
          } finally {
            closeQuietly(item.fd);
          }
        }
      } finally {
        for (const p of queue) void p.then((item) => item && closeQuietly(item.fd), () => {});
      }
      return;
    }
    if (st.isFile()) {
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = this.#links.get(key);
        if (first !== undefined) {
          await this.#packer.entry({ ...base, type: 'link', linkname: first });
          return;
        }
        this.#links.set(key, entryName);
      }
      if (data) {
        await this.#packer.entry({ ...base, size: data.length }, [data]);
        return;
      }
      const fd = await reopen(node.fd);
      try {
        await this.#packer.entry({ ...base, size: st.size }, readExactly(fd, st.size));
      } finally {
        closeQuietly(fd);
      }
      return;
    }
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await fsp.readlink(fdPath(dirFd, name));
      } catch {
        return; // replaced meanwhile
      }
      await this.#packer.entry({ ...base, type: 'symlink', linkname: target });
      return;
    }
    if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
      const { major, minor } = deviceNumbers(st.rdev);
      const type = st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'char' : 'block';
      await this.#packer.entry({ ...base, type, devmajor: major, devminor: minor });
    }
    // sockets are left out, as docker does
  }
}

interface Prepared {
  child: string;
  fd: number;
  st: Stats;
  path: string;
  overlay: boolean;
  data?: Buffer;
}

/** Small files are read while earlier entries are written, this many ahead. */
const prefetchSize = 256 * 1024;
const lookahead = 16;

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return out;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Exactly `size` bytes of a file: a file that shrank meanwhile is padded, one that grew is cut. */
async function* readExactly(fd: number, size: number): AsyncGenerator<Buffer> {
  let left = size;
  while (left > 0) {
    const buf = Buffer.allocUnsafe(Math.min(left, 1 << 20));
    const { bytesRead } = await readAsync(fd, buf, 0, buf.length, null);
    if (bytesRead === 0) {
      yield Buffer.alloc(left);
      return;
    }
    left -= bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
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
  const opened = await openContainerFs(ctx, c);
  let dest: Lookup | undefined;
  try {
    try {
      dest = await opened.fs.lookup(path, { followLast: true });
    } catch (err) {
      throw fsError(err, path, ref);
    }
    if (!dest.node) throw new NotFound(`Could not find the file ${path} in container ${ref}`);
    if (!dest.node.st.isDirectory()) throw new InvalidArgument('extraction point is not a directory');
    checkWritable(c, dest.path);
    let owner: { uid: number; gid: number } | undefined;
    if (options.copyUIDGID && c.record.Config.User) {
      const u = await resolveUser(fdPath(opened.fs.rootFd), c.record.Config.User).catch((err: unknown) => {
        throw new InvalidArgument((err as Error).message);
      });
      owner = { uid: u.uid, gid: u.gid };
    }
    const extractor = new Extractor(opened.fs, dest.path, { ...options, ...(owner ? { owner } : {}), mknod: ctx.sys?.mknod.bind(ctx.sys) });
    try {
      await extractor.run(await decompress(input));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // what the archive asked for cannot be made (a loop, a file where a directory must be…)
      if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' || code === 'EISDIR') throw new InvalidArgument((err as Error).message, { cause: err });
      throw err;
    } finally {
      extractor.close();
    }
  } finally {
    if (dest) closeLookup(dest);
    await opened.release();
  }
  ctx.events.publish('container', 'extract-to-dir', c.id, { image: c.record.Config.Image, name: c.name, path });
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

interface ExtractorOptions extends ExtractOptions {
  owner?: { uid: number; gid: number };
  mknod: ((path: string, mode: number, major: number, minor: number) => void) | undefined;
}

interface DirTime {
  path: string;
  atime: Date;
  mtime: Date;
}

class Extractor {
  #fs: ContainerFs;
  #base: string;
  #options: ExtractorOptions;
  /** Held parent directories by archive-relative path; cleared whenever something is removed. */
  #dirs = new Map<string, Node>();
  #dirTimes: DirTime[] = [];

  constructor(cfs: ContainerFs, base: string, options: ExtractorOptions) {
    this.#fs = cfs;
    this.#base = base;
    this.#options = options;
  }

  close(): void {
    for (const n of this.#dirs.values()) closeQuietly(n.fd);
    this.#dirs.clear();
  }

  #containerPath(rel: string): string {
    if (rel === '') return this.#base;
    return this.#base === '/' ? `/${rel}` : `${this.#base}/${rel}`;
  }

  /** The held directory that archive path `rel` names, made (0755) when missing. */
  async #dir(rel: string): Promise<Node> {
    const hit = this.#dirs.get(rel);
    if (hit) return hit;
    const l = await this.#fs.lookup(this.#containerPath(rel), { followLast: true, createParents: true });
    const node = l.node;
    if (!node) {
      try {
        await fsp.mkdir(fdPath(l.parent.fd, l.name), 0o755);
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
      }
      closeLookup(l);
      return this.#dir(rel);
    }
    closeQuietly(l.parent.fd);
    if (!node.st.isDirectory()) {
      closeQuietly(node.fd);
      throw new InvalidArgument(`cannot extract into ${this.#containerPath(rel)}: not a directory`);
    }
    this.#dirs.set(rel, node);
    return node;
  }

  #forget(): void {
    this.close();
  }

  async run(input: Readable): Promise<void> {
    for await (const entry of readTar(input)) {
      // descriptors held for one entry stay valid through it; the cache is bounded between entries
      if (this.#dirs.size >= 256) this.close();
      const h = entry.header;
      const rel = cleanEntryName(h.name);
      if (rel === '') {
        // the extraction directory itself: only its metadata
        if (h.type === 'directory') {
          const root = await this.#dir('');
          await this.#metadata(root.fd, undefined, h, true);
          this.#dirTimes.push({ path: '', atime: h.atime ?? h.mtime, mtime: h.mtime });
        }
        entry.body.resume();
        continue;
      }
      const slash = rel.lastIndexOf('/');
      const parentRel = slash < 0 ? '' : rel.slice(0, slash);
      const name = slash < 0 ? rel : rel.slice(slash + 1);
      const parent = await this.#dir(parentRel);
      try {
        await this.#create(parent.fd, name, rel, h, entry.body);
        continue;
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw err;
      }
      // something is in the way: dockerd's rules for replacing it
      await this.#settle();
      const existing = await fsp.lstat(fdPath(parent.fd, name));
      const isDir = h.type === 'directory';
      if (this.#options.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
        throw new InvalidArgument(`cannot overwrite directory "${this.#containerPath(rel)}" with non-directory "${h.name}"`);
      }
      if (this.#options.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
        throw new InvalidArgument(`cannot overwrite non-directory "${this.#containerPath(rel)}" with directory "${h.name}"`);
      }
      await removeAt(parent.fd, name);
      this.#forget();
      const dir = await this.#dir(parentRel); // again: the removal released the held directories
      await this.#create(dir.fd, name, rel, h, entry.body);
    }
    await this.#settle();
    // directory times last: creating their content changed them
    for (const d of this.#dirTimes.reverse()) {
      try {
        const slash = d.path.lastIndexOf('/');
        if (d.path === '') {
          const root = await this.#dir('');
          await fsp.utimes(fdPath(root.fd), d.atime, d.mtime);
          continue;
        }
        const parent = await this.#dir(slash < 0 ? '' : d.path.slice(0, slash));
        await fsp.lutimes(fdPath(parent.fd, d.path.slice(slash + 1)), d.atime, d.mtime);
      } catch {
        // best effort, as dockerd's
      }
    }
  }

  async #create(dirFd: number, name: string, rel: string, h: TarHeader, body: Readable): Promise<void> {
    const target = fdPath(dirFd, name);
    switch (h.type) {
      case 'directory': {
        try {
          await fsp.mkdir(target, 0o700);
        } catch (err) {
          if (!isErrno(err, 'EEXIST')) throw err;
        }
        let fd: number;
        try {
          fd = await openAsync(target, fs.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        } catch (err) {
          // a file or a symlink where the directory goes
          if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) throw Object.assign(new Error(`${rel} exists`), { code: 'EEXIST' });
          throw err;
        }
        try {
          await this.#metadata(fd, undefined, h, false);
        } finally {
          closeQuietly(fd);
        }
        this.#dirTimes.push({ path: rel, atime: h.atime ?? h.mtime, mtime: h.mtime });
        body.resume();
        return;
      }
      case 'file': {
        const fd = await openAsync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, 0o600);
        if (h.size <= backgroundFileSize) {
          // small files: written and closed in the background while the next entries are read
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of body) chunks.push(chunk as Buffer);
          } catch (err) {
            closeQuietly(fd);
            throw err;
          }
          await this.#background(async () => {
            try {
              await writeAll(fd, chunks);
              await this.#metadata(fd, undefined, h, true);
            } finally {
              closeQuietly(fd);
            }
          });
          return;
        }
        try {
          // the network hands over small chunks: gather about 1 MiB per write
          let batch: Buffer[] = [];
          let batched = 0;
          for await (const chunk of body) {
            batch.push(chunk as Buffer);
            batched += (chunk as Buffer).length;
            if (batched >= 1 << 20) {
              await writeAll(fd, batch);
              batch = [];
              batched = 0;
            }
          }
          if (batch.length) await writeAll(fd, batch);
          await this.#metadata(fd, undefined, h, true);
        } finally {
          closeQuietly(fd);
        }
        return;
      }
      case 'symlink': {
        body.resume();
        await fsp.symlink(h.linkname, target);
        const { uid, gid } = this.#owner(h);
        await fsp.lchown(target, uid, gid);
        await fsp.lutimes(target, h.atime ?? h.mtime, h.mtime).catch(() => {});
        return;
      }
      case 'link': {
        body.resume();
        await this.#settle();
        const linkRel = cleanEntryName(h.linkname);
        const slash = linkRel.lastIndexOf('/');
        const from = await this.#dir(slash < 0 ? '' : linkRel.slice(0, slash));
        try {
          await fsp.link(fdPath(from.fd, linkRel.slice(slash + 1)), target);
        } catch (err) {
          throw new InvalidArgument(`invalid hardlink ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}: ${(err as Error).message}`);
        }
        return;
      }
      case 'char':
      case 'block':
      case 'fifo': {
        body.resume();
        const kind = h.type === 'char' ? S_IFCHR : h.type === 'block' ? S_IFBLK : S_IFIFO;
        if (!this.#options.mknod) throw new InvalidArgument(`cannot create device ${h.name}`);
        this.#options.mknod(target, kind | (h.mode & 0o7777), h.devmajor, h.devminor);
        // chmod and chown through a descriptor of what was just made, never through the name
        const fd = await openAsync(target, O_PATH | O_NOFOLLOW);
        try {
          const st = await fstatAsync(fd);
          if (st.isSymbolicLink()) return;
          const { uid, gid } = this.#owner(h);
          await fsp.chown(fdPath(fd), uid, gid);
          await fsp.chmod(fdPath(fd), h.mode & 0o7777);
          await fsp.utimes(fdPath(fd), h.atime ?? h.mtime, h.mtime).catch(() => {});
        } finally {
          closeQuietly(fd);
        }
        return;
      }
    }
  }

  #pending = new Set<Promise<void>>();
  #failure: unknown;

  async #background(job: () => Promise<void>): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#pending.size >= maxBackground) await Promise.race(this.#pending);
    const p: Promise<void> = job()
      .catch((err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Waits for the background writes; their first failure fails the extraction. */
  async #settle(): Promise<void> {
    await Promise.all(this.#pending);
    if (this.#failure) throw this.#failure;
  }

  #owner(h: TarHeader): { uid: number; gid: number } {
    return this.#options.owner ?? { uid: h.uid, gid: h.gid };
  }

  async #metadata(fd: number, _unused: undefined, h: TarHeader, times: boolean): Promise<void> {
    const { uid, gid } = this.#owner(h);
    // a descriptor opened with O_PATH (the root) is reached again through /proc for the calls
    try {
      await fchownAsync(fd, uid, gid);
      await fchmodAsync(fd, h.mode & 0o7777);
      if (times) await futimesAsync(fd, h.atime ?? h.mtime, h.mtime);
    } catch (err) {
      if (!isErrno(err, 'EBADF')) throw err;
      await fsp.chown(fdPath(fd), uid, gid);
      await fsp.chmod(fdPath(fd), h.mode & 0o7777);
      if (times) await fsp.utimes(fdPath(fd), h.atime ?? h.mtime, h.mtime);
    }
  }
}

/** rm -r of `name` in a held directory, descending through descriptors only. */
async function removeAt(dirFd: number, name: string): Promise<void> {
  const path = fdPath(dirFd, name);
  const st = await fsp.lstat(path);
  if (!st.isDirectory()) {
    await fsp.unlink(path);
    return;
  }
  const fd = await openAsync(path, fs.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const child of await fsp.readdir(fdPath(fd))) await removeAt(fd, child);
  } finally {
    closeQuietly(fd);
  }
  await fsp.rmdir(path);
}
