// Packing a directory tree into a tar stream in sorted, deterministic order, the way dockerd's
// archive package writes layers: directories before their contents, hard links once, only the
// security.capability xattr, and (for an overlay upper dir) whiteouts as OCI ".wh." markers.
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Syscalls } from '../sys/index.ts';
import type { TarHeader } from './header.ts';
import { opaqueMarker, whiteoutPrefix } from './extract.ts';
import { createTarPacker } from './writer.ts';

export interface PackOptions {
  sys: Syscalls;
  /** 'overlay': the tree is an overlay upper dir whose whiteouts become .wh. entries. */
  whiteouts: 'overlay' | 'keep';
  /** Only these paths (relative, as in the tree), with everything below them. */
  include?: string[];
  /** A prefix for every entry name (for `docker cp` of a directory into its own name). */
  rename?: (name: string) => string;
}

export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const r = BigInt(rdev);
  return {
    major: Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn)),
    minor: Number((r & 0xffn) | ((r >> 12n) & ~0xffn)),
  };
}

function baseHeader(name: string, st: Stats): Omit<TarHeader, 'type'> {
  return {
    name,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: 0,
    mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000),
  };
}

export function packDirectory(dir: string, options: PackOptions): Readable {
  const pack = createTarPacker();
  const seen = new Map<string, string>();
  const rename = options.rename ?? ((n: string) => n);

  const emit = async (rel: string, st: Stats): Promise<void> => {
    const full = join(dir, rel);
    const name = rename(rel);
    if (st.isDirectory()) {
      await pack.entry({ ...baseHeader(name + '/', st), type: 'directory' });
      if (options.whiteouts === 'overlay' && options.sys.lgetxattr(full, 'trusted.overlay.opaque')?.toString() === 'y') {
        await pack.entry({ ...baseHeader(`${name}/${opaqueMarker}`, st), mode: st.mode & 0o777, type: 'file' });
      }
      return;
    }
    if (st.isCharacterDevice() && st.rdev === 0 && options.whiteouts === 'overlay') {
      const slash = name.lastIndexOf('/');
      const wh = `${name.slice(0, slash + 1)}${whiteoutPrefix}${name.slice(slash + 1)}`;
      await pack.entry({ ...baseHeader(wh, st), mode: st.mode & 0o777, type: 'file' });
      return;
    }
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const first = seen.get(key);
      if (first !== undefined) {
        await pack.entry({ ...baseHeader(name, st), type: 'link', linkname: first });
        return;
      }
      seen.set(key, name);
    }
    const capability = st.isSymbolicLink() ? undefined : options.sys.lgetxattr(full, 'security.capability');
    const xattrs = capability ? new Map([['security.capability', capability]]) : undefined;
    const h = { ...baseHeader(name, st), ...(xattrs ? { xattrs } : {}) };
    if (st.isFile()) await pack.entry({ ...h, type: 'file', size: st.size }, createReadStream(full));
    else if (st.isSymbolicLink()) await pack.entry({ ...h, type: 'symlink', linkname: await fsp.readlink(full) });
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = deviceNumbers(st.rdev);
      await pack.entry({ ...h, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: major, devminor: minor });
    } else if (st.isFIFO()) await pack.entry({ ...h, type: 'fifo' });
    // sockets are skipped, as docker does
  };

  const walk = async (rel: string): Promise<void> => {
    const names = (await fsp.readdir(rel ? join(dir, rel) : dir)).sort();
    for (const n of names) {
      const childRel = rel ? `${rel}/${n}` : n;
      const st = await fsp.lstat(join(dir, childRel));
      await emit(childRel, st);
      if (st.isDirectory()) await walk(childRel);
    }
  };

  void (async () => {
    if (options.include) {
      for (const inc of options.include) {
        const st = await fsp.lstat(join(dir, inc));
        await emit(inc, st);
        if (st.isDirectory()) await walk(inc);
      }
    } else await walk('');
    await pack.finish();
  })().catch((err: Error) => pack.abort(err));
  return pack.stream;
}
