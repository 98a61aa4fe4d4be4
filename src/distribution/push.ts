// Pushing an image: each layer is skipped when the repository has its blob (HEAD), mounted when
// another repository of the same registry has it, or else gzipped and uploaded as it is read (a
// streamed PATCH, then PUT ?digest=); the config goes up in one PUT (monolithic) and the schema2
// manifest last. Up to three layers at a time, with docker's progress lines.
import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import { NotFound } from '../errors/index.ts';
import { familiarString, type ImageStore, type Reference } from '../image/index.ts';
import type { Layer, LayerStore } from '../storage/index.ts';
import type { ImageConfig } from '../types/index.ts';
import { marshalManifest, mediaTypes, type Descriptor } from './manifest.ts';
import type { MetadataStore } from './metadata.ts';
import { ProgressReporter, shortDigest, type ProgressFn } from './progress.ts';
import { isTransient, retryDelays, sleep, type RepositoryClient } from './repository.ts';

const maxUploadAttempts = 5;

export interface PushContext {
  images: ImageStore;
  layers: LayerStore;
  metadata: MetadataStore;
  /** Layers uploaded at a time (daemon.json max-concurrent-uploads); dockerd's 5 when unset. */
  concurrency?: number;
}

export const maxConcurrentUploads = 5;

export interface PushOneOptions {
  ref: Reference & { tag: string };
  progress: ProgressFn;
  signal: AbortSignal;
  /** "127.0.0.1:5000" */
  registryHost: string;
  /** Upload layers in PATCHes of this many bytes (the spec's chunked upload) instead of one streamed PATCH. */
  chunkSize?: number;
}

function hashing(onBytes?: (n: number) => void): Transform & { digest(): string; bytes: number } {
  const hash = createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      t.bytes += chunk.length;
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  }) as Transform & { digest(): string; bytes: number };
  t.bytes = 0;
  t.digest = () => `sha256:${hash.digest('hex')}`;
  return t;
}

interface Pushed {
  descriptor: Descriptor;
  /** The diff id of what was uploaded (differs from the layer's when it had to be re-packed). */
  diffId: string;
}

async function pushLayer(ctx: PushContext, repo: RepositoryClient, layer: Layer, o: PushOneOptions): Promise<Pushed> {
  const id = shortDigest(layer.diffId);
  const here = `${o.registryHost}/${repo.path}`;
  const known = (await ctx.metadata.get(layer.diffId)).filter((m) => m.SourceRepository.startsWith(`${o.registryHost}/`));
  for (const m of known.filter((k) => k.SourceRepository === here)) {
    const size = await repo.blobExists(m.Digest, o.signal);
    if (size !== undefined) {
      o.progress({ status: 'Layer already exists', progressDetail: {}, id });
      return { descriptor: { mediaType: mediaTypes.dockerLayer, digest: m.Digest, size }, diffId: m.RemoteDiffID ?? layer.diffId };
    }
  }
  for (const m of known.filter((k) => k.SourceRepository !== here)) {
    const from = m.SourceRepository.slice(o.registryHost.length + 1);
    const started = await repo.startUpload({ mount: { digest: m.Digest, from }, signal: o.signal });
    if (started.mounted) {
      const size = (await repo.blobExists(m.Digest, o.signal)) ?? 0;
      o.progress({ status: `Mounted from ${from}`, progressDetail: {}, id });
      await ctx.metadata.add(layer.diffId, { ...m, SourceRepository: here });
      return { descriptor: { mediaType: mediaTypes.dockerLayer, digest: m.Digest, size }, diffId: m.RemoteDiffID ?? layer.diffId };
    }
    if (started.location) await repo.cancelUpload(started.location);
  }
  const location = (await repo.startUpload({ signal: o.signal })).location!;
  const source = await ctx.layers.tarStream(layer.chainId);
  const pushing = new ProgressReporter(o.progress, id, 'Pushing', source.size ?? layer.size);
  const uncompressed = hashing((n) => pushing.add(n));
  const compressed = hashing();
  // Level 1: on this 2-core VM gzip dominates the push; docker's default level costs ~3x the CPU
  // for ~10% smaller blobs.
  const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED, chunkSize: 64 * 1024 });
  const body = new PassThrough({ highWaterMark: 256 * 1024 });
  const producing = pipeline(source.stream, uncompressed, gzip, compressed, body, { signal: o.signal });
  const uploading = o.chunkSize ? uploadChunks(repo, location, body, o.chunkSize, o.signal) : repo.patchUpload(location, body, o.signal);
  let next: URL;
  try {
    [next] = await Promise.all([uploading, producing]);
  } catch (err) {
    body.destroy();
    source.stream.destroy();
    await repo.cancelUpload(location);
    throw err;
  }
  const digest = compressed.digest();
  await repo.finishUpload(next, digest, undefined, o.signal);
  const diffId = uncompressed.digest();
  o.progress({ status: 'Pushed', progressDetail: {}, id });
  await ctx.metadata.add(layer.diffId, { Digest: digest, SourceRepository: here, HMAC: '', ...(diffId !== layer.diffId ? { RemoteDiffID: diffId } : {}) });
  return { descriptor: { mediaType: mediaTypes.dockerLayer, digest, size: compressed.bytes }, diffId };
}

