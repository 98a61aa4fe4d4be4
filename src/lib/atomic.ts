// Crash-safe file writes: write a temporary file beside the target, fsync it, rename it over the
// target and fsync the directory, so a reader (or berthd after a crash) sees the old or the new
// content, never a torn one.
import { randomBytes } from 'node:crypto';
import { promises as fsp, closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * `durable: false` keeps the write atomic (old or new content after a crash of the process) but
 * skips the fsyncs that make it survive a power loss: for runtime state that a reboot makes moot
 * anyway, on hot paths where a journal flush after runc's cgroup work costs milliseconds.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { mode?: number; durable?: boolean } = {}): Promise<void> {
  const durable = options.durable ?? true;
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fsp.open(tmp, 'wx', options.mode ?? 0o644);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  if (durable) await syncDir(dirname(path));
}

/** The name of writeFileAtomic's temporary file for `path`'s base name. */
const atomicTempName = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes from `dir` the temporary files of atomic writes that a crash cut short (they are never
 * read: the write's target still has its old content). Returns their names.
 */
export async function removeAtomicTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const temps = names.filter((n) => atomicTempName.test(n));
  for (const n of temps) await fsp.rm(join(dir, n), { force: true });
  return temps;
}

export async function writeJsonAtomic(path: string, value: unknown, options: { mode?: number; durable?: boolean } = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), options);
}

/** The synchronous variant, for the few places that must finish before the event loop runs on. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: { mode?: number } = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', options.mode ?? 0o644);
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Reads a JSON file; undefined when it does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}
