// Image layers by chain id and container read-write layers, over the overlay2 driver, in dockerd's
// layerdb layout:
//   layerdb/sha256/<chain>/{diff,cache-id,size,parent}   one directory per image layer
//   layerdb/mounts/<container>/{mount-id,init-id,parent} one per container
// Each entry is written into layerdb/tmp and renamed into place, and renamed back there to be
// removed, so a crash leaves either a whole entry or none; driver directories that no entry names
// are swept at start-up.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Change } from '../archive/index.ts';
import { Conflict, InvalidArgument, NotFound, isErrno } from '../errors/index.ts';
import { SkippedRecords, faultPoint, silentLogger, syncDir, type Logger } from '../lib/index.ts';
import type { Overlay2Driver } from './overlay2.ts';
import { populateInitLayer } from './init-layer.ts';
import { TarSplitRecorder, assembleTar, tarSplitFile, tarSplitSize } from './tar-split.ts';

export interface Layer {
  chainId: string;
  diffId: string;
  cacheId: string;
  /** Bytes of the layer's own files. */
  size: number;
  parent?: string;
}

/** A mounted layer that is no image's and no container's (see LayerStore.mountScratch). */
export interface ScratchLayer {
  /** The mounted root: the parent's files with this layer's changes on top. */
  root: string;
  /** This layer's own changes as a layer tar (call after unmount). */
  diff(): Readable;
  /** Unmounts the layer (idempotent); its directory stays until release. */
  unmount(): Promise<void>;
  /** Unmounts and removes the layer. */
  release(): Promise<void>;
}

export interface RwLayer {
  containerId: string;
  mountId: string;
  initId: string;
  /** The chain id of the image's top layer, if the image has layers. */
  parent?: string;
}

/** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out.at(-1);
    out.push(prev === undefined ? d : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`);
  }
  return out;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');
const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** What is wrong with a layer's metadata files (layerdb/sha256/<chain id>/), if anything. */
function layerProblem(name: string, files: { diff?: string; cacheId?: string; size?: string; parent?: string }): string | undefined {
  if (!/^[0-9a-f]{64}$/.test(name)) return 'the directory is not named by a chain id';
  if (files.diff === undefined || !digestPattern.test(files.diff.trim())) return 'diff is missing or not a sha256 digest';
  if (files.cacheId === undefined || !/^[0-9a-f]{64}$/.test(files.cacheId.trim())) return 'cache-id is missing or not an id';
  if (files.size !== undefined && !/^\d+$/.test(files.size.trim())) return `size is not a number: ${JSON.stringify(files.size.slice(0, 40))}`;
  if (files.parent !== undefined && !digestPattern.test(files.parent.trim())) return 'parent is not a layer digest';
  return undefined;
}

export class LayerStore {
  #root: string;
  #driver: Overlay2Driver;
  #log: Logger;
  #skipped: SkippedRecords;
  #layers = new Map<string, Layer>();
  #rw = new Map<string, RwLayer>();
  #refs = new Map<string, number>();

  constructor(options: { root: string; driver: Overlay2Driver; log?: Logger; skipped?: SkippedRecords }) {
    this.#root = options.root;
    this.#driver = options.driver;
    this.#log = options.log ?? silentLogger;
    this.#skipped = options.skipped ?? new SkippedRecords(this.#log);
  }

  get driver(): Overlay2Driver {
    return this.#driver;
  }

