// What the v1 and v2 drivers share: reading files that may be missing, creating and removing
// directory chains, and the cgroup path of a container.
import { posix } from 'node:path';
import { InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import type { CgroupFs } from './fs.ts';
import { parseValue } from './parse.ts';

/**
 * The OCI cgroupsPath Berth gives runc for a container: "/<parent>/<id>", absolute so runc's
 * cgroupfs driver puts it under each controller's mount rather than under runc's own cgroup.
 */
export function containerCgroupsPath(parent: string, id: string): string {
  const p = parent.split('/').filter((s) => s !== '' && s !== '.');
  if (p.some((s) => s === '..') || id.includes('/')) throw new InvalidArgument(`invalid cgroup parent ${JSON.stringify(parent)}`);
  return posix.join('/', ...p, id);
}

/** Joins an absolute cgroupsPath under a mount point, refusing paths that would climb out of it. */
export function cgroupDir(mountPoint: string, cgroupsPath: string): string {
  const rel = posix.normalize(`/${cgroupsPath}`);
  return posix.join(mountPoint, rel);
}

export async function readText(fs: CgroupFs, path: string): Promise<string | undefined> {
  try {
    return await fs.read(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENODEV') || isErrno(err, 'EOPNOTSUPP')) return undefined;
    throw err;
  }
}

/** A numeric control file; `missing` when the file does not exist, undefined for "max". */
export async function readNumber(fs: CgroupFs, path: string, missing = 0): Promise<number | undefined> {
  const text = await readText(fs, path);
  return text === undefined ? missing : parseValue(text);
}

/** mkdir -p for the part of `dir` below `mountPoint`; returns the directories it created, top first. */
export async function makeChain(fs: CgroupFs, mountPoint: string, dir: string): Promise<string[]> {
  const rel = posix.relative(mountPoint, dir).split('/').filter(Boolean);
  const created: string[] = [];
  let cur = mountPoint;
  for (const seg of rel) {
    cur = posix.join(cur, seg);
    try {
      await fs.mkdir(cur);
      created.push(cur);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
  return created;
}

/**
 * Removes a cgroup directory and its children, deepest first. A cgroup whose last process is
 * still exiting answers EBUSY for a moment; runc retries the same way.
 */
export async function removeTree(fs: CgroupFs, dir: string): Promise<void> {
  let children: string[];
  try {
    children = await fs.subdirectories(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  for (const c of children) await removeTree(fs, posix.join(dir, c));
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      if (!isErrno(err, 'EBUSY') || attempt >= 6) throw err;
      await new Promise((r) => setTimeout(r, 10 << attempt));
    }
  }
}

export function notFound(cgroupsPath: string, cause: unknown): NotFound {
  return new NotFound(`cgroup ${cgroupsPath} not found`, { cause });
}

/** Pids listed in a cgroup.procs file. */
export function parsePids(text: string | undefined): number[] {
  return (text ?? '')
    .split('\n')
    .map((l) => Number.parseInt(l, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
}
