// `docker load`: a docker-archive (dockerd 20.10's layout, or 25+'s OCI layout with manifest.json
// alongside) becomes images. The archive is staged in a temporary directory on the data root's
// file system (manifest.json usually comes last), then checked as a whole — manifest, configs,
// every layer file present — before any layer is registered. Layers are registered against the
// diff ids their config names; a layer that fails (a bad digest, a broken tar) undoes every
// layer this load registered, and images are created only once all their layers are in. So a
// corrupt archive leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cleanEntryName, decompress, readTar } from '../../archive/index.ts';
import { InvalidArgument } from '../../errors/index.ts';
import { humanSize } from '../../lib/index.ts';
import { chainIds } from '../../storage/index.ts';
import type { ImageConfig, JsonMessage } from '../../types/index.ts';
import { familiarString, parseReference, withDefaultTag, type Reference } from '../reference.ts';
import type { Image } from '../store.ts';
import type { TarExportDeps } from './save.ts';

interface ManifestItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
  Parent?: string;
}

const maxJsonSize = 32 << 20;

/** docker's progress bar: "[=====>     ]  1.2MB/3.4MB". */
export function progressBar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.floor((width * Math.min(current, total)) / total) : 0;
  const bar = filled > 0 ? '='.repeat(filled - 1) + '>' : '';
  return `[${bar.padEnd(width)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/** The staged archive: regular files on disk, links remembered by name (never made on disk). */
class StagedArchive {
  readonly dir: string;
  #links = new Map<string, { target: string; hard: boolean }>();

  constructor(dir: string) {
    this.dir = dir;
  }

  async stage(input: Readable): Promise<void> {
    for await (const entry of readTar(input)) {
      const name = cleanEntryName(entry.header.name);
      if (!name) continue;
      const h = entry.header;
      if (h.type === 'directory') {
        await fsp.mkdir(join(this.dir, name), { recursive: true, mode: 0o700 });
      } else if (h.type === 'file') {
        await fsp.mkdir(dirname(join(this.dir, name)), { recursive: true, mode: 0o700 });
        await pipeline(entry.body, createWriteStream(join(this.dir, name), { mode: 0o600, flags: 'w' }));
      } else if (h.type === 'symlink' || h.type === 'link') {
        this.#links.set(name, { target: h.linkname, hard: h.type === 'link' });
      }
    }
  }

  /** The staged file an archive path names, following the archive's own links inside it. */
  resolve(path: string): string {
    let parts = posix.normalize(path).split('/').filter((p) => p && p !== '.');
    const done: string[] = [];
    for (let hops = 0; parts.length > 0; ) {
      const part = parts.shift()!;
      if (part === '..') {
        done.pop();
        continue;
      }
      const name = [...done, part].join('/');
      const link = this.#links.get(name);
      if (link) {
        if (++hops > 40) throw new InvalidArgument(`too many links resolving ${path}`);
        // a hard link names a path from the archive's root; a symlink from its own directory
        const target = link.hard || link.target.startsWith('/') ? link.target : posix.join(done.join('/') || '.', link.target);
        done.length = 0;
        parts = [...target.split('/').filter((p) => p && p !== '.'), ...parts];
        continue;
      }
      done.push(part);
    }
    return join(this.dir, ...done);
  }

  async readJson<T>(path: string, what: string): Promise<{ raw: Buffer; value: T }> {
    const file = this.resolve(path);
    const st = await fsp.stat(file).catch(() => undefined);
    if (!st?.isFile()) throw new InvalidArgument(`invalid archive: ${what} ${path} not found`);
    if (st.size > maxJsonSize) throw new InvalidArgument(`invalid archive: ${what} ${path} is too large`);
    const raw = await fsp.readFile(file);
    try {
      return { raw, value: JSON.parse(raw.toString('utf8')) as T };
    } catch (err) {
      throw new InvalidArgument(`invalid archive: ${what} ${path}: ${(err as Error).message}`);
    }
  }
}

export interface LoadOptions {
  quiet: boolean;
  progress: (m: JsonMessage) => void;
}

/** Loads the archive's images; resolves with their ids, in the archive's order. */
export async function loadImages(deps: TarExportDeps, input: Readable, options: LoadOptions): Promise<string[]> {
  await fsp.mkdir(deps.tmpRoot, { recursive: true, mode: 0o700 });
  const staged = new StagedArchive(join(deps.tmpRoot, `load-${randomBytes(8).toString('hex')}`));
  await fsp.mkdir(staged.dir, { mode: 0o700 });
  const held: string[] = [];
  try {
    await staged.stage(await decompress(input));
    return await loadStaged(deps, staged, options, held);
  } finally {
    // Release what this load held: layers no image took are deleted with it.
    for (const c of held.reverse()) await deps.layers.release(c).catch(() => {});
    await fsp.rm(staged.dir, { recursive: true, force: true });
  }
}

async function loadStaged(deps: TarExportDeps, staged: StagedArchive, options: LoadOptions, held: string[]): Promise<string[]> {
  const { value: manifest } = await staged.readJson<ManifestItem[]>('manifest.json', 'file').catch((err: unknown) => {
    throw err instanceof InvalidArgument && /not found/.test(err.message)
      ? new InvalidArgument('invalid archive: no manifest.json (archives from docker before 1.10 are not supported)')
      : err;
  });
  if (!Array.isArray(manifest)) throw new InvalidArgument('invalid archive: manifest.json is not a list');

  // Everything is checked before the first layer is registered.
  const items: Array<{ item: ManifestItem; raw: Buffer; config: ImageConfig; layerFiles: string[]; refs: Reference[] }> = [];
  for (const item of manifest) {
    if (typeof item?.Config !== 'string' || !Array.isArray(item.Layers)) throw new InvalidArgument('invalid archive: malformed manifest.json entry');
    const { raw, value: config } = await staged.readJson<ImageConfig>(item.Config, 'image config');
    if (!config?.rootfs || config.rootfs.type !== 'layers' || !Array.isArray(config.rootfs.diff_ids)) {
      throw new InvalidArgument(`invalid image config ${item.Config}: missing rootfs`);
    }
    if (config.os && config.os !== 'linux') throw new InvalidArgument(`image operating system "${config.os}" cannot be used on this platform`);
    if (item.Layers.length !== config.rootfs.diff_ids.length) {
      throw new InvalidArgument(`invalid manifest, layers length mismatch: expected ${item.Layers.length}, got ${config.rootfs.diff_ids.length}`);
    }
    const layerFiles: string[] = [];
    for (const l of item.Layers) {
      const file = staged.resolve(l);
      const st = await fsp.stat(file).catch(() => undefined);
      if (!st?.isFile()) throw new InvalidArgument(`invalid archive: layer ${l} not found`);
      layerFiles.push(file);
    }
    const refs: Reference[] = [];
    for (const t of item.RepoTags ?? []) {
      const ref = parseReference(t);
      if (!ref.tag || ref.digest) throw new InvalidArgument(`invalid tag "${t}"`);
      refs.push(ref);
    }
    items.push({ item, raw, config, layerFiles, refs });
  }

  // Layers: each registered on its parent against the diff id its config names.
  for (const { config, layerFiles } of items) {
    const diffIds = config.rootfs.diff_ids;
    const chain = chainIds(diffIds);
    for (let i = 0; i < diffIds.length; i++) {
      const shortId = diffIds[i].replace(/^sha256:/, '').slice(0, 12);
      if (!deps.layers.get(chain[i])) {
        const total = (await fsp.stat(layerFiles[i])).size;
        if (!options.quiet) options.progress({ status: 'Loading layer', progressDetail: { current: 0, total }, progress: progressBar(0, total), id: shortId });
        const tar = await decompress(createReadStream(layerFiles[i]));
        await deps.layers.register(tar, { ...(i > 0 ? { parent: chain[i - 1] } : {}), expectedDiffId: diffIds[i] });
        if (!options.quiet) options.progress({ status: 'Loading layer', progressDetail: { current: total, total }, progress: progressBar(total, total), id: shortId });
      }
      deps.layers.retain(chain[i]);
      held.push(chain[i]);
    }
  }

  // Images, tags, parents.
  let idLines = '';
  let tagged = 0;
  const created: Image[] = [];
  for (const { raw, refs } of items) {
    const image = await deps.images.create(raw);
    created.push(image);
    idLines += `Loaded image ID: ${image.id}\n`;
    tagged = 0;
    for (const ref of refs) {
      const key = familiarString(withDefaultTag(ref));
      const previous = deps.images.find(key);
      if (previous && previous.id !== image.id) {
        options.progress({ stream: `The image ${key} already exists, renaming the old one with ID ${previous.id} to empty string\n` });
      }
      await deps.images.tag(image.id, withDefaultTag(ref));
      options.progress({ stream: `Loaded image: ${key}\n` });
      tagged++;
    }
  }
  for (let i = 0; i < items.length; i++) {
    const parent = items[i].item.Parent;
    if (parent && deps.images.get(parent)) await deps.images.setParent(created[i].id, parent);
  }
  // As dockerd 20.10: the ids are listed when the last image loaded had no tag.
  if (tagged === 0 && idLines) options.progress({ stream: idLines });
  return created.map((i) => i.id);
}

/** Removes what a load or save cut short by a crash left in the temporary directory. */
export async function sweepTransferTemp(tmpRoot: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(tmpRoot);
  } catch {
    return;
  }
  for (const n of names) if (/^(load|save)-[0-9a-f]{16}(\.tar)?$/.test(n)) await fsp.rm(join(tmpRoot, n), { recursive: true, force: true });
}
