// Pulling an image: manifest (or list → the platform's manifest), config, then the layers — up to
// three downloads at a time (max-concurrent-downloads). A layer whose parent is already in place is unpacked while it
// streams; one that must wait for its parent is spooled to a file meanwhile (memory stays flat
// either way). Every blob's digest and every layer's diff id is checked before the layer is
// recorded; on any failure the layers this pull added are released (deleted) and temp files go.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from '../archive/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import { familiarString, withDefaultTag, type Image, type ImageStore, type Reference } from '../image/index.ts';
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from '../lib/index.ts';
import { chainIds, type LayerStore } from '../storage/index.ts';
import type { ImageConfig } from '../types/index.ts';
import type { MetadataStore } from './metadata.ts';
import {
  checkConfigType,
  checkLayerType,
  manifestAccept,
  parseManifest,
  pullPlatform,
  selectManifest,
  type Descriptor,
} from './manifest.ts';
import { ProgressReporter, shortDigest, type ProgressFn } from './progress.ts';
import { isTransient, retryDelays, sleep, type RepositoryClient } from './repository.ts';
import { readBody, RegistryError } from './transport.ts';

export const maxConcurrentDownloads = 3;
const maxDownloadAttempts = 5;

export interface PullContext {
  images: ImageStore;
  layers: LayerStore;
  metadata: MetadataStore;
  tmpDir: string;
  /** Layers downloaded at a time (daemon.json max-concurrent-downloads); 3 when unset. */
  concurrency?: number;
}

class Deferred {
  done = false;
  promise: Promise<void>;
  resolve!: () => void;
  constructor() {
    this.promise = new Promise((r) => (this.resolve = () => ((this.done = true), r())));
  }
}

