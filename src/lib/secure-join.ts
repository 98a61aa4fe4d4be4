// Resolves a path inside a root directory as if the root were "/": symlinks met on the way are
// followed, but resolved against the root (absolute targets are relative to it) and ".." never
// climbs above it. The result always lies inside root. Like filepath-securejoin, this is a
// lexical guard for directories only Berth writes to (an image's rootfs before start, a layer
// being unpacked): it checks, then acts. Trees a process can change concurrently are walked
// through descriptors instead (archive's FdTree).
//
// walkInRoot is the one walk; secureJoin (missing components taken literally) and archive's
// RootResolver (directories only, made when missing, cached) are its two uses.
import { promises as fsp, type Stats } from 'node:fs';
import { posix } from 'node:path';

const maxSymlinks = 255;

export interface WalkInRootOptions {
  /** Follow a symlink in the last component too (default true). */
  followLast?: boolean;
  /** A path inside root, already resolved (no symlinks, relative to root), to start from. */
  from?: string;
  /**
   * A component that does not exist: 'literal' takes its name as it is (the default); 'made'
   * says it was just created as a directory; 'again' looks at it again.
   */
  onMissing?: (path: string) => Promise<'literal' | 'made' | 'again'>;
  /** An existing component that is not a symlink (or one not followed); may throw to refuse it. */
  onFound?: (path: string, st: Stats) => void;
  /** Symlinks followed so far, shared by walks that continue one another. */
  budget?: { links: number };
}

const isMissing = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** The real path of `unsafePath` inside `root`; an errno-coded ELOOP error past 255 symlinks. */
export async function walkInRoot(root: string, unsafePath: string, options: WalkInRootOptions = {}): Promise<string> {
  const followLast = options.followLast ?? true;
  const budget = options.budget ?? { links: 0 };
  const pending = unsafePath.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = options.from ? options.from.split('/').filter(Boolean) : [];
  const here = (parts: string[]): string => (parts.length ? `${root === '/' ? '' : root}/${parts.join('/')}` : root);
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = here([...resolved, part]);
    const last = pending.length === 0;
    let st: Stats | undefined;
    try {
      st = await fsp.lstat(candidate);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (!st) {
      const missing = options.onMissing ? await options.onMissing(candidate) : 'literal';
      if (missing === 'again') {
        pending.unshift(part);
        continue;
      }
      // taken as it is; what follows is still walked, so a ".." after it cannot climb out
      resolved.push(part);
      continue;
    }
    if (st.isSymbolicLink() && (!last || followLast)) {
      if (++budget.links > maxSymlinks) throw Object.assign(new Error(`too many levels of symbolic links: ${unsafePath}`), { code: 'ELOOP' });
      const target = await fsp.readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    options.onFound?.(candidate, st);
    resolved.push(part);
  }
  return here(resolved);
}

/**
 * `unsafePath` inside `root` with symlinks resolved inside it; a missing component and what
 * follows are taken literally. The final component is followed too unless `followLast` is false.
 */
export function secureJoin(root: string, unsafePath: string, options: { followLast?: boolean } = {}): Promise<string> {
  return walkInRoot(root, posix.normalize('/' + unsafePath), options);
}
