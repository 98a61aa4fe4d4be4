// cp: files between a container and the local file system, as docker's CLI does it
// (cli/command/container/cp.go and pkg/archive's copy.go): the client stats both ends, decides
// which directory the archive is extracted into, and renames the archive's top entry so that
// "copy a to b" gives docker's result for every combination of file, directory, "dir/." and a
// missing destination.
import { promises as fsp, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyLayer, createTarPacker, packDirectory, readTar } from '../../../archive/index.ts';
import { ApiError } from '../../../client/index.ts';
import { loadSyscalls, type Syscalls } from '../../../sys/index.ts';
import type { ContainerPathStat } from '../../../types/index.ts';
import type { CliContext, CommandRun } from '../../command.ts';
import { StatusError, daemonError } from '../../errors.ts';
import { size } from '../../util.ts';
import type { cp } from './specs.ts';


const modeDir = 1 << 31;
const modeSymlink = 1 << 27;
const modeTypeMask = (1 << 31) | (1 << 27) | (1 << 26) | (1 << 25) | (1 << 24) | (1 << 21) | (1 << 19);

interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

const isDirMode = (mode: number) => (mode & modeDir) !== 0;

// --- pkg/archive's path helpers -------------------------------------------------------------

function goClean(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c;
}

function goBase(p: string): string {
  const t = p.replace(/\/+$/, '');
  if (p === '') return '.';
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

function hasTrailingSeparator(p: string): boolean {
  return p.length > 0 && p.endsWith('/');
}

export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += cleaned === '/' ? '.' : '/.';
  const slash = cleaned.lastIndexOf('/');
  const dir = slash < 0 ? '.' : slash === 0 ? '/' : cleaned.slice(0, slash);
  return [dir, goBase(cleaned)];
}

function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(cleaned)) return cleaned.endsWith('/') ? `${cleaned}.` : `${cleaned}/.`;
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(cleaned)) return `${cleaned}/`;
  return cleaned;
}

function getRebaseName(path: string, resolved: string): [string, string] {
  let r = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(r)) r += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(r)) r += '/';
  return [r, goBase(path) !== goBase(r) ? goBase(path) : ''];
}

function resolveLocalPath(p: string): string {
  return preserveTrailingDotOrSeparator(resolve(p), p);
}

async function copyInfoSourcePath(path: string, followLink: boolean): Promise<CopyInfo> {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    [resolved, rebaseName] = getRebaseName(path, await fsp.realpath(path));
  } else {
    const slash = path.lastIndexOf('/');
    const dirPath = path.slice(0, slash + 1) || '.';
    const base = path.slice(slash + 1);
    const rdir = await fsp.realpath(dirPath);
    resolved = (rdir === '/' ? '' : rdir) + '/' + base;
    if (hasTrailingSeparator(path) && goBase(path) !== goBase(resolved)) rebaseName = goBase(path);
  }
  let st: Stats;
  try {
    st = await fsp.lstat(resolved);
  } catch {
    throw new StatusError(1, `lstat ${resolved.replace(/\/$/, '')}: no such file or directory`);
  }
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** pkg/archive's CopyInfoDestinationPath: follows links at the destination; its parent must exist. */
async function copyInfoDestinationPath(path: string): Promise<CopyInfo> {
  let current = path;
  for (let i = 0; i < 10; i++) {
    let st: Stats;
    try {
      st = await fsp.lstat(current);
    } catch {
      try {
        await fsp.stat(dirname(current));
      } catch {
        throw new StatusError(1, `stat ${dirname(current)}: no such file or directory`);
      }
      return { path: current, exists: false, isDir: false, rebaseName: '' };
    }
    if (!st.isSymbolicLink()) return { path: current, exists: true, isDir: st.isDirectory(), rebaseName: '' };
    const target = await fsp.readlink(current);
    current = isAbsolute(target) ? target : join(dirname(current), target);
  }
  throw new StatusError(1, `too many symlinks in: ${path}`);
}

/** pkg/archive's RebaseArchiveEntries: the first occurrence of oldBase in each name becomes newBase. */
function rebaseArchive(input: AsyncIterable<unknown>, oldBase: string, newBase: string): Readable {
  const from = oldBase === '/' ? '' : oldBase;
  const packer = createTarPacker();
  void (async () => {
    try {
      for await (const e of readTar(input)) {
        const h = e.header;
        const name = h.name.replace(from, newBase);
        const linkname = h.type === 'link' ? h.linkname.replace(from, newBase) : h.linkname;
        await packer.entry({ ...h, name, linkname }, h.type === 'file' ? e.body : undefined);
        if (h.type !== 'file') e.body.resume();
      }
      await packer.finish();
    } catch (err) {
      packer.abort(err as Error);
    }
  })();
  return packer.stream;
}

/** pkg/archive's PrepareArchiveCopy: where to extract, and the archive renamed to fit. */
function prepareArchiveCopy(content: AsyncIterable<unknown>, src: CopyInfo, dst: CopyInfo): { dstDir: string; content: AsyncIterable<unknown> } {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let [, srcBase] = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path, content };
  if (dst.exists && src.isDir) throw new StatusError(1, 'cannot copy directory');
  if (!dst.exists && !src.isDir && (hasTrailingSeparator(dst.path) || specifiesCurrentDir(dst.path))) throw new StatusError(1, 'no such directory');
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, content: rebaseArchive(content, srcBase, dstBase) };
}