/** The OCI spec's chunked upload: PATCHes of `size` bytes with Content-Range; one chunk in memory at a time. */
async function uploadChunks(repo: RepositoryClient, location: URL, body: PassThrough, size: number, signal: AbortSignal): Promise<URL> {
  let next = location;
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const chunk = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    next = await repo.patchChunk(next, chunk, offset, signal);
    offset += chunk.length;
  };
  for await (const data of body) {
    pending.push(data as Buffer);
    pendingBytes += (data as Buffer).length;
    if (pendingBytes >= size) await flush();
  }
  if (pendingBytes > 0 || offset === 0) await flush();
  return next;
}

/** Pushes one tag; returns the manifest digest and size. */
export async function pushOne(ctx: PushContext, repo: RepositoryClient, o: PushOneOptions): Promise<{ digest: string; size: number }> {
  const image = ctx.images.find(familiarString(o.ref));
  if (!image) throw new NotFound(`An image does not exist locally with the tag: ${familiarString({ ...o.ref, tag: undefined } as Reference)}`);
  const layers = image.topLayer ? ctx.layers.chain(image.topLayer) : [];
  for (const l of layers) o.progress({ status: 'Preparing', progressDetail: {}, id: shortDigest(l.diffId) });
  const results: Pushed[] = new Array<Pushed>(layers.length);
  let next = 0;
  const abort = new AbortController();
  const signal = AbortSignal.any([o.signal, abort.signal]);
  const concurrency = ctx.concurrency ?? maxConcurrentUploads;
  if (layers.length > concurrency) for (const l of layers.slice(concurrency)) o.progress({ status: 'Waiting', progressDetail: {}, id: shortDigest(l.diffId) });
  const worker = async () => {
    while (next < layers.length) {
      const i = next++;
      for (let attempt = 1; ; attempt++) {
        try {
          results[i] = await pushLayer(ctx, repo, layers[i], { ...o, signal });
          break;
        } catch (err) {
          // a dropped connection (often a kept-alive socket the registry closed) restarts the upload
          if (signal.aborted || !isTransient(err) || attempt >= maxUploadAttempts) {
            abort.abort(err);
            throw err;
          }
          const delay = retryDelays[Math.min(attempt - 1, retryDelays.length - 1)];
          o.progress({ status: `Retrying in ${Math.max(1, Math.round(delay / 1000))} second${delay > 1000 ? 's' : ''}`, progressDetail: {}, id: shortDigest(layers[i].diffId) });
          await sleep(delay, signal);
        }
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, layers.length) }, worker));
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  // the first real failure, not the aborts it caused in the other uploads
  if (errors.length) throw errors.find((e) => !(e instanceof Error && e.name === 'AbortError')) ?? errors[0];

  let configRaw = await ctx.images.rawConfig(image.id);
  const rewritten = results.some((r, i) => r.diffId !== layers[i].diffId);
  if (rewritten) {
    // The layer could not be reproduced byte for byte (no tar-split recording): the pushed image
    // names the diff ids of what was uploaded, so its id differs from the local one.
    const config = JSON.parse(configRaw.toString('utf8')) as ImageConfig;
    config.rootfs = { ...config.rootfs, diff_ids: results.map((r) => r.diffId) };
    configRaw = Buffer.from(JSON.stringify(config));
  }
  const configDigest = `sha256:${createHash('sha256').update(configRaw).digest('hex')}`;
  if ((await repo.blobExists(configDigest, o.signal)) === undefined) {
    const { location } = await repo.startUpload({ signal: o.signal });
    await repo.finishUpload(location!, configDigest, configRaw, o.signal);
  }
  const manifest = marshalManifest({
    schemaVersion: 2,
    mediaType: mediaTypes.dockerManifest,
    config: { mediaType: mediaTypes.dockerConfig, size: configRaw.length, digest: configDigest },
    layers: results.map((r) => r.descriptor),
  });
  await repo.putManifest(o.ref.tag, manifest, mediaTypes.dockerManifest, o.signal);
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  o.progress({ status: `${o.ref.tag}: digest: ${digest} size: ${manifest.length}` });
  o.progress({ progressDetail: {}, aux: { Tag: o.ref.tag, Digest: digest, Size: manifest.length } });
  if (!rewritten) await ctx.images.tag(image.id, { domain: o.ref.domain, path: o.ref.path, digest });
  return { digest, size: manifest.length };
}
