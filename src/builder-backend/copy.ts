// COPY and ADD into a mounted layer with dockerd's classic rules (builder/dockerfile/copy.go):
// a directory's contents go into the destination, a file goes to the destination or into it
// (trailing slash, or an existing directory), new parent directories are made 0755 and owned by
// the --chown identity (root without one), copied files are owned by that identity (COPY --from
// without --chown keeps the source's owners), modes and times come along, ADD unpacks local tar
// archives (keeping their owners) and saves downloads as 0600 files. Everything is written through
// the archive extractor, so nothing lands outside the layer's root whatever symlinks it holds.
import { promises as fsp, type Stats } from 'node:fs';
import { basename, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createTarPacker, decompress, extractTar, openPathTree, readTar, type IdMapper, type TarHeader } from '../archive/index.ts';
import { DockerignoreMatcher, type CopyStep } from '../builder/index.ts';
import { InvalidArgument, isErrno } from '../errors/index.ts';
import { secureJoin } from '../lib/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { CopySource } from './context.ts';

export interface Identity {
  uid: number;
  gid: number;
}


const rel = (abs: string) => posix.normalize(abs).replace(/^\/+/, '').replace(/\/+$/, '');

/** dockerd's parseChownFlag: user[:group] by number or by name in the image's passwd/group. */
export async function resolveChown(root: string, chown: string): Promise<Identity> {
  const parts = chown.split(':');
  if (parts.length > 2) throw new InvalidArgument(`invalid chown string format: ${chown}`);
  const [userStr, groupStr] = parts.length === 1 ? [parts[0], parts[0]] : [parts[0], parts[1]];
  const lookup = async (file: string, name: string, what: 'user' | 'group', idField: number): Promise<number> => {
    if (/^\d+$/.test(name)) return Number(name);
    let text: string;
    try {
      text = await fsp.readFile(await secureJoin(root, file), 'utf8');
    } catch {
      throw new InvalidArgument(`can't find ${what === 'user' ? 'uid' : 'gid'} for ${what} ${name}: open ${file}: no such file or directory`);
    }
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f.length > idField) return Number(f[idField]);
    }
    throw new InvalidArgument(`can't find ${what === 'user' ? 'uid' : 'gid'} for ${what} ${name}: no such ${what}: ${name}`);
  };
  return { uid: await lookup('/etc/passwd', userStr, 'user', 2), gid: await lookup('/etc/group', groupStr, 'group', 2) };
}

/** mkdir -p inside `root`: missing directories made 0755 with `owner`. */
export async function mkdirAllInRoot(root: string, path: string, owner: Identity): Promise<void> {
  const parts = rel(path).split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const p = await secureJoin(root, parts.slice(0, i).join('/'));
    let st: Stats | undefined;
    try {
      st = await fsp.stat(p);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (st) {
      if (!st.isDirectory()) throw new InvalidArgument(`mkdir ${posix.join('/', ...parts.slice(0, i))}: not a directory`);
      continue;
    }
    await fsp.mkdir(p, { mode: 0o755 });
    await fsp.chmod(p, 0o755); // past the umask
    await fsp.lchown(p, owner.uid, owner.gid);
  }
}

