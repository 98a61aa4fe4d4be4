// The build cache on disk, surviving restarts: <data-root>/builder/cache/<key>.json, one small
// file per step ({ image, description, created, lastUsed, uses }), each written atomically. The
// index lives in memory; when an entry is used its lastUsed time is updated in memory and written
// (without fsync: a lost time after a crash is harmless) when the build ends.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { BuildCacheStore } from '../builder/index.ts';
import { isErrno } from '../errors/index.ts';
import { writeJsonAtomic, type Logger } from '../lib/index.ts';

export interface CacheEntry {
  /** "sha256:<hex>": the step's cache key. */
  key: string;
  image: string;
  description: string;
  created: string;
  lastUsed: string;
  uses: number;
}

const hex = (key: string) => key.replace(/^sha256:/, '');

export class FileCacheStore implements BuildCacheStore {
  readonly dir: string;
  #entries = new Map<string, CacheEntry>();
  #dirty = new Set<string>();
  #log: Logger;

  constructor(dir: string, log: Logger) {
    this.dir = dir;
    this.#log = log;
  }

  async load(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(this.dir)) {
      const path = join(this.dir, name);
      if (!name.endsWith('.json') || name.startsWith('.')) {
        await fsp.rm(path, { force: true }); // an interrupted atomic write
        continue;
      }
      try {
        const e = JSON.parse(await fsp.readFile(path, 'utf8')) as CacheEntry;
        if (typeof e.image !== 'string' || `sha256:${name.slice(0, -5)}` !== e.key) throw new Error('malformed entry');
        this.#entries.set(e.key, e);
      } catch (err) {
        this.#log.warn('removing unreadable build cache entry', { entry: name, error: err });
        await fsp.rm(path, { force: true });
      }
    }
  }

  async get(key: string): Promise<string | undefined> {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    e.lastUsed = new Date().toISOString();
    e.uses++;
    this.#dirty.add(key);
    return e.image;
  }

  async put(key: string, image: string, info: { description: string }): Promise<void> {
    const now = new Date().toISOString();
    const e: CacheEntry = { key, image, description: info.description, created: now, lastUsed: now, uses: 1 };
    await writeJsonAtomic(join(this.dir, `${hex(key)}.json`), e, { mode: 0o600 });
    this.#entries.set(key, e);
  }

  list(): CacheEntry[] {
    return [...this.#entries.values()];
  }

  /** Whether any entry names the image. */
  names(image: string): boolean {
    for (const e of this.#entries.values()) if (e.image === image) return true;
    return false;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#dirty.delete(key);
    try {
      await fsp.rm(join(this.dir, `${hex(key)}.json`));
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }

  /** Writes the use times collected since the last flush. */
  async flush(): Promise<void> {
    const keys = [...this.#dirty];
    this.#dirty.clear();
    await Promise.all(
      keys.map(async (k) => {
        const e = this.#entries.get(k);
        if (e) await writeJsonAtomic(join(this.dir, `${hex(k)}.json`), e, { mode: 0o600, durable: false }).catch(() => {});
      }),
    );
  }
}
