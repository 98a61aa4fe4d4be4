// The image service behind /images/*: list, inspect, history, tag, remove, import and pull, and the
// image side of save, load, prune, commit and system df, over the image and layer stores. It asks
// the containers only which of them use an image (ImageUsers).
import type { Readable } from 'node:stream';
import { decompress } from '../archive/index.ts';
import { applyChanges } from '../builder/index.ts';
import { Conflict, InvalidArgument } from '../errors/index.ts';
import { shortId } from '../lib/index.ts';
import type { LayerStore } from '../storage/index.ts';
import {
  emptyContainerConfig,
  type ContainerConfig,
  type DeleteResponseItem,
  type ImageConfig,
  type HistoryEntry,
  type ImageHistoryEntry,
  type ImageSummary,
} from '../types/index.ts';
import { BuiltinBusyboxSource } from './builtin.ts';
import { commitImage, type CommitRequest } from './commit.ts';
import { pruneImages, type PruneReport } from './prune.ts';
import { pullImage, type ImageSources } from './pull.ts';
import { pullReference, type PullOptions, type RegistrySource } from './source.ts';
import { loadImages, sweepTransferTemp, type LoadOptions } from './tarexport/load.ts';
import { saveImages, selectImages, type TarExportDeps } from './tarexport/save.ts';
import { imageDiskUsage } from './usage.ts';
import type { ImageUsers } from './users.ts';
import { engineVersion } from './version.ts';
import { familiarName, familiarString, parseReference, withDefaultTag, withTag, type Reference } from './reference.ts';
import type { Image, ImageStore } from './store.ts';

export interface ImageServiceOptions {
  images: ImageStore;
  layers: LayerStore;
  users: ImageUsers;
  /** A directory on the data root's file system where load stages and save spools. */
  tmpRoot: string;
  /** The registry client (distribution); without it only the built-in busybox can be pulled. */
  registry?: RegistrySource;
  /** Where the service reports what it did to images (the event bus). */
  events: ImageEvents;
}

/** The event bus, as the image service publishes to it. */
export interface ImageEvents {
  publish(type: 'image', action: string, id: string, attributes: Record<string, string>): void;
}

const hex = (id: string) => id.replace(/^sha256:/, '');
const unixSeconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

export class ImageService {
  readonly store: ImageStore;
  #layers: LayerStore;
  #users: ImageUsers;
  #sources: ImageSources;
  #tar: TarExportDeps;
  #events: ImageEvents;

  constructor(options: ImageServiceOptions) {
    this.#events = options.events;
    this.store = options.images;
    this.#layers = options.layers;
    this.#users = options.users;
    this.#sources = { builtin: new BuiltinBusyboxSource(options.images, options.layers), ...(options.registry ? { registry: options.registry } : {}) };
    this.#tar = { images: options.images, layers: options.layers, tmpRoot: options.tmpRoot };
  }