/** The local side of a copy: a tar of `info` (TarResource). */
function tarResource(sys: Syscalls, info: CopyInfo): Readable {
  const [dir, base] = splitPathDirEntry(info.path);
  if (base === '.') return packDirectory(dir, { sys, whiteouts: 'keep', includeRoot: true });
  return packDirectory(dir, { sys, whiteouts: 'keep', paths: [base], ...(info.rebaseName ? { rebase: { [base]: info.rebaseName } } : {}) });
}

function splitCopyArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i <= 0) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

async function statContainer(ctx: CliContext, container: string, path: string): Promise<ContainerPathStat | undefined> {
  try {
    return await ctx.client().archive.stat(container, path);
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
}

async function copyFromContainer(
  ctx: CliContext,
  container: string,
  srcPathIn: string,
  dstPathIn: string,
  options: { followLink: boolean; quiet: boolean },
): Promise<void> {
  let srcPath = srcPathIn;
  let dstPath = dstPathIn;
  if (dstPath !== '-') {
    dstPath = resolveLocalPath(dstPath);
    try {
      await fsp.stat(dirname(dstPath.replace(/\/\.?$/, '') || '/'));
    } catch {
      throw new StatusError(1, `invalid output path: directory ${JSON.stringify(dirname(dstPath.replace(/\/\.?$/, '')))} does not exist`);
    }
  }
  let rebaseName = '';
  if (options.followLink) {
    const st = await statContainer(ctx, container, srcPath);
    if (st && st.mode & modeSymlink) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(srcPath)[0], target);
      [target, rebaseName] = getRebaseName(srcPath, target);
      srcPath = target;
    }
  }
  const { stat, content: res } = await ctx.client().archive.get(container, srcPath);
  if (dstPath === '-') {
    await pipeline(res, ctx.stdout, { end: false });
    return;
  }
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: stat ? isDirMode(stat.mode) : false, rebaseName };
  let content: AsyncIterable<unknown> = res;
  if (srcInfo.rebaseName) content = rebaseArchive(content, splitPathDirEntry(srcInfo.path)[1], srcInfo.rebaseName);
  const dstInfo = await copyInfoDestinationPath(dstPath);
  const prepared = prepareArchiveCopy(content, srcInfo, dstInfo);
  let copied = 0;
  const counted = (async function* () {
    for await (const chunk of prepared.content) {
      copied += (chunk as Buffer).length;
      yield chunk;
    }
  })();
  const sys = loadSyscalls();
  await applyLayer(Readable.from(counted), prepared.dstDir, { sys, whiteouts: 'keep', noChown: true });
  if (!options.quiet) ctx.stderr.write(`Successfully copied ${size(copied)} to ${dstPathIn}\n`);
}

async function copyToContainer(
  ctx: CliContext,
  srcPathIn: string,
  container: string,
  dstPath: string,
  options: { followLink: boolean; quiet: boolean; copyUIDGID: boolean },
): Promise<void> {
  let dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let st = await statContainer(ctx, container, dstPath);
  if (st) {
    if (st.mode & modeSymlink) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(dstPath)[0], target);
      dstInfo.path = target;
      st = await statContainer(ctx, container, target);
    }
    if (st) {
      const kind = st.mode & modeTypeMask;
      if (kind !== 0 && kind !== modeDir) {
        throw new StatusError(1, `destination "${container}:${dstPath}" must be a directory or a regular file: got a file mode that is not a directory or a regular file`);
      }
      dstInfo = { ...dstInfo, exists: true, isDir: isDirMode(st.mode) };
    }
  }
  let content: NodeJS.ReadableStream;
  let dstDir: string;
  let counter: { n: number } = { n: 0 };
  if (srcPathIn === '-') {
    if (!dstInfo.isDir) throw new StatusError(1, `destination "${container}:${dstPath}" must be a directory`);
    content = ctx.stdin;
    dstDir = dstInfo.path;
  } else {
    const srcPath = resolveLocalPath(srcPathIn);
    const srcInfo = await copyInfoSourcePath(srcPath, options.followLink);
    const sys = loadSyscalls();
    const prepared = prepareArchiveCopy(tarResource(sys, srcInfo), srcInfo, dstInfo);
    dstDir = prepared.dstDir;
    counter = { n: 0 };
    const c = counter;
    content = Readable.from(
      (async function* () {
        for await (const chunk of prepared.content) {
          c.n += (chunk as Buffer).length;
          yield chunk;
        }
      })(),
    );
  }
  await ctx.client().archive.put(container, dstDir, content, { noOverwriteDirNonDir: true, copyUIDGID: options.copyUIDGID });
  if (!options.quiet && srcPathIn !== '-') ctx.stderr.write(`Successfully copied ${size(counter.n)} to ${container}:${dstInfo.path}\n`);
}

export const copyFiles: CommandRun<typeof cp.flags> = async (ctx, args, flags) => {
  const src = splitCopyArg(args[0]);
  const dst = splitCopyArg(args[1]);
  if (src.container !== undefined && dst.container !== undefined) throw new StatusError(1, 'copying between containers is not supported');
  if (src.container === undefined && dst.container === undefined) throw new StatusError(1, 'must specify at least one container source');
  if ((src.container !== undefined && src.path === '') || (dst.container !== undefined && dst.path === '')) throw new StatusError(1, 'filepath can not be empty');
  const quiet = !!flags.quiet || !(ctx.stderr as { isTTY?: boolean }).isTTY;
  const followLink = !!flags['follow-link'];
  try {
    if (src.container !== undefined) await copyFromContainer(ctx, src.container, src.path, dst.path, { followLink, quiet });
    else await copyToContainer(ctx, src.path, dst.container!, dst.path, { followLink, quiet, copyUIDGID: !!flags.archive });
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw new StatusError(1, daemonError(err));
  }
};
