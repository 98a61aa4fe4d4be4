// The image store, in dockerd's layout under <data-root>/image/overlay2:
//   imagedb/content/sha256/<id>            the image config, byte for byte (id = its sha256)
//   imagedb/metadata/sha256/<id>/parent     the parent image (classic builds)
//   imagedb/metadata/sha256/<id>/lastUpdated
//   repositories.json                       tags and digests → image ids
// Each image holds one reference on its top layer in the layer store.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { SkippedRecords, silentLogger, writeFileAtomic, writeJsonAtomic, type Logger } from '../lib/index.ts';
import { checker, decoder, go, imageConfig } from '../schema/index.ts';
import { chainIds, type Layer, type LayerStore } from '../storage/index.ts';
import type { ImageConfig } from '../types/index.ts';
import { familiarName, familiarString, parseReference, referenceString, withDefaultTag, type Reference } from './reference.ts';

export interface Image {
  /** "sha256:<hex>" */
  id: string;
  config: ImageConfig;
  /** The chain id of the top layer; undefined for an image without layers. */
  topLayer?: string;
  /** Bytes of all layers. */
  size: number;
  parent?: string;
  lastTagTime?: string;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** An image's config read as dockerd reads it (a one-string Cmd is a list, a null field unset). */
const decodeImageConfig = decoder(imageConfig, { typesOnly: true });
/** repositories.json: familiar name → reference → image id. */
const repositoriesProblem = checker(go.struct('refstore.store', { Repositories: go.map(go.map(go.string())) }));
const imageIdPattern = /^sha256:[0-9a-f]{64}$/;
export class ImageStore {
  #root: string;
  #layers: LayerStore;
  #log: Logger;
  #skipped: SkippedRecords;
  #images = new Map<string, Image>();
  /** Normalised reference string (docker.io/library/busybox:latest) → image id. */
  #refs = new Map<string, string>();
  /** References to images that are on disk but could not be loaded: kept in the file, not served. */
  #keptRefs = new Map<string, string>();

  constructor(options: { root: string; layers: LayerStore; log?: Logger; skipped?: SkippedRecords }) {
    this.#root = options.root;
    this.#layers = options.layers;
    this.#log = options.log ?? silentLogger;
    this.#skipped = options.skipped ?? new SkippedRecords(this.#log);
  }

