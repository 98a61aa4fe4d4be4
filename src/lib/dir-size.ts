// The bytes a directory tree holds, as `docker system df` and `SizeRw` count them: regular files
// only, each inode once (hard links are not counted twice), symlinks and directories as nothing.
import { promises as fsp } from 'node:fs';

export interface DirectorySizeOptions {
  /**
   * A directory that cannot be read (the top one included: a layer not yet made) counts as
   * empty instead of failing the walk.
   */
  skipUnreadable?: boolean;
}

export async function directorySize(dir: string, options: DirectorySizeOptions = {}): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch (err) {
      if (options.skipUnreadable) return;
      throw err;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await fsp.lstat(p);
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += st.size;
      }
    }
  };
  await walk(dir);
  return total;
}
