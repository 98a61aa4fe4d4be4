// The overlay2 driver, with dockerd's on-disk layout:
//   overlay2/<id>/diff    the layer's own files (an overlay upper dir)
//   overlay2/<id>/link    the layer's short name; overlay2/l/<short> -> ../<id>/diff
//   overlay2/<id>/lower   the parents' short links, nearest first ("l/AAA:l/BBB")
//   overlay2/<id>/work    overlay's work dir (layers with parents only)
//   overlay2/<id>/merged  the mount point
// Short links keep the mount data under the kernel's one-page limit for deep images.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { applyLayer, changes, packDirectory, type Change, type IdMapper, type TarSegments } from '../archive/index.ts';
import { NotFound, SystemError, isErrno } from '../errors/index.ts';
import { directorySize } from '../lib/index.ts';
import { MNT_DETACH, type Syscalls } from '../sys/index.ts';

/**
 * userns-remap: layers are stored as the user namespace sees them, so files a layer's tar gives
 * to root belong to the remapped root on disk (dockerd keeps such a store per mapping).
 */
export interface LayerOwnership {
  /** The host ids container root maps to: they own the layer directories. */
  root: { uid: number; gid: number };
  /** Owners in layer tars (container ids) to owners on disk (host ids). */
  toHost: IdMapper;
  /** And back, for the tars made from layers (commit, export). */
  toContainer: IdMapper;
}

const linkDir = 'l';
const maxMountData = 4000; // one page minus room for the option names

export class Overlay2Driver {
  readonly root: string;
  #sys: Syscalls;
  #mountCounts = new Map<string, number>();
  readonly ownership: LayerOwnership | undefined;

  constructor(root: string, sys: Syscalls, options: { ownership?: LayerOwnership } = {}) {
    this.root = root;
    this.#sys = sys;
    this.ownership = options.ownership;
  }

