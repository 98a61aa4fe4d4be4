// Packing a build context as the docker CLI does: the directory walked in name order with
// .dockerignore applied while walking (a skipped directory is never read), entries owned by
// 0:0, hard links kept as links, sockets left out, and the archive streamed — never held in
// memory, whatever the context's size.
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createTarPacker, deviceNumbers, type TarHeaderInit } from '../archive/index.ts';
import { DockerignoreMatcher, keepBuildFiles, parseDockerignore } from '../builder/index.ts';

export interface PackContextOptions {
  /** The Dockerfile's path relative to the context (kept even when .dockerignore excludes it). */
  dockerfile: string;
  dockerfileFromStdin: boolean;
  /** Files added to the archive (a Dockerfile read from stdin). */
  extra?: Array<{ name: string; data: Buffer }>;
}

/** The .dockerignore patterns of a context directory, with the build's own files kept. */
export async function contextExcludes(dir: string, options: PackContextOptions): Promise<string[]> {
  let text: string;
  try {
    text = await fsp.readFile(join(dir, '.dockerignore'), 'utf8');
  } catch {
    return [];
  }
  return keepBuildFiles(parseDockerignore(text), options.dockerfile, options.dockerfileFromStdin);
}

export async function packContext(dir: string, options: PackContextOptions): Promise<Readable> {
  const matcher = new DockerignoreMatcher(await contextExcludes(dir, options));
  const pack = createTarPacker();
  const links = new Map<string, string>();
  const header = (name: string, st: Stats): TarHeaderInit => ({ name, type: 'file', mode: st.mode & 0o7777, uid: 0, gid: 0, mtime: st.mtime, size: 0 });

  const walk = async (rel: string): Promise<void> => {
    const names = (await fsp.readdir(join(dir, rel))).sort();
    for (const n of names) {
      const childRel = rel === '' ? n : `${rel}/${n}`;
      const path = join(dir, childRel);
      const st = await fsp.lstat(path);
      const verdict = matcher.walk(childRel, st.isDirectory());
      if (verdict === 'exclude' || verdict === 'skip-dir') continue;
      if (st.isDirectory()) {
        if (verdict === 'include') await pack.entry({ ...header(`${childRel}/`, st), type: 'directory' });
        await walk(childRel);
        continue;
      }
      if (st.isSymbolicLink()) {
        await pack.entry({ ...header(childRel, st), type: 'symlink', linkname: await fsp.readlink(path) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          await pack.entry({ ...header(childRel, st), type: 'link', linkname: first });
          continue;
        }
        if (st.nlink > 1) links.set(key, childRel);
        await pack.entry({ ...header(childRel, st), size: st.size }, createReadStream(path));
      } else if (st.isFIFO()) {
        await pack.entry({ ...header(childRel, st), type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const d = deviceNumbers(st.rdev);
        await pack.entry({ ...header(childRel, st), type: st.isCharacterDevice() ? 'char' : 'block', devmajor: d.major, devminor: d.minor });
      }
      // sockets are no part of a context
    }
  };

  (async () => {
    await walk('');
    for (const f of options.extra ?? []) {
      await pack.entry({ name: f.name, type: 'file', mode: 0o600, uid: 0, gid: 0, size: f.data.length, mtime: new Date() }, [f.data]);
    }
    await pack.finish();
  })().catch((err: Error) => pack.abort(err));
  return pack.stream;
}