class Semaphore {
  #free: number;
  #waiting: Array<() => void> = [];
  constructor(n: number) {
    this.#free = n;
  }
  get available(): boolean {
    return this.#free > 0;
  }
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** A pass-through that hashes and counts; fails at the end when the digest or size is wrong. */
class Verifier extends Transform {
  readonly expected: string;
  #hash = createHash('sha256');
  #size: number;
  bytes = 0;
  failure: Error | undefined;
  #onBytes: (n: number) => void;
  constructor(expected: string, size: number, onBytes: (n: number) => void) {
    super();
    this.expected = expected;
    this.#size = size;
    this.#onBytes = onBytes;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    this.#onBytes(chunk.length);
    cb(null, chunk);
  }
  override _flush(cb: (err?: Error | null) => void): void {
    const got = `sha256:${this.#hash.digest('hex')}`;
    if (got !== this.expected || (this.#size > 0 && this.bytes !== this.#size)) {
      this.failure = new RegistryError(`filesystem layer verification failed for digest ${this.expected}`, { status: 0, transient: false, kind: 'invalid-argument' });
      return cb(this.failure);
    }
    cb();
  }
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

export interface PullOneOptions {
  ref: Reference;
  platform?: string;
  progress: ProgressFn;
  signal: AbortSignal;
  /** "127.0.0.1:5000/team/app": where metadata says the blobs came from. */
  sourceRepository: string;
}

/** Pulls one tag or digest; returns whether the reference now points at a different image. */
export async function pullOne(ctx: PullContext, repo: RepositoryClient, o: PullOneOptions): Promise<boolean> {
  const ref = withDefaultTag(o.ref);
  const tagOrDigest = ref.digest ?? ref.tag!;
  const top = await repo.getManifest(tagOrDigest, manifestAccept, o.signal);
  if (ref.digest && top.digest !== ref.digest) throw new InvalidArgument(`manifest verification failed for digest ${ref.digest}`);
  let manifest = parseManifest(top.body, top.contentType);
  o.progress({ status: `Pulling from ${ref.path}`, id: tagOrDigest });
  const explicit: Platform | undefined = o.platform ? pullPlatform(parsePlatform(o.platform, hostPlatform())) : undefined;
  if (manifest.kind === 'index') {
    const chosen = selectManifest(manifest.manifests, explicit ?? hostPlatform());
    const child = await repo.getManifest(chosen.digest, manifestAccept, o.signal);
    if (child.digest !== chosen.digest) throw new InvalidArgument(`manifest verification failed for digest ${chosen.digest}`);
    manifest = parseManifest(child.body, child.contentType);
    if (manifest.kind !== 'image') throw new InvalidArgument('unsupported manifest format: a manifest list inside a manifest list');
  }
  checkConfigType(manifest.config.mediaType);
  for (const l of manifest.layers) checkLayerType(l.mediaType);

  const imageId = manifest.config.digest;
  let image = ctx.images.get(imageId);
  if (!image) {
    const res = await repo.getBlob(imageId, o.signal);
    const configRaw = await readBody(res, 32 * 1024 * 1024);
    if (`sha256:${createHash('sha256').update(configRaw).digest('hex')}` !== imageId) {
      throw new InvalidArgument(`image config verification failed for digest ${imageId}`);
    }
    let config: ImageConfig;
    try {
      config = JSON.parse(configRaw.toString('utf8')) as ImageConfig;
    } catch {
      throw new InvalidArgument('invalid image configuration: not JSON');
    }
    if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids)) throw new InvalidArgument('invalid rootfs in image configuration');
    if (config.rootfs.diff_ids.length !== manifest.layers.length) throw new InvalidArgument("layers from manifest don't match image configuration");
    if (explicit) {
      const have: Platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
      if (have.os !== explicit.os || have.architecture !== explicit.architecture || (explicit.variant && explicit.variant !== have.variant)) {
        throw new InvalidArgument(
          `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${formatPlatform(explicit)}, actual: ${formatPlatform(have)}`,
        );
      }
    }
    image = await pullLayers(ctx, repo, { ...o, layers: manifest.layers, diffIds: config.rootfs.diff_ids, configRaw });
  } else {
    for (const l of manifest.layers) o.progress({ status: 'Already exists', progressDetail: {}, id: shortDigest(l.digest) });
  }
  o.progress({ status: `Digest: ${top.digest}` });
  const before = ref.tag ? ctx.images.find(familiarString(ref))?.id : ctx.images.find(familiarString(ref))?.id;
  await ctx.images.tag(image.id, { domain: ref.domain, path: ref.path, digest: top.digest });
  if (ref.tag && !ref.digest) await ctx.images.tag(image.id, ref);
  return before !== image.id;
}

async function pullLayers(
  ctx: PullContext,
  repo: RepositoryClient,
  o: PullOneOptions & { layers: Descriptor[]; diffIds: string[]; configRaw: Buffer },
): Promise<Image> {
  const chain = chainIds(o.diffIds);
  const ready = o.layers.map(() => new Deferred());
  const held: string[] = [];
  const temps: string[] = [];
  const abort = new AbortController();
  const onAbort = () => abort.abort(o.signal.reason);
  o.signal.addEventListener('abort', onAbort, { once: true });
  const signal = abort.signal;
  const sem = new Semaphore(ctx.concurrency ?? maxConcurrentDownloads);
  await fsp.mkdir(ctx.tmpDir, { recursive: true, mode: 0o700 });

  const fetchLayer = async (i: number): Promise<void> => {
    const desc = o.layers[i];
    const id = shortDigest(desc.digest);
    for (let attempt = 1; ; attempt++) {
      if (!sem.available) o.progress({ status: 'Waiting', progressDetail: {}, id });
      const release = await sem.acquire();
      let verifier: Verifier | undefined;
      const temp = join(ctx.tmpDir, `pull-${randomBytes(8).toString('hex')}`);
      try {
        signal.throwIfAborted();
        const download = new ProgressReporter(o.progress, id, 'Downloading', desc.size);
        verifier = new Verifier(desc.digest, desc.size, (n) => download.add(n));
        const parent = i === 0 ? undefined : chain[i - 1];
        let tar: Readable;
        if (i === 0 || ready[i - 1].done) {
          // The parent is in place: unpack while downloading.
          const res = await repo.getBlob(desc.digest, signal);
          pipeline(res, verifier, { signal }).catch(() => {});
          verifier.on('end', () => {
            o.progress({ status: 'Verifying Checksum', progressDetail: {}, id });
            o.progress({ status: 'Download complete', progressDetail: {}, id });
          });
          tar = await decompress(verifier);
        } else {
          // Spool to disk until the parent layer is registered.
          temps.push(temp);
          const res = await repo.getBlob(desc.digest, signal);
          await pipeline(res, verifier, createWriteStream(temp, { mode: 0o600 }), { signal });
          o.progress({ status: 'Verifying Checksum', progressDetail: {}, id });
          o.progress({ status: 'Download complete', progressDetail: {}, id });
          release();
          await Promise.race([ready[i - 1].promise, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }))]);
          const extracting = new ProgressReporter(o.progress, id, 'Extracting', desc.size);
          const file = createReadStream(temp);
          const count = counter((n) => extracting.add(n));
          pipeline(file, count, { signal }).catch(() => {});
          tar = await decompress(count);
        }
        let layer;
        try {
          layer = await ctx.layers.register(tar, { ...(parent ? { parent } : {}), expectedDiffId: o.diffIds[i] });
        } catch (err) {
          throw verifier.failure ?? err;
        }
        ctx.layers.retain(layer.chainId);
        held.push(layer.chainId);
        if (verifier.failure) throw verifier.failure;
        release();
        if (!temps.includes(temp)) o.progress({ status: 'Extracting', progressDetail: { current: desc.size, total: desc.size }, progress: '', id });
        o.progress({ status: 'Pull complete', progressDetail: {}, id });
        await ctx.metadata.add(o.diffIds[i], { Digest: desc.digest, SourceRepository: o.sourceRepository, HMAC: '' }).catch(() => {});
        ready[i].resolve();
        return;
      } catch (err) {
        release();
        const failure = verifier?.failure ?? err;
        if (signal.aborted || !isTransient(failure) || attempt >= maxDownloadAttempts) throw failure;
        const delay = retryDelays[Math.min(attempt - 1, retryDelays.length - 1)];
        o.progress({ status: `Retrying in ${Math.max(1, Math.round(delay / 1000))} second${delay > 1000 ? 's' : ''}`, progressDetail: {}, id });
        await sleep(delay, signal);
      } finally {
        await fsp.rm(temp, { force: true });
      }
    }
  };

  try {
    const needed: number[] = [];
    for (let i = 0; i < o.layers.length; i++) {
      const id = shortDigest(o.layers[i].digest);
      if (ctx.layers.get(chain[i])) {
        ctx.layers.retain(chain[i]);
        held.push(chain[i]);
        ready[i].resolve();
        o.progress({ status: 'Already exists', progressDetail: {}, id });
      } else {
        needed.push(i);
        o.progress({ status: 'Pulling fs layer', progressDetail: {}, id });
      }
    }
    const tasks = needed.map((i) =>
      fetchLayer(i).catch((err: unknown) => {
        abort.abort(err);
        throw err;
      }),
    );
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      // The first failure, not the aborts it caused in the other downloads.
      const first = settled.map((s) => (s.status === 'rejected' ? (s.reason as unknown) : undefined)).find((e) => e !== undefined && !(e instanceof Error && e.name === 'AbortError'));
      throw first ?? failed.reason;
    }
    return await ctx.images.create(o.configRaw);
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    for (const c of held.reverse()) await ctx.layers.release(c).catch(() => {});
    for (const t of temps) await fsp.rm(t, { force: true }).catch(() => {});
  }
}