  /** Gives a layer's directory to the remapped root (its whole group for the traversed ones), as dockerd does. */
  async #own(path: string, whole: boolean): Promise<void> {
    const o = this.ownership;
    if (o) await fsp.chown(path, whole ? o.root.uid : 0, o.root.gid);
  }

  async init(): Promise<void> {
    await fsp.mkdir(join(this.root, linkDir), { recursive: true, mode: 0o700 });
    await fsp.chmod(this.root, 0o710);
    await this.#own(this.root, false);
    // Mounts made before a daemon restart are still there: count each once.
    for (const m of this.#sys.mountTargets()) {
      if (m.startsWith(this.root + '/') && m.endsWith('/merged')) {
        this.#mountCounts.set(m.slice(this.root.length + 1, -'/merged'.length), 1);
      }
    }
  }

  dir(id: string): string {
    return join(this.root, id);
  }

  async exists(id: string): Promise<boolean> {
    try {
      await fsp.access(join(this.root, id, 'diff'));
      return true;
    } catch {
      return false;
    }
  }

  /** Creates an empty layer on top of `parent` (none for a base layer). */
  async create(id: string, parent?: string): Promise<void> {
    const dir = join(this.root, id);
    await fsp.mkdir(dir, { mode: 0o710 });
    await this.#own(dir, false);
    await fsp.mkdir(join(dir, 'diff'), { mode: 0o755 });
    await this.#own(join(dir, 'diff'), true);
    const short = randomShortId();
    await fsp.symlink(join('..', id, 'diff'), join(this.root, linkDir, short));
    await fsp.writeFile(join(dir, 'link'), short);
    if (parent !== undefined) {
      const parentLink = (await fsp.readFile(join(this.root, parent, 'link'), 'utf8')).trim();
      const parentLower = await readOptional(join(this.root, parent, 'lower'));
      const lower = [`${linkDir}/${parentLink}`, ...(parentLower ? parentLower.split(':') : [])].join(':');
      await fsp.writeFile(join(dir, 'lower'), lower);
      await fsp.mkdir(join(dir, 'work'), { mode: 0o700 });
      await fsp.mkdir(join(dir, 'merged'), { mode: 0o700 });
      await this.#own(join(dir, 'work'), true);
      await this.#own(join(dir, 'merged'), true);
    }
  }

  async remove(id: string): Promise<void> {
    this.#described.delete(id);
    const dir = join(this.root, id);
    await this.#unmountAll(id);
    const short = await readOptional(join(dir, 'link'));
    if (short) await fsp.rm(join(this.root, linkDir, short.trim()), { force: true });
    // retried: a writer that has just finished may still be closing a file in there (ENOTEMPTY)
    await fsp.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }

  /** Mounts the layer (counting references) and returns the path of its root file system. */
  async mount(id: string): Promise<string> {
    const dir = join(this.root, id);
    const lower = await readOptional(join(dir, 'lower'));
    if (lower === undefined) {
      if (!(await this.exists(id))) throw new NotFound(`layer ${id} does not exist`);
      return join(dir, 'diff');
    }
    const merged = join(dir, 'merged');
    const count = this.#mountCounts.get(id) ?? 0;
    if (count > 0) {
      this.#mountCounts.set(id, count + 1);
      return merged;
    }
    const lowers = lower.split(':');
    const absolute = `lowerdir=${lowers.map((l) => join(this.root, l)).join(':')},upperdir=${join(dir, 'diff')},workdir=${join(dir, 'work')},index=off`;
    if (absolute.length < maxMountData) {
      try {
        this.#sys.mount('overlay', merged, 'overlay', 0, absolute);
      } catch (err) {
        throw new SystemError(`error creating overlay mount to ${merged}: ${(err as Error).message}`, { cause: err });
      }
    } else {
      // Too long with absolute paths: mounted relative to the driver root, the short links fit.
      const relative = `lowerdir=${lower},upperdir=${join(id, 'diff')},workdir=${join(id, 'work')},index=off`;
      try {
        await this.#sys.mountIn(this.root, { source: 'overlay', target: join(id, 'merged'), fstype: 'overlay', data: relative });
      } catch (err) {
        throw new SystemError(`error creating overlay mount to ${merged}: ${(err as Error).message}`, { cause: err });
      }
    }
    this.#mountCounts.set(id, 1);
    return merged;
  }

  /** Drops one mount reference; unmounts at zero. */
  async unmount(id: string): Promise<void> {
    const count = this.#mountCounts.get(id) ?? 0;
    if (count > 1) {
      this.#mountCounts.set(id, count - 1);
      return;
    }
    await this.#unmountAll(id);
  }

  isMounted(id: string): boolean {
    return (this.#mountCounts.get(id) ?? 0) > 0;
  }

  async #unmountAll(id: string): Promise<void> {
    const merged = join(this.root, id, 'merged');
    this.#mountCounts.delete(id);
    for (;;) {
      try {
        this.#sys.umount(merged, MNT_DETACH);
      } catch (err) {
        if (isErrno(err, 'EINVAL') || isErrno(err, 'ENOENT')) return; // not (or no longer) mounted
        throw new SystemError(`error unmounting ${merged}: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /** Unpacks a layer tar (uncompressed) into the layer's diff dir; returns the bytes written. */
  async applyDiff(id: string, tar: Readable, options: { segments?: TarSegments } = {}): Promise<number> {
    const mapIds = this.ownership?.toHost;
    const { size } = await applyLayer(tar, join(this.root, id, 'diff'), { sys: this.#sys, whiteouts: 'overlay', ...(mapIds ? { mapIds } : {}), ...options });
    return size;
  }

  /** The layer's own changes as an OCI layer tar (overlay whiteouts become .wh. files). */
  diff(id: string): Readable {
    return packDirectory(join(this.root, id, 'diff'), { sys: this.#sys, whiteouts: 'overlay', ...this.#unmap() });
  }

  /** A mounted tree (from `mount`) whole, as `docker export` writes it: no whiteouts to map. */
  packTree(root: string): Readable {
    return packDirectory(root, { sys: this.#sys, whiteouts: 'keep', ...this.#unmap() });
  }

  #unmap(): { mapIds?: IdMapper } {
    return this.ownership ? { mapIds: this.ownership.toContainer } : {};
  }

  async changes(id: string): Promise<Change[]> {
    const lower = await readOptional(join(this.root, id, 'lower'));
    const lowers = lower ? lower.split(':').map((l) => join(this.root, l)) : [];
    return changes(join(this.root, id, 'diff'), lowers, { sys: this.#sys });
  }

  /** Bytes used by the layer's own files (`du` of its diff dir, hard links counted once). */
  async diffSize(id: string): Promise<number> {
    return directorySize(join(this.root, id, 'diff'), { skipUnreadable: true });
  }

  /**
   * The directories overlay uses for this layer, as `inspect` shows them under GraphDriver.Data.
   * A layer's lower chain never changes: it is read once (inspect is on `docker logs`' path).
   */
  async describe(id: string): Promise<Record<string, string>> {
    let known = this.#described.get(id);
    if (!known) {
      known = this.#describe(id);
      this.#described.set(id, known);
      known.catch(() => this.#described.delete(id));
    }
    return { ...(await known) };
  }

  readonly #described = new Map<string, Promise<Record<string, string>>>();

  async #describe(id: string): Promise<Record<string, string>> {
    const dir = join(this.root, id);
    const lower = await readOptional(join(dir, 'lower'));
    const data: Record<string, string> = {};
    if (lower) {
      data.LowerDir = (await Promise.all(lower.split(':').map((l) => fsp.realpath(join(this.root, l)).catch(() => join(this.root, l))))).join(':');
      data.MergedDir = join(dir, 'merged');
      data.UpperDir = join(dir, 'diff');
      data.WorkDir = join(dir, 'work');
    } else {
      data.MergedDir = join(dir, 'merged');
      data.UpperDir = join(dir, 'diff');
      data.WorkDir = join(dir, 'work');
    }
    return data;
  }

  /** Every layer directory present, for the start-up sweep of leftovers. */
  async list(): Promise<string[]> {
    const names = await fsp.readdir(this.root);
    return names.filter((n) => n !== linkDir);
  }

  /** Removes short links whose layer is gone. */
  async pruneLinks(): Promise<void> {
    const dir = join(this.root, linkDir);
    for (const name of await fsp.readdir(dir)) {
      try {
        await fsp.stat(join(dir, name));
      } catch {
        await fsp.rm(join(dir, name), { force: true });
      }
    }
  }
}

function randomShortId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += alphabet[b & 31];
  return s;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}
