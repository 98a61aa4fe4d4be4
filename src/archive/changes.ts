// `docker diff` for an overlay container: what its upper dir adds (A), changes (C) and deletes (D)
// compared with the merged view of the layers below. The result is what dockerd's naive diff
// (a walk of both mounted trees) reports, computed from the upper dir and the lower diff dirs
// without mounting anything:
// - an upper entry absent from the lower view is A, and so is everything below it;
// - an entry in both is C when its type, mode, owner, device, capability or (for non-dirs) size
//   or mtime differ; a directory copied up only because something inside it changed is not;
// - a whiteout over an existing entry is D, and so is every lower entry hidden by an opaque dir;
// - a directory that holds a change is C itself.
import { promises as fsp, type BigIntStats } from 'node:fs';
import { isErrno } from '../errors/index.ts';
import type { Syscalls } from '../sys/index.ts';
import { compareNames } from './resolve.ts';
import { overlayOpaqueXattr } from './whiteout.ts';

export interface Change {
  kind: 'A' | 'C' | 'D';
  /** Absolute inside the container: "/etc/passwd". */
  path: string;
}

export interface ChangesOptions {
  sys: Syscalls;
}

/** A path inside a layer dir; the root as "<dir>/." so a symlinked layer dir (overlay2's l/) is followed. */
const at = (dir: string, rel: string): string => (rel ? `${dir}/${rel}` : `${dir}/.`);

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

async function lstat(path: string): Promise<BigIntStats | undefined> {
  try {
    return await fsp.lstat(path, { bigint: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

const nsPerSecond = 1_000_000_000n;

/** dockerd's sameFsTime: equal, or the same second with one side truncated to whole seconds. */
function sameTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  return a / nsPerSecond === b / nsPerSecond && (a % nsPerSecond === 0n || b % nsPerSecond === 0n);
}

function statDifferent(old: BigIntStats, now: BigIntStats): boolean {
  if (old.mode !== now.mode || old.uid !== now.uid || old.gid !== now.gid || old.rdev !== now.rdev) return true;
  // size and mtime say nothing for directories (moby#9874)
  return !old.isDirectory() && (!sameTime(old.mtimeNs, now.mtimeNs) || old.size !== now.size);
}

/** The lower layers as overlayfs merges them (first = topmost), queried path by path. */
class LowerView {
  #layers: string[];
  #sys: Syscalls;
  #contributors = new Map<string, number[]>();

  constructor(layers: string[], sys: Syscalls) {
    this.#layers = layers;
    this.#sys = sys;
  }

  #opaque(path: string): boolean {
    return this.#sys.lgetxattr(path, overlayOpaqueXattr)?.toString() === 'y';
  }

  /** The layers (indexes) whose directory `rel` shows in the merged view, top first. */
  async contributors(rel: string): Promise<number[]> {
    const known = this.#contributors.get(rel);
    if (known) return known;
    const slash = rel.lastIndexOf('/');
    const candidates = rel === '' ? this.#layers.map((_, i) => i) : await this.contributors(slash < 0 ? '' : rel.slice(0, slash));
    const out: number[] = [];
    for (const i of candidates) {
      const path = at(this.#layers[i], rel);
      const st = await lstat(path);
      if (!st) continue;
      if (!st.isDirectory()) break; // a file or whiteout hides the layers below
      out.push(i);
      if (this.#opaque(path)) break;
    }
    this.#contributors.set(rel, out);
    return out;
  }

  /** The entry at `rel` in the merged view, with the layer path it comes from. */
  async lookup(rel: string): Promise<{ st: BigIntStats; path: string } | undefined> {
    const slash = rel.lastIndexOf('/');
    for (const i of await this.contributors(slash < 0 ? '' : rel.slice(0, slash))) {
      const path = at(this.#layers[i], rel);
      const st = await lstat(path);
      if (!st) continue;
      return isWhiteout(st) ? undefined : { st, path };
    }
    return undefined;
  }

  /** The names directory `rel` holds in the merged view. */
  async children(rel: string): Promise<string[]> {
    const names = new Set<string>();
    for (const i of await this.contributors(rel)) {
      try {
        for (const n of await fsp.readdir(at(this.#layers[i], rel))) names.add(n);
      } catch (err) {
        if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
      }
    }
    const visible: string[] = [];
    for (const n of names) if (await this.lookup(rel ? `${rel}/${n}` : n)) visible.push(n);
    return visible;
  }
}

/**
 * The changes of overlay upper dir `upper` over `lowers` (the lower diff dirs, topmost first),
 * sorted by path.
 */
export async function changes(upper: string, lowers: string[], options: ChangesOptions): Promise<Change[]> {
  const { sys } = options;
  const lower = new LowerView(lowers, sys);
  const out: Change[] = [];
  const capability = (path: string): Buffer | undefined => {
    try {
      return sys.lgetxattr(path, 'security.capability');
    } catch {
      return undefined;
    }
  };
  const sameCapability = (a: string, b: string): boolean => {
    const x = capability(a);
    const y = capability(b);
    return x === undefined || y === undefined ? x === y : x.equals(y);
  };

  const readdir = async (rel: string): Promise<string[]> => {
    try {
      return (await fsp.readdir(at(upper, rel))).sort(compareNames);
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
      throw err;
    }
  };

  const addAll = async (rel: string): Promise<void> => {
    for (const name of await readdir(rel)) {
      const p = `${rel}/${name}`;
      const st = await lstat(at(upper, p));
      if (!st || isWhiteout(st)) continue;
      out.push({ kind: 'A', path: `/${p}` });
      if (st.isDirectory()) await addAll(p);
    }
  };

  /**
   * Directory `rel` of the upper dir. `hidden`: the lower layers do not show through it (it or a
   * parent is opaque, or replaced a non-directory); `inLower`: the lower view has a directory here.
   */
  const walk = async (rel: string, { hidden, inLower }: { hidden: boolean; inLower: boolean }): Promise<void> => {
    const seen = new Set<string>();
    for (const name of await readdir(rel)) {
      seen.add(name);
      const p = rel ? `${rel}/${name}` : name;
      const full = at(upper, p);
      const st = await lstat(full);
      if (!st) continue;
      const old = inLower ? await lower.lookup(p) : undefined;
      if (isWhiteout(st)) {
        if (old) out.push({ kind: 'D', path: `/${p}` });
        continue;
      }
      if (!old) {
        out.push({ kind: 'A', path: `/${p}` });
        if (st.isDirectory()) await addAll(p);
        continue;
      }
      const start = out.length;
      const changed = statDifferent(old.st, st) || !sameCapability(old.path, full);
      if (changed) out.push({ kind: 'C', path: `/${p}` });
      if (st.isDirectory()) {
        const opaque = hidden || !old.st.isDirectory() || sys.lgetxattr(full, overlayOpaqueXattr)?.toString() === 'y';
        await walk(p, { hidden: opaque, inLower: old.st.isDirectory() });
        // something changed inside: the directory is part of the diff too
        if (!changed && out.length > start) out.splice(start, 0, { kind: 'C', path: `/${p}` });
      }
    }
    if (hidden && inLower) {
      for (const name of await lower.children(rel)) {
        if (!seen.has(name)) out.push({ kind: 'D', path: `/${rel ? `${rel}/${name}` : name}` });
      }
    }
  };

  const rootOpaque = sys.lgetxattr(at(upper, ''), overlayOpaqueXattr)?.toString() === 'y';
  await walk('', { hidden: rootOpaque, inLower: lowers.length > 0 });
  return out.sort((a, b) => compareNames(a.path, b.path));
}
