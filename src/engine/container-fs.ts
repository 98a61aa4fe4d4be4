// A container's file system as `cp` sees it, walked one component at a time through file
// descriptors so that nothing a process in the container does can make berthd touch a file
// outside it (the CVE-2018-15664 class: a directory swapped for a symlink while a copy runs).
//
// Each directory on the way is held open (O_PATH|O_NOFOLLOW) and the next component is looked up
// relative to it through /proc/self/fd/<fd>/<name>, which the kernel resolves against the
// descriptor, not a path; a symlink is never followed by the kernel: its target is read and
// resolved here, with absolute targets restarting at the container's root and ".." never
// climbing above it. A running container is entered through /proc/<pid>/root, so its own mounts
// (volumes, binds, tmpfs) are seen as the container sees them; a stopped one through its mounted
// rootfs, with its volumes and binds laid over it from a table.
import fs, { type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound } from '../errors/index.ts';

export const O_PATH = 0o10000000;
const { O_NOFOLLOW, O_DIRECTORY, O_RDONLY } = fs.constants;
const maxSymlinks = 40;

const openAsync = promisify(fs.open) as (path: string, flags: number, mode?: number) => Promise<number>;
const closeAsync = promisify(fs.close);
const fstatAsync = promisify(fs.fstat) as (fd: number) => Promise<Stats>;

export function fdPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

export function closeQuietly(fd: number): void {
  fs.close(fd, () => {});
}

export interface Node {
  /** O_PATH descriptor of the object itself; owned by whoever asked for it. */
  fd: number;
  st: Stats;
  /** The path in the container it resolved to ("/etc/passwd"). */
  path: string;
}

export interface Lookup {
  /** The object, or undefined when the last component does not exist. */
  node?: Node;
  /** The directory it is (or would be) in: O_PATH descriptor owned by the caller. */
  parent: Node;
  name: string;
  /** The fully resolved container path (as far as it exists, then literally). */
  path: string;
}

interface Frame {
  fd: number;
  path: string;
  st: Stats;
  owned: boolean;
}

function childOf(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class ContainerFs {
  readonly #root: Frame;
  /** Host paths laid over the root (a stopped container's volumes and binds), by container path. */
  readonly #overlays: Map<string, string>;
  #closed = false;

  private constructor(root: Frame, overlays: Map<string, string>) {
    this.#root = root;
    this.#overlays = overlays;
  }

  /** `rootPath` is a trusted host path: the mounted rootfs, or /proc/<pid>/root. */
  static async open(rootPath: string, overlays: Map<string, string> = new Map()): Promise<ContainerFs> {
    const fd = await openAsync(rootPath, O_PATH | O_DIRECTORY);
    const st = await fstatAsync(fd);
    return new ContainerFs({ fd, path: '/', st, owned: true }, overlays);
  }

  get rootFd(): number {
    return this.#root.fd;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#root.fd);
  }

  /**
   * Resolves `path` inside the container. Every component but the last must exist; symlinks on
   * the way are followed (inside the container), the last one only when `followLast`.
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
        const childPath = childOf(cur.path, part);
        const last = pending.length === 0;
        const overlay = this.#overlays.get(childPath);
        let fd: number;
        try {
          fd = overlay !== undefined ? await openAsync(overlay, O_PATH) : await openAsync(fdPath(cur.fd, part), O_PATH | O_NOFOLLOW);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          if (last) {
            const parent = stack.pop()!;
            release(stack.filter((f) => f !== this.#root));
            return { parent: parent === this.#root ? await this.#dupRoot() : parent, name: part, path: childPath };
          }
          if (!options.createParents) throw errnoError('ENOENT', `no such file or directory: ${childPath}`);
          try {
            await promisify(fs.mkdir)(fdPath(cur.fd, part), 0o755);
          } catch (mkErr) {
            if ((mkErr as NodeJS.ErrnoException).code !== 'EEXIST') throw mkErr;
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
            target = await fs.promises.readlink(fdPath(cur.fd, part));
          } catch (err) {
            // swapped for something else meanwhile: look at it again
            if ((err as NodeJS.ErrnoException).code === 'EINVAL' || (err as NodeJS.ErrnoException).code === 'ENOENT') {
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
        const root = this.#own(this.#root);
        return { node: root, parent: await this.#dupRoot(), name: '/', path: '/' };
      }
      const node = stack.pop()!;
      const parent = stack.pop()!;
      release(stack.filter((f) => f !== this.#root));
      return { node, parent: parent === this.#root ? await this.#dupRoot() : (parent as Node), name: node.path.slice(node.path.lastIndexOf('/') + 1), path: node.path };
    } catch (err) {
      release(stack.filter((f) => f !== this.#root));
      throw err;
    }
  }

  /** A frame the caller may close: the root's descriptor is duplicated, others are handed over. */
  #own(f: Frame): Node {
    if (f !== this.#root) return { fd: f.fd, st: f.st, path: f.path };
    // reopen through /proc so that closing it does not close the root
    const fd = fs.openSync(fdPath(f.fd), O_PATH | O_DIRECTORY);
    return { fd, st: f.st, path: '/' };
  }

  async #dupRoot(): Promise<Node> {
    const fd = await openAsync(fdPath(this.#root.fd), O_PATH | O_DIRECTORY);
    return { fd, st: this.#root.st, path: '/' };
  }

  /** The host path laid over container path `p`, if one is (stopped containers only). */
  overlayAt(p: string): string | undefined {
    return this.#overlays.get(p);
  }
}

/** Opens a child of a held directory without following it; undefined when it does not exist. */
export async function openChild(dirFd: number, name: string, flags = O_PATH): Promise<number | undefined> {
  try {
    return await openAsync(fdPath(dirFd, name), flags | O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reopens an O_PATH descriptor for reading (a regular file or a directory). */
export function reopen(fd: number, flags = O_RDONLY): Promise<number> {
  return openAsync(fdPath(fd), flags);
}

export { openAsync, closeAsync, fstatAsync, O_NOFOLLOW, O_DIRECTORY };

/** Maps a walk failure to dockerd's errors: a missing path is "Could not find the file". */
export function fsError(err: unknown, path: string, container: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new NotFound(`Could not find the file ${path} in container ${container}`);
  if (code === 'ELOOP' || code === 'ENOTDIR') return new InvalidArgument((err as Error).message);
  return err;
}
