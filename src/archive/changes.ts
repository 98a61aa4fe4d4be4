// `docker diff` for an overlay container: what its upper dir adds (A), changes (C) and deletes (D)
// relative to the layers below.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Syscalls } from '../sys/index.ts';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

async function existsIn(lowers: string[], rel: string): Promise<boolean> {
  for (const l of lowers) {
    try {
      const st = await fsp.lstat(join(l, rel));
      // a whiteout in a lower layer hides what is below it
      return !(st.isCharacterDevice() && st.rdev === 0);
    } catch {
      // not in this layer
    }
  }
  return false;
}

export async function changes(upper: string, lowers: string[], sys: Syscalls): Promise<Change[]> {
  const out: Change[] = [];
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await fsp.readdir(join(upper, rel));
    } catch {
      return;
    }
    for (const n of names) {
      const childRel = `${rel}/${n}`;
      const st = await fsp.lstat(join(upper, childRel));
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ kind: 'D', path: childRel });
        continue;
      }
      const inLower = await existsIn(lowers, childRel);
      out.push({ kind: inLower ? 'C' : 'A', path: childRel });
      if (st.isDirectory()) {
        if (inLower && sys.lgetxattr(join(upper, childRel), 'trusted.overlay.opaque')?.toString() === 'y') {
          // an opaque directory hides everything below it in the lower layers
          const hidden = await lowerChildren(lowers, childRel);
          const present = new Set(await fsp.readdir(join(upper, childRel)));
          for (const h of hidden) if (!present.has(h)) out.push({ kind: 'D', path: `${childRel}/${h}` });
        }
        await walk(childRel);
      }
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function lowerChildren(lowers: string[], rel: string): Promise<string[]> {
  const names = new Set<string>();
  for (const l of lowers) {
    try {
      for (const n of await fsp.readdir(join(l, rel))) names.add(n);
    } catch {
      // not a directory here
    }
  }
  return [...names];
}