async function isDirInRoot(root: string, path: string): Promise<boolean> {
  try {
    return (await fsp.stat(await secureJoin(root, path))).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a file is a tar archive (plain or compressed) that ADD unpacks. */
export async function isArchive(input: Readable): Promise<boolean> {
  try {
    const tar = await decompress(input);
    const entries = readTar(tar, { drain: false });
    const first = await entries.next();
    await entries.return(undefined);
    tar.destroy();
    return !first.done;
  } catch {
    return false;
  } finally {
    input.destroy();
  }
}

/** Re-writes a tar stream entry by entry: `map` returns the header to write, or null to drop it. */
function mapTar(input: Readable, map: (h: TarHeader) => TarHeader | null): Readable {
  const pack = createTarPacker();
  (async () => {
    for await (const entry of readTar(input)) {
      const h = map(entry.header);
      if (!h) {
        entry.body.resume();
        continue;
      }
      await pack.entry(h, h.type === 'file' ? entry.body : undefined);
    }
    await pack.finish();
  })().catch((err: Error) => {
    input.destroy();
    pack.abort(err);
  });
  return pack.stream;
}

interface ExtractInto {
  root: string;
  sys: Syscalls;
  /** Destination directory inside root (made already). */
  under: string;
  owner?: Identity;
  /** userns-remap: the entries' own (container) owners to the host ids that stand for them. */
  mapIds?: IdMapper;
  mode?: number;
  exclude?: DockerignoreMatcher;
}

async function extractInto(tar: Readable, o: ExtractInto): Promise<void> {
  let input = tar;
  if (o.exclude) {
    const matcher = o.exclude;
    input = mapTar(tar, (h) => (matcher.matches(h.name.replace(/\/$/, '')) ? null : h));
  }
  const tree = await openPathTree(o.root, o.sys);
  try {
    await extractTar(input, tree, {
      whiteouts: 'keep',
      under: rel(o.under),
      rootEntry: 'ignore',
      ...(o.owner ? { owner: o.owner } : o.mapIds ? { mapIds: o.mapIds } : {}),
      ...(o.mode !== undefined ? { mode: o.mode } : {}),
    });
  } finally {
    tree.close();
  }
}

/**
 * Copies `sources` (and the step's heredoc files) into the mounted `root` as step says.
 * `identity`: who owns what is copied (--chown, or root for the context and downloads);
 * undefined keeps the sources' owners (COPY --from without --chown). `toHost` (userns-remap):
 * the layer holds host ids, so the container's ids an owner is given in are mapped; sources read
 * from another layer already carry host ids.
 */
export async function performCopy(
  step: CopyStep,
  sources: readonly CopySource[],
  o: { root: string; sys: Syscalls; identity: Identity | undefined; toHost?: IdMapper },
): Promise<void> {
  const { root, sys } = o;
  const onHost = (id: Identity): Identity => (o.toHost ? o.toHost(id.uid, id.gid) : id);
  const identity = o.identity && onHost(o.identity);
  const hostRoot = onHost({ uid: 0, gid: 0 });
  const dirOwner = identity ?? hostRoot;
  const dest = step.destPath;
  const endsInSlash = dest.endsWith('/') || step.dest.endsWith('/') || step.dest === '.' || step.dest.endsWith('/.');
  if (sources.length + step.contents.length > 1 && !endsInSlash) {
    throw new InvalidArgument(`When using ${step.instructionName} with more than one source file, the destination must be a directory and end with a /`);
  }
  const exclude = step.exclude.length > 0 ? new DockerignoreMatcher(step.exclude) : undefined;
  const common = { root, sys, ...(step.chmod !== undefined ? { mode: step.chmod } : {}), ...(exclude ? { exclude } : {}) };

  for (const src of sources) {
    const target = step.parents ? posix.join(dest, src.name) : dest;
    if (src.isDir) {
      await mkdirAllInRoot(root, target, dirOwner);
      await extractInto(src.pack(''), { ...common, under: target, ...(identity ? { owner: identity } : {}) });
      continue;
    }
    if (step.instructionName === 'ADD' && !src.download && step.unpack !== false && (await isArchive(src.open()))) {
      await mkdirAllInRoot(root, target, hostRoot);
      await extractInto(await decompress(src.open()), { root, sys, under: target, ...(o.toHost ? { mapIds: o.toHost } : {}) });
      continue;
    }
    // --parents keeps the source's path under the destination
    const into = !step.parents && (endsInSlash || (await isDirInRoot(root, target)));
    const file = into ? posix.join(target, basename(src.name)) : target;
    if (exclude?.matches(basename(src.name))) continue;
    await mkdirAllInRoot(root, posix.dirname(file), dirOwner);
    await extractInto(src.pack(posix.basename(file)), { ...common, exclude: undefined, under: posix.dirname(file), ...(identity ? { owner: identity } : {}) });
  }

  for (const content of step.contents) {
    // a heredoc is a file named after its delimiter: it goes where such a file would
    const into = endsInSlash || (await isDirInRoot(root, dest));
    const file = into ? posix.join(dest, content.path) : dest;
    await mkdirAllInRoot(root, posix.dirname(file), dirOwner);
    const pack = createTarPacker();
    const data = Buffer.from(content.data);
    void pack.entry({ name: posix.basename(file), type: 'file', mode: step.chmod ?? 0o644, size: data.length, uid: dirOwner.uid, gid: dirOwner.gid, mtime: new Date() }, [data]).then(() => pack.finish());
    await extractInto(pack.stream, { root, sys, under: posix.dirname(file) });
  }
}
