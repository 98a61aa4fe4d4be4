// Resolves a path inside a root directory as if the root were "/": symlinks met on the way are
// followed, but resolved against the root (absolute targets are relative to it) and ".." never
// climbs above it. The result always lies inside root. The final component is followed too unless
// `followLast` is false. Like filepath-securejoin, this is a lexical guard for directories only
// Berth writes to; paths an untrusted process can change concurrently need a further check.
import { promises as fsp } from 'node:fs';
import { posix } from 'node:path';

const maxSymlinks = 255;

export async function secureJoin(root: string, unsafePath: string, options: { followLast?: boolean } = {}): Promise<string> {
  const followLast = options.followLast ?? true;
  const pending = posix.normalize('/' + unsafePath).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = root + '/' + [...resolved, part].join('/');
    if (pending.length === 0 && !followLast) {
      resolved.push(part);
      break;
    }
    let target: string | undefined;
    try {
      const st = await fsp.lstat(candidate);
      if (st.isSymbolicLink()) target = await fsp.readlink(candidate);
    } catch {
      target = undefined; // a missing component: the rest is taken literally
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > maxSymlinks) throw Object.assign(new Error(`too many levels of symbolic links: ${unsafePath}`), { code: 'ELOOP' });
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return resolved.length ? root + '/' + resolved.join('/') : root;
}
