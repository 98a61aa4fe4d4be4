// The files dockerd puts in a container's init layer: mount points for what the runtime binds or
// mounts over the image (so they exist even in images that lack them) and /.dockerenv, which
// software uses to detect a container. Only missing paths are created, and a path is skipped when
// one of its parents in the image is a symlink, so nothing is ever written through a link.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';

const entries: Array<{ path: string; kind: 'dir' | 'file' | 'symlink'; target?: string }> = [
  { path: 'dev/pts', kind: 'dir' },
  { path: 'dev/shm', kind: 'dir' },
  { path: 'proc', kind: 'dir' },
  { path: 'sys', kind: 'dir' },
  { path: '.dockerenv', kind: 'file' },
  { path: 'etc/resolv.conf', kind: 'file' },
  { path: 'etc/hosts', kind: 'file' },
  { path: 'etc/hostname', kind: 'file' },
  { path: 'dev/console', kind: 'file' },
  { path: 'etc/mtab', kind: 'symlink', target: '/proc/mounts' },
];

async function lstatOrUndefined(path: string) {
  try {
    return await fsp.lstat(path);
  } catch {
    return undefined;
  }
}

/** True when every existing parent of `rel` under `root` is a real directory. */
async function parentsAreDirectories(root: string, rel: string): Promise<boolean> {
  const parts = dirname(rel).split('/').filter((p) => p && p !== '.');
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    const st = await lstatOrUndefined(cur);
    if (!st) return true; // the rest is missing and will be created as directories
    if (!st.isDirectory()) return false;
  }
  return true;
}

/** `owner`: who owns what is created (userns-remap: the remapped root); by default berthd. */
export async function populateInitLayer(root: string, owner?: { uid: number; gid: number }): Promise<void> {
  for (const e of entries) {
    const target = join(root, e.path);
    if (!(await parentsAreDirectories(root, e.path))) continue;
    if (await lstatOrUndefined(target)) continue;
    const made = await fsp.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    if (e.kind === 'dir') await fsp.mkdir(target, { mode: 0o755 });
    else if (e.kind === 'file') await (await fsp.open(target, 'wx', 0o755)).close();
    else await fsp.symlink(e.target!, target);
    if (!owner) continue;
    await fsp.lchown(target, owner.uid, owner.gid);
    // the parents mkdir made (the first one it returns and everything under it)
    for (let dir = dirname(target); made !== undefined && dir.length >= made.length; dir = dirname(dir)) await fsp.chown(dir, owner.uid, owner.gid);
  }
}
