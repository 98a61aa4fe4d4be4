// Unpacking a layer tar into a directory as dockerd's chrooted unpacker would: paths resolve
// inside the destination as if it were "/", nothing is ever written outside it, and overlay
// whiteouts are made from the OCI ".wh." markers. On failure the caller removes the directory.
import { createWriteStream, promises as fsp } from 'node:fs';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import { S_IFBLK, S_IFCHR, S_IFIFO, type Syscalls } from '../sys/index.ts';
import type { TarHeader } from './header.ts';
import { readTar } from './reader.ts';

export const whiteoutPrefix = '.wh.';
export const whiteoutMetaPrefix = '.wh..wh.';
export const opaqueMarker = '.wh..wh..opq';

export interface ApplyOptions {
  sys: Syscalls;
  /** 'overlay': turn .wh. markers into overlay whiteouts; 'keep': extract names as they are. */
  whiteouts: 'overlay' | 'keep';
  /** Skip lchown (for extraction as a non-root user). */
  noChown?: boolean;
}

export class BreakoutError extends InvalidArgument {}

/** The entry's path relative to the root, cleaned; rejects names that climb above it. */
export function cleanEntryName(name: string, dest: string): string {
  const cleaned = posix.normalize('/' + name).replace(/^\/+/, '').replace(/\/+$/, '');
  const naive = posix.normalize(name.replace(/^\/+/, ''));
  if (naive === '..' || naive.startsWith('../')) throw new BreakoutError(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
  return cleaned;
}

async function lstatOrUndefined(path: string) {
  try {
    return await fsp.lstat(path);
  } catch {
    return undefined;
  }
}

function isIgnorable(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EPERM';
}

export async function applyLayer(input: Readable, dest: string, options: ApplyOptions): Promise<{ size: number }> {
  const { sys } = options;
  await fsp.mkdir(dest, { recursive: true });
  const root = await fsp.realpath(dest);
  const dirTimes: Array<{ path: string; atime: Date; mtime: Date }> = [];
  let size = 0;

  /** Resolves the entry's parent inside the root (following in-root symlinks) and creates it. */
  const parentOf = async (rel: string): Promise<string> => {
    const parentRel = posix.dirname(rel);
    if (parentRel === '.' || parentRel === '') return root;
    const parent = await secureJoin(root, parentRel);
    const st = await lstatOrUndefined(parent);
    if (!st) await fsp.mkdir(parent, { recursive: true, mode: 0o755 });
    else if (!st.isDirectory()) throw new InvalidArgument(`cannot extract ${rel}: ${parentRel} is not a directory`);
    return parent;
  };

  for await (const { header, body } of readTar(input)) {
    const rel = cleanEntryName(header.name, dest);
    if (rel === '') {
      // the root itself: only its metadata
      await setMetadata(root, header, options);
      if (header.type === 'directory') dirTimes.push({ path: root, atime: header.atime ?? header.mtime, mtime: header.mtime });
      body.resume();
      continue;
    }
    const base = posix.basename(rel);
    if (options.whiteouts === 'overlay' && base.startsWith(whiteoutPrefix)) {
      body.resume();
      const parent = await parentOf(rel);
      if (base === opaqueMarker) {
        sys.lsetxattr(parent, 'trusted.overlay.opaque', Buffer.from('y'));
      } else if (!base.startsWith(whiteoutMetaPrefix)) {
        const target = posix.join(parent, base.slice(whiteoutPrefix.length));
        const existing = await lstatOrUndefined(target);
        if (existing) await fsp.rm(target, { recursive: true, force: true });
        sys.mknod(target, S_IFCHR, 0, 0);
        if (!options.noChown) await fsp.lchown(target, header.uid, header.gid);
      }
      continue;
    }
    const parent = await parentOf(rel);
    const path = posix.join(parent, base);
    const existing = await lstatOrUndefined(path);
    if (existing && !(existing.isDirectory() && header.type === 'directory')) {
      await fsp.rm(path, { recursive: existing.isDirectory(), force: true });
    }
    switch (header.type) {
      case 'directory':
        if (!existing || !existing.isDirectory()) await fsp.mkdir(path, { mode: 0o700 });
        body.resume();
        break;
      case 'file':
        await pipeline(body, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
        size += header.size;
        break;
      case 'symlink':
        body.resume();
        await fsp.symlink(header.linkname ?? '', path);
        break;
      case 'link': {
        body.resume();
        const linkRel = cleanEntryName(header.linkname ?? '', dest);
        if (!linkRel) throw new BreakoutError(`invalid hardlink ${JSON.stringify(header.name)} -> ${JSON.stringify(header.linkname)}`);
        const target = await secureJoin(root, linkRel, { followLast: false });
        const st = await lstatOrUndefined(target);
        if (!st) throw new InvalidArgument(`hardlink target ${header.linkname} of ${header.name} does not exist`);
        if (st.isDirectory()) throw new InvalidArgument(`hardlink ${header.name} -> ${header.linkname}: target is a directory`);
        await fsp.link(target, path);
        continue; // a hard link shares its target's metadata
      }
      case 'char':
      case 'block':
      case 'fifo': {
        body.resume();
        const kind = header.type === 'char' ? S_IFCHR : header.type === 'block' ? S_IFBLK : S_IFIFO;
        sys.mknod(path, kind | (header.mode & 0o7777), header.devmajor ?? 0, header.devminor ?? 0);
        break;
      }
    }
    await setMetadata(path, header, options);
    if (header.type === 'directory') dirTimes.push({ path, atime: header.atime ?? header.mtime, mtime: header.mtime });
    else if (header.type === 'symlink') await fsp.lutimes(path, header.atime ?? header.mtime, header.mtime).catch(() => {});
    else await fsp.utimes(path, header.atime ?? header.mtime, header.mtime);
  }
  // Children changed their directories' times: set those last, deepest first.
  for (const d of dirTimes.reverse()) await fsp.utimes(d.path, d.atime, d.mtime);
  return { size };
}

async function setMetadata(path: string, header: TarHeader, options: ApplyOptions): Promise<void> {
  if (!options.noChown) await fsp.lchown(path, header.uid, header.gid);
  // chmod after chown: chown clears setuid/setgid
  if (header.type !== 'symlink') await fsp.chmod(path, header.mode & 0o7777);
  for (const [name, value] of header.xattrs ?? []) {
    // overlay's own attributes would change how the layer is merged: never take them from a tar
    if (name.startsWith('trusted.overlay.')) continue;
    try {
      options.sys.lsetxattr(path, name, value);
    } catch (err) {
      if (!isIgnorable(err)) throw err;
    }
  }
}