  async load(): Promise<void> {
    const content = join(this.#root, 'imagedb', 'content', 'sha256');
    await fsp.mkdir(content, { recursive: true, mode: 0o700 });
    await fsp.mkdir(join(this.#root, 'imagedb', 'metadata', 'sha256'), { recursive: true, mode: 0o700 });
    for (const name of await fsp.readdir(content)) {
      if (name.startsWith('.')) {
        await fsp.rm(join(content, name), { force: true }); // an interrupted atomic write
        continue;
      }
      try {
        const raw = await fsp.readFile(join(content, name));
        if (createHash('sha256').update(raw).digest('hex') !== name) throw new Error('content does not match its digest');
        const image = this.#fromConfig(`sha256:${name}`, raw);
        const meta = join(this.#root, 'imagedb', 'metadata', 'sha256', name);
        const parent = await fsp.readFile(join(meta, 'parent'), 'utf8').catch(() => undefined);
        const last = await fsp.readFile(join(meta, 'lastUpdated'), 'utf8').catch(() => undefined);
        if (parent) image.parent = parent.trim();
        if (last) image.lastTagTime = last.trim();
        this.#images.set(image.id, image);
        if (image.topLayer) this.#layers.retain(image.topLayer);
      } catch (err) {
        this.#skipped.report('image', `sha256:${name}`, (err as Error).message);
      }
    }
    await this.#loadRefs(new Set((await fsp.readdir(content)).map((n) => `sha256:${n}`)));
  }

  async #loadRefs(onDisk: Set<string>): Promise<void> {
    const path = join(this.#root, 'repositories.json');
    let text: string;
    try {
      text = await fsp.readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let repos: unknown;
    let problem: string | undefined;
    try {
      repos = JSON.parse(text);
      problem = repositoriesProblem(repos);
    } catch (err) {
      problem = `invalid JSON: ${(err as Error).message}`;
    }
    if (problem !== undefined) {
      // Set aside, not overwritten by the next tag: whoever repairs it has the original.
      const aside = `${path}.malformed-${Date.now()}`;
      await fsp.rename(path, aside);
      this.#skipped.report('repositories.json', path, `${problem}; moved to ${aside}, no tag was loaded`);
      return;
    }
    for (const byName of Object.values((repos as { Repositories?: Record<string, Record<string, string>> }).Repositories ?? {})) {
      for (const [ref, id] of Object.entries(byName)) {
        let key: string;
        try {
          key = referenceString(parseReference(ref));
          if (!imageIdPattern.test(id)) throw new InvalidArgument(`invalid image id ${JSON.stringify(id)}`);
        } catch (err) {
          this.#skipped.report('repositories.json', ref, (err as Error).message);
          continue;
        }
        if (this.#images.has(id)) this.#refs.set(key, id);
        else if (onDisk.has(id)) this.#keptRefs.set(key, id);
      }
    }
  }

  #fromConfig(id: string, raw: Buffer): Image {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new InvalidArgument(`invalid image config: invalid JSON: ${(err as Error).message}`);
    }
    const config = decodeImageConfig(parsed) as ImageConfig;
    if (!config.rootfs || config.rootfs.type !== 'layers' || !Array.isArray(config.rootfs.diff_ids)) {
      throw new InvalidArgument('invalid image config: missing rootfs');
    }
    const chain = chainIds(config.rootfs.diff_ids);
    const topLayer = chain.at(-1);
    let size = 0;
    if (topLayer) {
      const layers: Layer[] = this.#layers.chain(topLayer); // throws NotFound when a layer is missing
      size = layers.reduce((n, l) => n + l.size, 0);
    }
    return { id, config, size, ...(topLayer ? { topLayer } : {}) };
  }

  /** Stores an image config whose layers are already in the layer store. */
  async create(raw: Buffer, options: { parent?: string } = {}): Promise<Image> {
    const id = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const existing = this.#images.get(id);
    if (existing) return existing;
    const image = this.#fromConfig(id, raw);
    await writeFileAtomic(join(this.#root, 'imagedb', 'content', 'sha256', hex(id)), raw, { mode: 0o600 });
    if (options.parent) {
      const meta = join(this.#root, 'imagedb', 'metadata', 'sha256', hex(id));
      await fsp.mkdir(meta, { recursive: true });
      await writeFileAtomic(join(meta, 'parent'), options.parent);
      image.parent = options.parent;
    }
    this.#images.set(id, image);
    if (image.topLayer) this.#layers.retain(image.topLayer);
    return image;
  }

  /** Removes the image and returns the chain ids of the layers that went with it. */
  async delete(id: string): Promise<string[]> {
    const image = this.#images.get(id);
    if (!image) throw new NotFound(`No such image: ${id}`);
    for (const [ref, target] of this.#refs) if (target === id) this.#refs.delete(ref);
    await this.#saveRefs();
    this.#images.delete(id);
    await fsp.rm(join(this.#root, 'imagedb', 'metadata', 'sha256', hex(id)), { recursive: true, force: true });
    await fsp.rm(join(this.#root, 'imagedb', 'content', 'sha256', hex(id)), { force: true });
    return image.topLayer ? this.#layers.release(image.topLayer) : [];
  }

  get(id: string): Image | undefined {
    return this.#images.get(id);
  }

  /** The image config exactly as stored (its sha256 is the image id). */
  async rawConfig(id: string): Promise<Buffer> {
    if (!this.#images.has(id)) throw new NotFound(`No such image: ${id}`);
    return fsp.readFile(join(this.#root, 'imagedb', 'content', 'sha256', hex(id)));
  }

  /** Sets the parent image (imagedb metadata), as load does for the Parent a manifest names. */
  async setParent(id: string, parent: string): Promise<void> {
    const image = this.#images.get(id);
    if (!image || !this.#images.has(parent)) return;
    const meta = join(this.#root, 'imagedb', 'metadata', 'sha256', hex(id));
    await fsp.mkdir(meta, { recursive: true });
    await writeFileAtomic(join(meta, 'parent'), parent);
    image.parent = parent;
  }

  list(): Image[] {
    return [...this.#images.values()];
  }

  /** Images whose parent is `id` (classic-builder lineage). */
  children(id: string): Image[] {
    return this.list().filter((i) => i.parent === id);
  }

  /**
   * Finds an image the way dockerd does: a full or prefixed id ("sha256:…" or hex), or a reference
   * (tag or digest; "latest" when neither is given).
   */
  resolve(nameOrId: string): Image {
    const found = this.find(nameOrId);
    if (!found) throw new NotFound(`No such image: ${notFoundName(nameOrId)}`);
    return found;
  }

  find(nameOrId: string): Image | undefined {
    const full = /^sha256:([0-9a-f]{64})$/.exec(nameOrId);
    if (full) return this.#images.get(nameOrId);
    let ref: Reference | undefined;
    try {
      ref = parseReference(nameOrId);
    } catch {
      ref = undefined;
    }
    if (ref) {
      const id = this.#refs.get(referenceString(withDefaultTag(ref)));
      if (id) return this.#images.get(id);
    }
    const prefix = /^(?:sha256:)?([0-9a-f]{1,64})$/.exec(nameOrId);
    if (prefix) {
      const matches = this.list().filter((i) => hex(i.id).startsWith(prefix[1]));
      if (matches.length > 1) throw new NotFound(`No such image: ${nameOrId}: ambiguous prefix`);
      return matches[0];
    }
    return undefined;
  }

  /** Points `ref` at image `id`, moving the tag if it pointed elsewhere. */
  async tag(id: string, ref: Reference): Promise<void> {
    if (!this.#images.has(id)) throw new NotFound(`No such image: ${id}`);
    if (ref.digest && ref.tag) throw new InvalidArgument('refusing to create a tag with a digest reference');
    const key = referenceString(withDefaultTag(ref));
    // A key that does not read back would break every listing until restart: refuse it first.
    parseReference(key);
    const previous = this.#refs.get(key);
    this.#refs.set(key, id);
    try {
      await this.#saveRefs();
    } catch (err) {
      if (previous === undefined) this.#refs.delete(key);
      else this.#refs.set(key, previous);
      throw err;
    }
    const image = this.#images.get(id)!;
    image.lastTagTime = new Date().toISOString();
    const meta = join(this.#root, 'imagedb', 'metadata', 'sha256', hex(id));
    await fsp.mkdir(meta, { recursive: true });
    await writeFileAtomic(join(meta, 'lastUpdated'), image.lastTagTime);
  }

  /** Removes one reference; returns whether it existed. */
  async untag(ref: Reference): Promise<boolean> {
    const key = referenceString(withDefaultTag(ref));
    const had = this.#refs.delete(key);
    if (had) await this.#saveRefs();
    return had;
  }

  /** The references pointing at `id`, tags and digests, in a stable order. */
  references(id: string): Reference[] {
    return [...this.#refs.entries()]
      .filter(([, target]) => target === id)
      .map(([ref]) => parseReference(ref))
      .sort((a, b) => familiarString(a).localeCompare(familiarString(b)));
  }

  async #saveRefs(): Promise<void> {
    const repositories: Record<string, Record<string, string>> = {};
    const kept = [...this.#keptRefs].filter(([key, id]) => !this.#refs.has(key) && !this.#images.has(id));
    for (const [key, id] of [...kept, ...this.#refs]) {
      const ref = parseReference(key);
      const name = familiarName(ref);
      (repositories[name] ??= {})[familiarString(ref)] = id;
    }
    await writeJsonAtomic(join(this.#root, 'repositories.json'), { Repositories: repositories }, { mode: 0o600 });
  }
}

function notFoundName(nameOrId: string): string {
  try {
    const ref = parseReference(nameOrId);
    return familiarString(withDefaultTag(ref));
  } catch {
    return nameOrId;
  }
}