  async load(): Promise<void> {
    for (const d of ['sha256', 'mounts', 'tmp']) await fsp.mkdir(join(this.#root, d), { recursive: true, mode: 0o700 });
    await fsp.rm(join(this.#root, 'tmp'), { recursive: true, force: true });
    await fsp.mkdir(join(this.#root, 'tmp'), { mode: 0o700 });
    for (const name of await fsp.readdir(join(this.#root, 'sha256'))) {
      const dir = join(this.#root, 'sha256', name);
      // Entries are renamed into place whole (#writeEntry): one that is not whole was damaged
      // after it was written. It is skipped and left there, never deleted on a guess.
      const [diff, cacheId, size, parent] = await Promise.all(['diff', 'cache-id', 'size', 'parent'].map((f) => fsp.readFile(join(dir, f), 'utf8').catch(() => undefined)));
      const problem = layerProblem(name, { diff, cacheId, size, parent });
      if (problem) {
        this.#skipped.report('layer', `sha256:${name}`, problem);
        continue;
      }
      this.#layers.set(`sha256:${name}`, {
        chainId: `sha256:${name}`,
        diffId: diff!.trim(),
        cacheId: cacheId!.trim(),
        size: Number(size ?? 0),
        ...(parent ? { parent: parent.trim() } : {}),
      });
    }
    for (const cid of await fsp.readdir(join(this.#root, 'mounts'))) {
      const dir = join(this.#root, 'mounts', cid);
      const [mountId, initId, parent] = await Promise.all(
        ['mount-id', 'init-id', 'parent'].map((f) => fsp.readFile(join(dir, f), 'utf8').catch(() => undefined)),
      );
      const problem = !mountId || !/^[0-9a-f]{64}$/.test(mountId.trim())
        ? 'mount-id is missing or not an id'
        : !initId || initId.trim() !== `${mountId.trim()}-init`
          ? 'init-id is missing or not the mount id\'s'
          : parent !== undefined && !digestPattern.test(parent.trim())
            ? 'parent is not a layer digest'
            : undefined;
      if (problem) {
        this.#skipped.report('layer', `container ${cid}`, problem);
        continue;
      }
      this.#rw.set(cid, { containerId: cid, mountId: mountId!.trim(), initId: initId!.trim(), ...(parent ? { parent: parent.trim() } : {}) });
    }
  }

  get(chainId: string): Layer | undefined {
    return this.#layers.get(chainId);
  }

  /** The chain from the base layer up to `chainId`. */
  chain(chainId: string): Layer[] {
    const out: Layer[] = [];
    for (let c: string | undefined = chainId; c !== undefined; ) {
      const l = this.#layers.get(c);
      if (!l) throw new NotFound(`layer ${c} does not exist`);
      out.unshift(l);
      c = l.parent;
    }
    return out;
  }

  /**
   * Unpacks an uncompressed layer tar on top of `parent` and records it. When a layer with the
   * same chain id exists already, the new copy is discarded and the existing one returned.
   */
  async register(tar: Readable, options: { parent?: string; expectedDiffId?: string } = {}): Promise<Layer> {
    const parentLayer = options.parent === undefined ? undefined : this.#layers.get(options.parent);
    if (options.parent !== undefined && !parentLayer) throw new NotFound(`layer ${options.parent} does not exist`);
    const cacheId = randomBytes(32).toString('hex');
    await this.#driver.create(cacheId, parentLayer?.cacheId);
    let splitPath: string | undefined;
    try {
      const hash = createHash('sha256');
      const hashing = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      const passthrough = new PassThrough();
      splitPath = join(this.#root, 'tmp', `${cacheId}-${tarSplitFile}`);
      const recorder = new TarSplitRecorder(splitPath);
      const applying = this.#driver.applyDiff(cacheId, passthrough, { segments: recorder });
      // Wait for both sides before judging: removing the directory while the extractor still
      // writes would leave a half-recreated tree behind.
      const [piped, applied] = await Promise.allSettled([pipeline(tar, hashing, passthrough), applying]);
      await recorder.close();
      if (applied.status === 'rejected') throw applied.reason;
      if (piped.status === 'rejected') throw piped.reason;
      const recorded = recorder.complete;
      const diffId = `sha256:${hash.digest('hex')}`;
      if (options.expectedDiffId !== undefined && options.expectedDiffId !== diffId) {
        throw new InvalidArgument(`layer content digest mismatch: expected ${options.expectedDiffId}, got ${diffId}`);
      }
      const size = applied.value;
      const chainId = parentLayer ? chainIds([parentLayer.chainId, diffId])[1] : diffId;
      const existing = this.#layers.get(chainId);
      if (existing) {
        await this.#driver.remove(cacheId);
        await fsp.rm(splitPath, { force: true });
        return existing;
      }
      const layer: Layer = { chainId, diffId, cacheId, size, ...(parentLayer ? { parent: parentLayer.chainId } : {}) };
      await this.#writeEntry(
        join('sha256', hex(chainId)),
        {
          diff: diffId,
          'cache-id': cacheId,
          size: String(size),
          ...(layer.parent ? { parent: layer.parent } : {}),
        },
        recorded ? { [tarSplitFile]: splitPath } : {},
      );
      if (!recorded) await fsp.rm(splitPath, { force: true });
      this.#layers.set(chainId, layer);
      return layer;
    } catch (err) {
      if (splitPath) await fsp.rm(splitPath, { force: true }).catch(() => {});
      await this.#driver.remove(cacheId).catch((rmErr: unknown) =>
        this.#log.warn('could not remove the layer of a failed import; the start-up sweep will', { layer: cacheId, error: rmErr }),
      );
      throw err;
    }
  }

  /**
   * The layer as a tar stream with its size. `exact`: the very bytes it was registered from
   * (their sha256 is its diff id), reassembled from the tar-split recording; otherwise (a layer
   * registered before recordings existed) its directory packed anew, whose digest differs.
   */
  async tarStream(chainId: string): Promise<{ stream: Readable; size?: number; exact: boolean }> {
    const layer = this.#layers.get(chainId);
    if (!layer) throw new NotFound(`layer ${chainId} does not exist`);
    const split = join(this.#root, 'sha256', hex(chainId), tarSplitFile);
    try {
      const size = await tarSplitSize(split);
      return { stream: assembleTar(split, join(this.#driver.dir(layer.cacheId), 'diff')), size, exact: true };
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      return { stream: this.#driver.diff(layer.cacheId), exact: false };
    }
  }

  /** Counts a user (an image) of the layer `chainId`. */
  retain(chainId: string): void {
    this.#refs.set(chainId, (this.#refs.get(chainId) ?? 0) + 1);
  }

  /**
   * Drops a user of `chainId`; layers left with no user, no child layer and no container on top
   * are deleted, walking down the chain. Returns the chain ids deleted.
   */
  async release(chainId: string): Promise<string[]> {
    const n = (this.#refs.get(chainId) ?? 0) - 1;
    if (n > 0) this.#refs.set(chainId, n);
    else this.#refs.delete(chainId);
    const deleted: string[] = [];
    for (let c: string | undefined = chainId; c !== undefined; ) {
      const layer = this.#layers.get(c);
      if (!layer || this.#inUse(c)) break;
      this.#layers.delete(c);
      await this.#removeEntry(join('sha256', hex(c)));
      await this.#driver.remove(layer.cacheId);
      deleted.push(c);
      c = layer.parent;
    }
    return deleted;
  }

  /**
   * Removes image layers nothing holds — no image, child layer or container: a crash between
   * registering a layer and writing the image that names it leaves one. Call once the images
   * have counted their layers; returns the chain ids removed.
   */
  async removeUnreferenced(): Promise<string[]> {
    const removed: string[] = [];
    for (const chainId of [...this.#layers.keys()]) {
      if (!this.#layers.has(chainId) || this.#inUse(chainId)) continue;
      this.#refs.set(chainId, 1);
      removed.push(...(await this.release(chainId)));
    }
    if (removed.length) this.#log.info('removed layers no image holds', { layers: removed.length });
    return removed;
  }

  #inUse(chainId: string): boolean {
    if ((this.#refs.get(chainId) ?? 0) > 0) return true;
    for (const l of this.#layers.values()) if (l.parent === chainId) return true;
    for (const r of this.#rw.values()) if (r.parent === chainId) return true;
    return false;
  }

  /**
   * A layer over `parent` (a chain id; none: empty), mounted, that no layerdb entry names: the
   * builder writes a COPY into one and packs its changes, or reads an image's files through one.
   * A crash leaves only its driver directory, which the start-up sweep removes.
   */
  async mountScratch(parent: string | undefined): Promise<ScratchLayer> {
    const parentLayer = parent === undefined ? undefined : this.#layers.get(parent);
    if (parent !== undefined && !parentLayer) throw new NotFound(`layer ${parent} does not exist`);
    const id = `scratch-${randomBytes(16).toString('hex')}`;
    await this.#driver.create(id, parentLayer?.cacheId);
    let root: string;
    try {
      root = await this.#driver.mount(id);
    } catch (err) {
      await this.#driver.remove(id).catch(() => {});
      throw err;
    }
    let mounted = true;
    const unmount = async () => {
      if (!mounted) return;
      mounted = false;
      await this.#driver.unmount(id);
    };
    return {
      root,
      diff: () => this.#driver.diff(id),
      unmount,
      release: async () => {
        await unmount().catch(() => {});
        await this.#driver.remove(id);
      },
    };
  }

  // ---- container layers

  rwLayer(containerId: string): RwLayer | undefined {
    return this.#rw.get(containerId);
  }

  /**
   * Creates the container's init layer (mount points for /etc/hosts and friends) and its read-write
   * layer on top of the image's top layer.
   */
  async createRwLayer(containerId: string, parent: string | undefined): Promise<RwLayer> {
    if (this.#rw.has(containerId)) throw new Conflict(`layer for container ${containerId} already exists`);
    const parentLayer = parent === undefined ? undefined : this.#layers.get(parent);
    if (parent !== undefined && !parentLayer) throw new NotFound(`layer ${parent} does not exist`);
    const mountId = randomBytes(32).toString('hex');
    const initId = `${mountId}-init`;
    try {
      await this.#createInit(initId, parentLayer?.cacheId);
      faultPoint('rwlayer:after-init');
      await this.#driver.create(mountId, initId);
      const rw: RwLayer = { containerId, mountId, initId, ...(parent ? { parent } : {}) };
      await this.#writeEntry(join('mounts', containerId), {
        'mount-id': mountId,
        'init-id': initId,
        ...(parent ? { parent } : {}),
      });
      this.#rw.set(containerId, rw);
      return rw;
    } catch (err) {
      await this.#driver.remove(mountId).catch(() => {});
      await this.#driver.remove(initId).catch(() => {});
      throw err;
    }
  }

  async #createInit(initId: string, parentCacheId: string | undefined): Promise<void> {
    if (parentCacheId === undefined) {
      // A scratch image: nothing below, so the init layer's own directory is its whole view.
      await this.#driver.create(initId);
      await populateInitLayer(join(this.#driver.dir(initId), 'diff'), this.#driver.ownership?.root);
      return;
    }
    await this.#driver.create(initId, parentCacheId);
    // Mount to see the image's files, so only missing mount points are added (an image whose /etc
    // is a symlink keeps it).
    const root = await this.#driver.mount(initId);
    try {
      await populateInitLayer(root, this.#driver.ownership?.root);
    } finally {
      await this.#driver.unmount(initId);
    }
  }

  async mountRw(containerId: string): Promise<string> {
    const rw = this.#rw.get(containerId);
    if (!rw) throw new NotFound(`no layer for container ${containerId}`);
    return this.#driver.mount(rw.mountId);
  }

  async unmountRw(containerId: string): Promise<void> {
    const rw = this.#rw.get(containerId);
    if (rw) await this.#driver.unmount(rw.mountId);
  }

  /** overlay2's directories of the container's layer, for inspect's GraphDriver.Data ({} without one). */
  async describeRw(containerId: string): Promise<Record<string, string>> {
    const rw = this.#rw.get(containerId);
    return rw ? this.#driver.describe(rw.mountId) : {};
  }

  /** Bytes the container wrote (its read-write layer's own files); 0 without a layer. */
  async rwSize(containerId: string): Promise<number> {
    const rw = this.#rw.get(containerId);
    return rw ? this.#driver.diffSize(rw.mountId) : 0;
  }

  /** What the container changed relative to its image (docker diff); none without a layer. */
  async rwChanges(containerId: string): Promise<Change[]> {
    const rw = this.#rw.get(containerId);
    return rw ? this.#driver.changes(rw.mountId) : [];
  }

  /** The container's changes (its read-write layer) as a layer tar, whiteouts as .wh. files. */
  rwDiff(containerId: string): Readable {
    const rw = this.#rw.get(containerId);
    if (!rw) throw new NotFound(`no layer for container ${containerId}`);
    return this.#driver.diff(rw.mountId);
  }

  /** The container's whole file system as a tar; the mount is held until the stream closes. */
  async exportRw(containerId: string): Promise<Readable> {
    const root = await this.mountRw(containerId);
    const stream = this.#driver.packTree(root);
    stream.once('close', () => {
      this.unmountRw(containerId).catch((err: unknown) => this.#log.warn('unmounting after export failed', { container: containerId, error: err }));
    });
    return stream;
  }

  async removeRwLayer(containerId: string): Promise<void> {
    const rw = this.#rw.get(containerId);
    if (!rw) return;
    // Forget the entry first: a crash after this point leaves only driver dirs, which the
    // start-up sweep removes.
    await this.#removeEntry(join('mounts', containerId));
    this.#rw.delete(containerId);
    await this.#driver.remove(rw.mountId);
    await this.#driver.remove(rw.initId);
  }

  /**
   * Removes what a crash can leave behind: driver directories no entry names, and container
   * layers of containers that no longer exist.
   */
  async sweep(liveContainers: ReadonlySet<string>): Promise<void> {
    for (const cid of [...this.#rw.keys()]) {
      if (!liveContainers.has(cid)) {
        this.#log.info('removing layer of a container that no longer exists', { container: cid });
        await this.removeRwLayer(cid);
      }
    }
    const wanted = new Set<string>();
    for (const l of this.#layers.values()) wanted.add(l.cacheId);
    for (const r of this.#rw.values()) {
      wanted.add(r.mountId);
      wanted.add(r.initId);
    }
    for (const id of await this.#driver.list()) {
      if (!wanted.has(id)) {
        this.#log.info('removing unreferenced layer directory', { id });
        await this.#driver.remove(id);
      }
    }
    await this.#driver.pruneLinks();
  }

  /**
   * At start-up, once it is known which containers run: unmounts the layers of the others. A crash
   * between a mount and its unmount (in a start, a cp, an export) leaves them mounted.
   */
  async unmountIdle(running: ReadonlySet<string>): Promise<void> {
    for (const rw of this.#rw.values()) {
      if (running.has(rw.containerId)) continue;
      for (const id of [rw.mountId, rw.initId]) {
        if (!this.#driver.isMounted(id)) continue;
        this.#log.info('unmounting the layer of a container that does not run', { container: rw.containerId, layer: id });
        await this.#driver.unmount(id);
      }
    }
  }

  /**
   * Removes an entry as #writeEntry adds one, whole: a recursive rm unlinks the files one by one,
   * and a crash between two unlinks would leave an entry that no longer loads (a mounts/ entry
   * without its mount-id), skipped at every start-up and never swept. Renamed into layerdb/tmp,
   * which load() empties, it is gone in one step.
   */
  async #removeEntry(relDir: string): Promise<void> {
    const doomed = join(this.#root, 'tmp', `removing-${randomBytes(8).toString('hex')}`);
    try {
      await fsp.rename(join(this.#root, relDir), doomed);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    await fsp.rm(doomed, { recursive: true, force: true });
  }

  /** `moved`: files written elsewhere (in layerdb/tmp) that move into the entry, by name. */
  async #writeEntry(relDir: string, files: Record<string, string>, moved: Record<string, string> = {}): Promise<void> {
    const tmp = join(this.#root, 'tmp', randomBytes(8).toString('hex'));
    await fsp.mkdir(tmp, { mode: 0o700 });
    for (const [name, content] of Object.entries(files)) {
      const fh = await fsp.open(join(tmp, name), 'w', 0o644);
      await fh.writeFile(content);
      await fh.sync();
      await fh.close();
    }
    for (const [name, from] of Object.entries(moved)) {
      const fh = await fsp.open(from, 'r');
      await fh.sync();
      await fh.close();
      await fsp.rename(from, join(tmp, name));
    }
    await syncDir(tmp);
    const dest = join(this.#root, relDir);
    try {
      await fsp.rename(tmp, dest);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true });
      if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) throw new Conflict(`layer metadata ${relDir} already exists`);
      throw err;
    }
    await syncDir(join(dest, '..'));
  }
}
