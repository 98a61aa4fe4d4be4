// Path resolution inside a root directory as if it were "/" (what a chroot gives dockerd's
// unpacker), through lib's walkInRoot: symlinks met on the way are followed, absolute targets
// restart at the root, ".." stops at the root. Only directories are resolved here; callers never
// follow an entry's last component. Results are cached per tar path, because a layer names the
// same parents thousands of times and a full walk costs one lstat per component.
//
// Like filepath-securejoin this checks, then acts: it is safe for trees only Berth writes to
// (a layer being unpacked), not against a process swapping components concurrently.
import { promises as fsp } from 'node:fs';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { walkInRoot } from '../lib/index.ts';

/** Byte order of the UTF-8 names (Go sorts directory entries so), not UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // surrogates (astral code points) sort after every other BMP unit in UTF-8
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function childPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/**
 * Cleans an archive path to a path relative to the root ('' for the root itself): leading "/"
 * and "." components go, ".." is applied; a path that climbs above the root is an error, as in
 * dockerd ("invalid entry name").
 */
export function cleanArchivePath(name: string): string | undefined {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

export class RootResolver {
  readonly root: string;
  #dirs = new Map<string, string>();
  /** Real paths of the setgid directories met, with their group: what entries made in them get. */
  #setgid = new Map<string, number>();
  /**
   * Directories made by this extraction, without a default ACL: what is created in them gets
   * exactly the process's owner (or a setgid parent's group) and the umask's mode.
   */
  #fresh = new Set<string>();

  /** root must be a real path (no symlinks in it). */
  constructor(root: string) {
    this.root = root;
  }

  /**
   * The real path of directory `rel` (cleaned, relative; '' is the root). Missing directories are
   * created (mode 0755) when `create` is set; otherwise a missing one is NotFound. A component
   * that exists but is not a directory (or a symlink to one) is an error.
   */
  async dir(rel: string, create: boolean): Promise<string> {
    if (rel === '') return this.root;
    const hit = this.#dirs.get(rel);
    if (hit !== undefined) return hit;
    // start from the longest prefix already known
    let cur = this.root;
    let done = 0;
    for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
      const known = this.#dirs.get(rel.slice(0, i));
      if (known !== undefined) {
        cur = known;
        done = i + 1;
        break;
      }
    }
    const budget = { links: 0 };
    while (done < rel.length) {
      let end = rel.indexOf('/', done);
      if (end < 0) end = rel.length;
      cur = await this.#walk(cur, [rel.slice(done, end)], { rel, create, budget });
      this.#dirs.set(rel.slice(0, end), cur);
      done = end + 1;
    }
    return cur;
  }

  /** A real path under the root, relative to it. */
  relative(path: string): string {
    if (path === this.root) return '';
    return path.slice(this.root === '/' ? 1 : this.root.length + 1);
  }

  /** Records that `rel` is the real directory `path` (just created or checked by the caller). */
  remember(rel: string, path: string): void {
    if (rel !== '') this.#dirs.set(rel, path);
  }

  /**
   * Drops every cached resolution: the directory or symlink at `path` (some of them may pass
   * through it) is gone.
   */
  forget(path: string): void {
    this.#dirs.clear();
    const under = (p: string): boolean => p === path || p.startsWith(`${path}/`);
    for (const p of this.#setgid.keys()) if (under(p)) this.#setgid.delete(p);
    for (const p of this.#fresh) if (under(p)) this.#fresh.delete(p);
  }

  markFresh(path: string, fresh: boolean): void {
    if (fresh) this.#fresh.add(path);
    else this.#fresh.delete(path);
  }

  isFresh(path: string): boolean {
    return this.#fresh.has(path);
  }

  /** Notes a directory's mode and group, which decide the group of what is created in it. */
  noteDir(path: string, dir: { mode: number; gid: number }): void {
    if (dir.mode & 0o2000) this.#setgid.set(path, dir.gid);
    else this.#setgid.delete(path);
  }

  /** The group an entry created in directory `path` starts with, if not the process's own. */
  inheritedGid(path: string): number | undefined {
    return this.#setgid.get(path);
  }

  async #walk(start: string, parts: string[], ctx: { rel: string; create: boolean; budget: { links: number } }): Promise<string> {
    try {
      return await walkInRoot(this.root, parts.join('/'), {
        from: this.relative(start),
        budget: ctx.budget,
        onMissing: async (path) => {
          if (!ctx.create) throw new NotFound(`${ctx.rel}: no such directory`);
          try {
            await fsp.mkdir(path, 0o755);
          } catch (err) {
            if (isErrno(err, 'EEXIST')) return 'again'; // appeared meanwhile
            throw err;
          }
          await fsp.chmod(path, 0o755); // whatever the umask, as dockerd's implied directories
          this.#setgid.delete(path);
          this.#fresh.add(path);
          return 'made';
        },
        onFound: (path, st) => {
          if (!st.isDirectory()) throw new InvalidArgument(`${ctx.rel}: ${this.relative(path)} is not a directory`);
          this.noteDir(path, st);
        },
      });
    } catch (err) {
      if (isErrno(err, 'ELOOP')) throw new InvalidArgument(`${ctx.rel}: too many levels of symbolic links`);
      throw err;
    }
  }
}