  /**
   * dockerd's LogImageEvent: the image's labels (while it exists), and `name` — a reference, or
   * the id itself for untag, delete, import, load and save, as dockerd names them.
   */
  #publish(action: string, id: string, name: string, labels = this.store.find(id)?.config.config?.Labels ?? {}): void {
    this.#events.publish('image', action, id, { ...labels, ...(name ? { name } : {}) });
  }

  /** Removes what a save or load cut short by a crash left behind. */
  async init(): Promise<void> {
    await sweepTransferTemp(this.#tar.tmpRoot);
  }

  repoTags(image: Image): string[] {
    return this.store.references(image.id).filter((r) => r.tag !== undefined && !r.digest).map(familiarString);
  }

  repoDigests(image: Image): string[] {
    return this.store.references(image.id).filter((r) => r.digest !== undefined).map(familiarString);
  }

  list(options: { all: boolean; filters: Map<string, string[]>; digests?: boolean }): ImageSummary[] {
    const f = options.filters;
    for (const key of f.keys()) {
      if (!['dangling', 'label', 'before', 'since', 'reference', 'until'].includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    }
    const dangling = f.get('dangling');
    if (dangling) for (const d of dangling) if (!['true', 'false', '1', '0'].includes(d)) throw new InvalidArgument(`invalid filter 'dangling=${d}'`);
    const created = (i: Image) => Date.parse(i.config.created ?? '') || 0;
    const before = (f.get('before') ?? []).map((r) => this.store.resolve(r));
    const since = (f.get('since') ?? []).map((r) => this.store.resolve(r));
    const refPatterns = (f.get('reference') ?? []).map(referenceMatcher);
    const hasChildren = (i: Image) => this.store.children(i.id).length > 0;

    const out: ImageSummary[] = [];
    for (const image of this.store.list()) {
      const tags = this.repoTags(image);
      const digests = this.repoDigests(image);
      const isDangling = tags.length === 0 && digests.length === 0;
      if (dangling && dangling.length) {
        const want = dangling[0] === 'true' || dangling[0] === '1';
        if (want !== isDangling) continue;
      }
      if (!options.all && isDangling && hasChildren(image)) continue; // an intermediate image
      if (before.some((b) => created(image) >= created(b))) continue;
      if (since.some((s) => created(image) <= created(s))) continue;
      const labels = image.config.config?.Labels ?? {};
      if (!(f.get('label') ?? []).every((l) => labelMatches(labels, l))) continue;
      let shownTags = tags;
      if (refPatterns.length) {
        shownTags = tags.filter((t) => refPatterns.some((m) => m(t)));
        if (shownTags.length === 0) continue;
      }
      out.push({
        Id: image.id,
        ParentId: image.parent ?? '',
        RepoTags: shownTags,
        RepoDigests: digests,
        Created: unixSeconds(image.config.created),
        Size: image.size,
        SharedSize: -1,
        VirtualSize: image.size,
        Labels: labels,
        Containers: -1,
      });
    }
    return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
  }

  async inspect(nameOrId: string): Promise<Record<string, unknown>> {
    const image = this.store.resolve(nameOrId);
    const c = image.config;
    const graph: Record<string, string> = {};
    if (image.topLayer) {
      const chain = this.#layers.chain(image.topLayer);
      const top = chain.at(-1)!;
      const d = await this.#layers.driver.describe(top.cacheId);
      Object.assign(graph, d);
    }
    return {
      Id: image.id,
      RepoTags: this.repoTags(image),
      RepoDigests: this.repoDigests(image),
      Parent: image.parent ?? '',
      // as dockerd: an image without a comment of its own shows its last history entry's (commit -m)
      Comment: c.comment || (c.history?.at(-1)?.comment ?? ''),
      Created: c.created ?? '',
      Container: c.container ?? '',
      ContainerConfig: fullConfig(c.container_config),
      DockerVersion: c.docker_version ?? '',
      Author: c.author ?? '',
      Config: fullConfig(c.config),
      Architecture: c.architecture,
      ...(c.variant ? { Variant: c.variant } : {}),
      Os: c.os,
      Size: image.size,
      VirtualSize: image.size,
      GraphDriver: { Data: graph, Name: 'overlay2' },
      RootFS: { Type: 'layers', Layers: c.rootfs.diff_ids },
      Metadata: { LastTagTime: image.lastTagTime ?? '0001-01-01T00:00:00Z' },
    };
  }

  history(nameOrId: string): ImageHistoryEntry[] {
    const image = this.store.resolve(nameOrId);
    const layers = image.topLayer ? this.#layers.chain(image.topLayer) : [];
    const history = image.config.history?.length
      ? image.config.history
      : layers.map((): HistoryEntry => ({ created: image.config.created, created_by: '', comment: '' }));
    const out: ImageHistoryEntry[] = [];
    let layerIndex = 0;
    for (const h of history) {
      const size = h.empty_layer ? 0 : (layers[layerIndex++]?.size ?? 0);
      out.push({ Id: '<missing>', Created: unixSeconds(h.created), CreatedBy: h.created_by ?? '', Tags: null, Size: size, Comment: h.comment ?? '' });
    }
    out.reverse();
    // As dockerd: from the top, one row per image of the parent chain that commit (and the
    // classic builder) recorded here, each with its tags (null when none); rows below the chain's
    // end belong to layers made elsewhere and stay <missing>.
    let current: Image | undefined = image;
    for (const row of out) {
      if (!current) break;
      const tags = this.repoTags(current);
      row.Id = current.id;
      row.Tags = tags.length ? tags : null;
      current = current.parent ? this.store.get(current.parent) : undefined;
    }
    return out;
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const image = this.store.resolve(source);
    let ref = parseReference(repo);
    if (ref.digest) throw new InvalidArgument('refusing to create a tag with a digest reference');
    if (tag) ref = withTag(ref, tag);
    await this.store.tag(image.id, withDefaultTag(ref));
    this.#publish('tag', image.id, familiarString(withDefaultTag(ref)));
  }

  /** DELETE /images/{name}: untag, and delete when nothing else holds the image (dockerd's rules). */
  async remove(nameOrId: string, options: { force: boolean; prune: boolean }): Promise<DeleteResponseItem[]> {
    const image = this.store.resolve(nameOrId);
    const records = await this.#remove(image, nameOrId, options);
    // the events of an image deleted meanwhile: untag with its labels, delete without (dockerd's)
    const labels = image.config.config?.Labels ?? {};
    for (const r of records) {
      if (r.Untagged) this.#publish('untag', image.id, image.id, labels);
      else if (r.Deleted === image.id) this.#publish('delete', image.id, image.id, {});
    }
    return records;
  }

  async #remove(image: Image, nameOrId: string, options: { force: boolean; prune: boolean }): Promise<DeleteResponseItem[]> {
    const records: DeleteResponseItem[] = [];
    const users = this.#users.containersUsingImage(image.id);
    let refs = this.store.references(image.id);
    let removedRepositoryRef = false;

    if (!isIdPrefix(image.id, nameOrId)) {
      // A reference was named: remove it, unless it is the last one and a container uses it.
      if (!options.force && isSingleReference(refs) && users.length) {
        throw new Conflict(
          `conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${shortId(users[0].id)} is using its referenced image ${shortId(image.id)}`,
        );
      }
      const ref = withDefaultTag(parseReference(nameOrId));
      await this.store.untag(ref);
      records.push({ Untagged: familiarString(ref) });
      refs = this.store.references(image.id);
      // With the repository's last tag gone, its digest references go too.
      if (!ref.digest && !refs.some((r) => !r.digest && sameRepo(r, ref))) {
        for (const r of refs.filter((x) => x.digest && sameRepo(x, ref))) {
          await this.store.untag(r);
          records.push({ Untagged: familiarString(r) });
        }
        refs = this.store.references(image.id);
      }
      if (refs.length > 0) return records;
      removedRepositoryRef = true;
    } else if (isSingleReference(refs)) {
      // An id was named and one repository refers to it: its references may go with it.
      const conflict = this.#conflict(image, users, { soft: !options.force, references: false });
      if (conflict) throw new Conflict(conflict.message);
      for (const r of refs) {
        await this.store.untag(r);
        records.push({ Untagged: familiarString(r) });
      }
    }

    const conflict = this.#conflict(image, users, { soft: !options.force, references: true });
    if (conflict) {
      // After untagging by name, a conflict just keeps the image (quietly), unless that would
      // leave a dangling image nobody uses.
      const dangling = this.store.references(image.id).length === 0 && this.store.children(image.id).length === 0;
      if (removedRepositoryRef && (!dangling || conflict.used)) return records;
      throw new Conflict(conflict.message);
    }
    for (const r of this.store.references(image.id)) {
      await this.store.untag(r);
      records.push({ Untagged: familiarString(r) });
    }
    const removedLayers = await this.store.delete(image.id);
    records.push({ Deleted: image.id });
    for (const l of removedLayers) records.push({ Deleted: l });
    // as dockerd (unless noprune): the untagged parents only this image was built on go too —
    // a classic build's intermediate images
    for (let parentId = options.prune ? image.parent : undefined; parentId !== undefined; ) {
      const parent = this.store.get(parentId);
      if (!parent || this.store.references(parent.id).length > 0 || this.store.children(parent.id).length > 0) break;
      if (this.#users.containersUsingImage(parent.id).length > 0) break;
      parentId = parent.parent;
      const layers = await this.store.delete(parent.id);
      records.push({ Deleted: parent.id });
      for (const l of layers) records.push({ Deleted: l });
    }
    return records;
  }

  /** dockerd's delete conflicts: hard ones (child images, running users) always count. */
  #conflict(
    image: Image,
    users: Array<{ id: string; running: boolean }>,
    o: { soft: boolean; references: boolean },
  ): { message: string; used: boolean } | undefined {
    const msg = (hard: boolean, why: string) => `conflict: unable to delete ${shortId(image.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${why}`;
    if (this.store.children(image.id).length) return { message: msg(true, 'image has dependent child images'), used: false };
    const running = users.find((u) => u.running);
    if (running) return { message: msg(true, `image is being used by running container ${shortId(running.id)}`), used: true };
    if (!o.soft) return undefined;
    if (o.references && this.store.references(image.id).length > 0) return { message: msg(false, 'image is referenced in multiple repositories'), used: false };
    const stopped = users.find((u) => !u.running);
    if (stopped) return { message: msg(false, `image is being used by stopped container ${shortId(stopped.id)}`), used: true };
    return undefined;
  }

  /**
   * POST /images/create?fromSrc=-: a root file system tarball (plain or compressed) becomes a
   * one-layer image. Nothing is kept when the archive is bad.
   */
  async importImage(src: Readable, options: { repo?: string; tag?: string; message?: string; changes?: string[] }): Promise<Image> {
    // Everything that can be refused is checked before the first byte is unpacked (dockerd creates nothing).
    let ref: Reference | undefined;
    if (options.repo) {
      ref = parseReference(options.repo);
      if (options.tag) ref = withTag(ref, options.tag);
      if (ref.digest) throw new InvalidArgument('cannot import digest reference');
      ref = withDefaultTag(ref);
    }
    const config: Partial<ContainerConfig> = {};
    applyChanges(config, options.changes ?? []);
    const tar = await decompress(src);
    const layer = await this.#layers.register(tar);
    const created = new Date().toISOString();
    const message = options.message || 'Imported from -';
    const imageConfig: ImageConfig = {
      architecture: 'amd64',
      os: 'linux',
      created,
      comment: message,
      docker_version: engineVersion,
      config: { ...emptyContainerConfig(), ...config },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, comment: message }],
    };
    // Hold the layer while the image is written: if that fails, releasing it deletes it.
    this.#layers.retain(layer.chainId);
    let image: Image;
    try {
      image = await this.store.create(Buffer.from(JSON.stringify(imageConfig)));
    } finally {
      await this.#layers.release(layer.chainId);
    }
    if (ref) {
      await this.store.tag(image.id, ref);
      this.#publish('tag', image.id, familiarString(ref));
    }
    this.#publish('import', image.id, image.id);
    return image;
  }

  /** POST /images/create?fromImage=… */
  async pull(options: PullOptions): Promise<void> {
    await pullImage(this.#sources, options);
    // dockerd's: the actor is the reference pulled, its name the repository
    const ref = withDefaultTag(pullReference(options));
    const pulled = this.store.find(familiarString(ref));
    this.#events.publish('image', 'pull', familiarString(ref), { ...(pulled?.config.config?.Labels ?? {}), name: familiarName(ref) });
  }

  /** GET /images/get: checks the names (NotFound before anything is sent), then streams the archive. */
  saveImages(names: string[]): Readable {
    const selection = selectImages(this.store, names);
    const stream = saveImages(this.#tar, selection);
    stream.once('end', () => {
      for (const { image } of selection.values()) this.#publish('save', image.id, image.id);
    });
    return stream;
  }

  /** POST /images/load */
  async loadImages(input: Readable, options: LoadOptions): Promise<void> {
    for (const id of await loadImages(this.#tar, input, options)) this.#publish('load', id, id);
  }

  /** POST /images/prune */
  async pruneImages(filters: Map<string, string[]>): Promise<PruneReport> {
    const report = await pruneImages({ service: this, layers: this.#layers, users: this.#users }, filters);
    this.#events.publish('image', 'prune', '', { reclaimed: String(report.SpaceReclaimed) });
    return report;
  }

  /** The image half of commit: the container's changes become a child image of its own. */
  async commit(req: CommitRequest): Promise<{ id: string; ref?: string }> {
    const { image, ref } = await commitImage({ images: this.store, layers: this.#layers }, req);
    if (ref) this.#publish('tag', image.id, familiarString(parseReference(ref)));
    return { id: image.id, ...(ref ? { ref } : {}) };
  }

  /** GET /system/df's images and the bytes of all layers. */
  diskUsage(): { LayersSize: number; Images: ImageSummary[] } {
    return imageDiskUsage({ service: this, layers: this.#layers, users: this.#users });
  }

  count(): number {
    return this.store.list().length;
  }

  get(id: string): Image | undefined {
    return this.store.get(id);
  }

  resolve(nameOrId: string): Image {
    return this.store.resolve(nameOrId);
  }

  find(nameOrId: string): Image | undefined {
    return this.store.find(nameOrId);
  }
}

function fullConfig(c: Partial<ContainerConfig> | undefined): ContainerConfig {
  return { ...emptyContainerConfig(), ...(c ?? {}) };
}

function isIdPrefix(imageId: string, s: string): boolean {
  return imageId.startsWith(s) || hex(imageId).startsWith(s);
}

function sameRepo(a: Reference, b: Reference): boolean {
  return a.domain === b.domain && a.path === b.path;
}

/** True when all references name one repository with at most one tag (dockerd's isSingleReference). */
function isSingleReference(refs: Reference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => !r.digest);
  const digests = refs.filter((r) => r.digest);
  if (tags.length > 1) return false;
  const single = tags[0] ?? refs[0];
  return digests.every((d) => sameRepo(d, single)) && new Set(digests.map((d) => `${d.domain}/${d.path}`)).size === 1;
}

function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=');
  if (eq < 0) return expr in labels;
  return labels[expr.slice(0, eq)] === expr.slice(eq + 1);
}

/** docker's reference filter: a shell-style pattern against the familiar name (and name:tag). */
function referenceMatcher(pattern: string): (familiar: string) => boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  return (familiar) => re.test(familiar) || re.test(familiar.replace(/:[^:/]+$/, ''));
}
