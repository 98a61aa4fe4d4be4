// RUN --mount=type=cache directories, kept per id across builds and restarts under
// <data-root>/builder/cache-mounts/<sha256(id)>/{data/,meta.json}. A new one is made aside and
// renamed into place (so a crash never leaves half a cache), empty or seeded from `from=`/`source=`,
// with the mount's mode and owner. Sharing as BuildKit's: `shared` lets every step use it at
// once, `locked` makes them take turns, `private` gives a step that finds it busy a fresh
// throw-away directory.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { extractTar, openPathTree, packDirectory } from '../archive/index.ts';
import type { ResolvedMount } from '../builder/index.ts';
import { isErrno } from '../errors/index.ts';
import { directorySize, readJson, writeJsonAtomic, type Logger } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';

type CacheMount = Extract<ResolvedMount, { type: 'cache' }>;

export interface CacheLease {
  path: string;
  release(): Promise<void>;
}

interface Meta {
  id: string;
  created: string;
  lastUsed: string;
  uses: number;
}

export interface CacheMountInfo extends Meta {
  key: string;
  size: number;
  inUse: boolean;
}

export class CacheMounts {
  readonly root: string;
  #tmp: string;
  #log: Logger;
  /** Steps using each cache (by key), and those waiting for a locked one. */
  #users = new Map<string, number>();
  #waiting = new Map<string, Array<() => void>>();

  constructor(options: { root: string; tmp: string; log: Logger }) {
    this.root = options.root;
    this.#tmp = options.tmp;
    this.#log = options.log;
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.root, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.root)) {
      if (name.startsWith('.')) await fsp.rm(join(this.root, name), { recursive: true, force: true }); // half made
    }
  }

  static key(id: string): string {
    return createHash('sha256').update(id).digest('hex');
  }

  async acquire(m: CacheMount, options: { seed?: string; sys: Syscalls; signal: AbortSignal }): Promise<CacheLease> {
    const key = CacheMounts.key(m.id);
    const dir = join(this.root, key);
    if (m.sharing === 'locked') {
      while ((this.#users.get(key) ?? 0) > 0) {
        await new Promise<void>((resolve, reject) => {
          const list = this.#waiting.get(key) ?? [];
          list.push(resolve);
          this.#waiting.set(key, list);
          options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true });
        });
      }
    } else if (m.sharing === 'private' && (this.#users.get(key) ?? 0) > 0) {
      const path = join(this.#tmp, `cache-${randomBytes(8).toString('hex')}`);
      await this.#make(path, m, options);
      return { path: join(path, 'data'), release: () => fsp.rm(path, { recursive: true, force: true }) };
    }
    this.#users.set(key, (this.#users.get(key) ?? 0) + 1);
    try {
      await this.#ensure(dir, m, options);
    } catch (err) {
      this.#leave(key);
      throw err;
    }
    return {
      path: join(dir, 'data'),
      release: async () => {
        this.#leave(key);
        const meta = await readJson<Meta>(join(dir, 'meta.json')).catch(() => undefined);
        if (meta) await writeJsonAtomic(join(dir, 'meta.json'), { ...meta, lastUsed: new Date().toISOString(), uses: meta.uses + 1 }, { durable: false }).catch(() => {});
      },
    };
  }

  #leave(key: string): void {
    const n = (this.#users.get(key) ?? 1) - 1;
    if (n > 0) this.#users.set(key, n);
    else this.#users.delete(key);
    const next = this.#waiting.get(key)?.shift();
    next?.();
  }

  async #ensure(dir: string, m: CacheMount, options: { seed?: string; sys: Syscalls }): Promise<void> {
    try {
      await fsp.access(join(dir, 'meta.json'));
      return;
    } catch {
      // made below
    }
    const tmp = join(this.root, `.new-${randomBytes(8).toString('hex')}`);
    try {
      await this.#make(tmp, m, options);
      await writeJsonAtomic(join(tmp, 'meta.json'), { id: m.id, created: new Date().toISOString(), lastUsed: new Date().toISOString(), uses: 0 } satisfies Meta);
      await fsp.rename(tmp, dir);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      // another step made it first
      if (!isErrno(err, 'ENOTEMPTY') && !isErrno(err, 'EEXIST')) throw err;
    }
  }

  async #make(dir: string, m: CacheMount, options: { seed?: string; sys: Syscalls }): Promise<void> {
    const data = join(dir, 'data');
    await fsp.mkdir(data, { recursive: true });
    if (options.seed) {
      const tree = await openPathTree(data, options.sys);
      try {
        await extractTar(packDirectory(options.seed, { sys: options.sys, whiteouts: 'keep' }), tree, { whiteouts: 'keep' });
      } finally {
        tree.close();
      }
    }
    await fsp.chmod(data, m.mode ?? 0o755);
    await fsp.chown(data, m.uid ?? 0, m.gid ?? 0);
  }

  async list(): Promise<CacheMountInfo[]> {
    const out: CacheMountInfo[] = [];
    for (const key of await fsp.readdir(this.root).catch(() => [])) {
      if (key.startsWith('.')) continue;
      const meta = await readJson<Meta>(join(this.root, key, 'meta.json')).catch(() => undefined);
      if (!meta) continue;
      out.push({ ...meta, key, size: await directorySize(join(this.root, key, 'data')).catch(() => 0), inUse: (this.#users.get(key) ?? 0) > 0 });
    }
    return out;
  }

  /** Removes an unused cache; false when a step uses it. */
  async remove(key: string): Promise<boolean> {
    if ((this.#users.get(key) ?? 0) > 0) return false;
    const dir = join(this.root, key);
    const doomed = join(this.root, `.rm-${randomBytes(8).toString('hex')}`);
    try {
      await fsp.rename(dir, doomed);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
    await fsp.rm(doomed, { recursive: true, force: true }).catch((err: unknown) => this.#log.warn('removing a cache mount failed', { error: err }));
    return true;
  }
}
