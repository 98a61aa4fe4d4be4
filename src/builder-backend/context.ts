// The build context on the daemon's disk: the client's tar (plain, gzip, bzip2, xz, zstd)
// streamed into a directory of the build's own (never held in memory), with names that must stay
// relative (an absolute path or ".." refuses the whole context), then read by COPY/ADD: sources
// found as dockerd finds them (symlinks followed inside the context, Go globs) and hashed for the
// cache — content and metadata, never times.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { decompress, deviceNumbers, extractTar, openPathTree } from '../archive/index.ts';
import type { FileRecord } from '../builder/index.ts';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';

/** Unpacks a context tar into `dir` (which must exist and be empty). */
export async function receiveContext(input: Readable, dir: string, sys: Syscalls): Promise<void> {
  const tar = await decompress(input);
  const tree = await openPathTree(dir, sys);
  try {
    await extractTar(tar, tree, { whiteouts: 'keep', strictNames: true, rootEntry: 'ignore' });
  } finally {
    tree.close();
  }
}

/** Go's filepath.Match as a regular expression (`*`, `?`, `[…]`, `\` escapes; no `/` crossing). */
export function goGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new InvalidArgument(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\]\\]/g, '\\$&');
      else cls = cls.replace(/[\]\\^]/g, '\\$&');
      re += `[${cls}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'u');
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export const hasWildcards = (p: string): boolean => /(^|[^\\])[*?[]/.test(p);

/** One source of a COPY/ADD, found: its path in the tree (symlinks resolved) and what it is. */
export interface FoundSource {
  /** The path as the Dockerfile matched it, relative to the root ("dir/a.txt"). */
  name: string;
  /** The real path on disk. */
  path: string;
  stat: Stats;
}

/** A directory tree copied from: the context, or an image's mounted root. */
export class SourceTree {
  readonly root: string;
  #digests = new Map<string, Promise<string>>();

  constructor(root: string) {
    this.root = root;
  }

  /**
   * The sources a COPY names: each path resolved inside the root (a wildcard matched against
   * every path, in walk order). `kind` names the tree in dockerd's "not found" message.
   */
  async find(sources: readonly string[], options: { instruction: string; kind: 'context' | 'image' }): Promise<FoundSource[]> {
    const out: FoundSource[] = [];
    for (const raw of sources) {
      const src = posix.normalize(`/${raw}`).slice(1) || '.';
      if (hasWildcards(src)) {
        const re = goGlob(src);
        const matched: FoundSource[] = [];
        for await (const rel of this.#paths('')) {
          if (!re.test(rel)) continue;
          const path = await secureJoin(this.root, rel);
          matched.push({ name: rel, path, stat: await fsp.stat(path) });
        }
        if (matched.length === 0) throw new InvalidArgument(`${options.instruction} failed: no source files were specified`);
        out.push(...matched);
        continue;
      }
      const path = await secureJoin(this.root, src);
      let stat: Stats;
      try {
        stat = await fsp.stat(path);
      } catch (err) {
        if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
        throw new NotFound(
          options.kind === 'context'
            ? `${options.instruction} failed: file not found in build context or excluded by .dockerignore: stat ${raw}: file does not exist`
            : `${options.instruction} failed: stat ${posix.join('/', src)}: file does not exist`,
        );
      }
      out.push({ name: src, path, stat });
    }
    return out;
  }

  /** Every path below `rel` (itself excluded), parents first, in byte order: Go's filepath.Walk. */
  async *#paths(rel: string): AsyncGenerator<string> {
    let names: string[];
    try {
      names = (await fsp.readdir(join(this.root, rel))).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const child = rel === '' ? n : `${rel}/${n}`;
      yield child;
      const st = await fsp.lstat(join(this.root, child));
      if (st.isDirectory()) yield* this.#paths(child);
    }
  }

  /** The records of a found source: the file, or a directory with everything below it. */
  async records(source: FoundSource, options: { exclude?: (rel: string) => boolean } = {}): Promise<FileRecord[]> {
    const out: FileRecord[] = [];
    if (!source.stat.isDirectory()) {
      out.push(await this.#record('', source.path, source.stat));
      return out;
    }
    const walk = async (dir: string, rel: string): Promise<void> => {
      const names = (await fsp.readdir(dir)).sort();
      await Promise.all(
        names.map(async (n) => {
          const childRel = rel === '' ? n : `${rel}/${n}`;
          if (options.exclude?.(childRel)) return;
          const p = join(dir, n);
          const st = await fsp.lstat(p);
          out.push(await this.#record(childRel, p, st));
          if (st.isDirectory()) await walk(p, childRel);
        }),
      );
    };
    out.push(await this.#record('.', source.path, source.stat));
    await walk(source.path, '');
    return out;
  }

  async #record(rel: string, path: string, st: Stats): Promise<FileRecord> {
    const base = { path: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkTarget: await fsp.readlink(path) };
    if (st.isDirectory()) return { ...base, type: 'dir' };
    if (st.isFile()) return { ...base, type: 'file', size: st.size, contentDigest: await this.#digest(path, st) };
    if (st.isFIFO()) return { ...base, type: 'fifo' };
    const dev = deviceNumbers(st.rdev);
    return { ...base, type: st.isBlockDevice() ? 'block' : 'char', devMajor: dev.major, devMinor: dev.minor };
  }

  /** sha256 of a file's content, once per file and tree. */
  #digest(path: string, st: Stats): Promise<string> {
    const key = `${st.dev}:${st.ino}`;
    let d = this.#digests.get(key);
    if (!d) {
      d = (async () => {
        const h = createHash('sha256');
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
        return h.digest('hex');
      })();
      this.#digests.set(key, d);
    }
    return d;
  }
}
