// `docker save`: images as one tar stream, in the layout dockerd 25+ writes — an OCI image layout
// (oci-layout, index.json, blobs/sha256/<digest>: layers, configs, manifests) that is also a
// docker-archive (manifest.json naming the config and layer blobs, and the legacy `repositories`).
// dockerd 20.10 loads it through manifest.json; dockerd 25+ and OCI tools through index.json.
//
// Nothing is staged: each layer's size and digest are known before it is written (its tar-split
// recording gives both), so entries go out as they are read, with the reader's backpressure.
// Only a layer without a recording is spooled to a temporary file first, to learn its size.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createTarPacker, type TarPacker } from '../../archive/index.ts';
import { InvalidArgument, NotFound } from '../../errors/index.ts';
import { chainIds, type LayerStore } from '../../storage/index.ts';
import { familiarName, familiarString, parseReference, referenceString, withDefaultTag, type Reference } from '../reference.ts';
import type { Image, ImageStore } from '../store.ts';

export interface TarExportDeps {
  images: ImageStore;
  layers: LayerStore;
  /** A directory on the data root's file system for load's staging (and save's rare spooling). */
  tmpRoot: string;
}

export const mediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

const hex = (d: string) => d.replace(/^sha256:/, '');
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const epoch = new Date(0);

/**
 * Which images `names` select, each with the tags to record, as dockerd decides: a name with a
 * tag selects that tag; a bare repository name all its tags; an id (or prefix) the image with
 * no tags. Errors come before anything is written.
 */
export function selectImages(images: ImageStore, names: string[]): Map<string, { image: Image; refs: Reference[] }> {
  if (names.length === 0) throw new InvalidArgument('no images specified');
  const out = new Map<string, { image: Image; refs: Reference[] }>();
  const add = (image: Image, ref?: Reference) => {
    const entry = out.get(image.id) ?? { image, refs: [] };
    out.set(image.id, entry);
    if (ref && ref.tag && !ref.digest && !entry.refs.some((r) => referenceString(r) === referenceString(ref))) entry.refs.push(ref);
  };
  for (const name of names) {
    let ref: Reference | undefined;
    try {
      ref = parseReference(name);
    } catch {
      ref = undefined;
    }
    if (ref && !ref.tag && !ref.digest) {
      const repo = familiarName(ref);
      let found = false;
      for (const image of images.list()) {
        for (const r of images.references(image.id)) {
          if (r.tag && !r.digest && familiarName(r) === repo) {
            add(image, r);
            found = true;
          }
        }
      }
      if (found) continue;
      const byId = images.find(name);
      if (!byId) throw new NotFound(`No such image: ${name}`);
      add(byId);
      continue;
    }
    const image = images.find(name);
    if (!image) throw new NotFound(`No such image: ${ref ? familiarString(withDefaultTag(ref)) : name}`);
    add(image, ref && ref.tag ? ref : undefined);
  }
  return out;
}

/** Writes the selected images as an archive; the stream ends (or errors) when all is written. */
export function saveImages(deps: TarExportDeps, selection: Map<string, { image: Image; refs: Reference[] }>): Readable {
  const pack = createTarPacker();
  // Hold every top layer while writing: a concurrent rmi must not delete what is being read.
  const held: string[] = [];
  for (const { image } of selection.values()) {
    if (image.topLayer) {
      deps.layers.retain(image.topLayer);
      held.push(image.topLayer);
    }
  }
  const writing = writeArchive(deps, selection, pack);
  writing
    .catch((err: unknown) => pack.abort(err instanceof Error ? err : new Error(String(err))))
    .finally(async () => {
      for (const c of held) await deps.layers.release(c).catch(() => {});
    });
  return pack.stream;
}

async function writeArchive(deps: TarExportDeps, selection: Map<string, { image: Image; refs: Reference[] }>, pack: TarPacker): Promise<void> {
  const dir = (name: string, mtime = epoch) => pack.entry({ name, type: 'directory', mode: 0o755, mtime, uid: 0, gid: 0 });
  const file = (name: string, data: Buffer | string, mtime = epoch) => {
    const body = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return pack.entry({ name, type: 'file', mode: 0o644, size: body.length, mtime, uid: 0, gid: 0 }, [body]);
  };
  await dir('blobs/');
  await dir('blobs/sha256/');
  const written = new Set<string>();
  /** diff id → the blob written for it (its digest differs only for a layer without a recording). */
  const layerBlobs = new Map<string, Descriptor>();
  const manifestItems: Array<{ Config: string; RepoTags: string[] | null; Layers: string[]; Parent?: string }> = [];
  const indexEntries: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};

  for (const { image, refs } of selection.values()) {
    const diffIds = image.config.rootfs.diff_ids;
    if (diffIds.length === 0) throw new InvalidArgument('empty export - not implemented');
    const created = image.config.created ? new Date(image.config.created) : epoch;
    const mtime = Number.isNaN(created.getTime()) ? epoch : created;
    const chain = chainIds(diffIds);
    const layerDescs: Descriptor[] = [];
    for (let i = 0; i < diffIds.length; i++) {
      let desc = layerBlobs.get(diffIds[i]);
      if (!desc) {
        desc = await writeLayer(deps, pack, chain[i], diffIds[i], mtime, written);
        layerBlobs.set(diffIds[i], desc);
      }
      layerDescs.push(desc);
    }
    const raw = await deps.images.rawConfig(image.id);
    if (!written.has(image.id)) {
      await file(`blobs/sha256/${hex(image.id)}`, raw, mtime);
      written.add(image.id);
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.manifest,
        config: { mediaType: mediaTypes.config, digest: image.id, size: raw.length },
        layers: layerDescs.map((d) => ({ mediaType: d.mediaType, digest: d.digest, size: d.size })),
      }),
    );
    const manifestDigest = sha256(manifest);
    if (!written.has(manifestDigest)) {
      await file(`blobs/sha256/${hex(manifestDigest)}`, manifest);
      written.add(manifestDigest);
    }
    const untagged: Descriptor = { mediaType: mediaTypes.manifest, digest: manifestDigest, size: manifest.length };
    for (const ref of refs) {
      (repositories[familiarName(ref)] ??= {})[ref.tag!] = hex(diffIds.at(-1)!);
      indexEntries.push({ ...untagged, annotations: { 'io.containerd.image.name': referenceString(ref), 'org.opencontainers.image.ref.name': ref.tag! } });
    }
    if (refs.length === 0) indexEntries.push(untagged);
    const parent = image.parent && selection.has(image.parent) ? image.parent : undefined;
    manifestItems.push({
      Config: `blobs/sha256/${hex(image.id)}`,
      RepoTags: refs.length ? refs.map(familiarString) : null,
      Layers: layerDescs.map((d) => `blobs/sha256/${hex(d.digest)}`),
      ...(parent ? { Parent: parent } : {}),
    });
  }
  await file('index.json', JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.index, manifests: indexEntries }));
  await file('manifest.json', JSON.stringify(manifestItems) + '\n');
  await file('oci-layout', '{"imageLayoutVersion": "1.0.0"}');
  if (Object.keys(repositories).length) await file('repositories', JSON.stringify(repositories) + '\n');
  await pack.finish();
}

async function writeLayer(deps: TarExportDeps, pack: TarPacker, chainId: string, diffId: string, mtime: Date, written: Set<string>): Promise<Descriptor> {
  const tar = await deps.layers.tarStream(chainId);
  if (tar.exact && tar.size !== undefined) {
    if (!written.has(diffId)) {
      // The digest is checked as the bytes go out: a layer whose files changed on disk fails the
      // save rather than producing an archive no daemon would load.
      const hash = createHash('sha256');
      const checking = new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
        flush(cb) {
          const got = `sha256:${hash.digest('hex')}`;
          cb(got === diffId ? null : new Error(`layer ${diffId} does not match its content on disk (got ${got})`));
        },
      });
      await pack.entry({ name: `blobs/sha256/${hex(diffId)}`, type: 'file', mode: 0o644, size: tar.size, mtime, uid: 0, gid: 0 }, tar.stream.pipe(checking));
      written.add(diffId);
    } else tar.stream.destroy();
    return { mediaType: mediaTypes.layer, digest: diffId, size: tar.size };
  }
  // No recording (a layer from before they existed): spool the packed directory to learn its
  // size and digest. As in dockerd, the blob is then named by what was written.
  await fsp.mkdir(deps.tmpRoot, { recursive: true, mode: 0o700 });
  const spool = join(deps.tmpRoot, `save-${randomBytes(8).toString('hex')}.tar`);
  try {
    const hash = createHash('sha256');
    let size = 0;
    await pipeline(
      tar.stream,
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      createWriteStream(spool, { mode: 0o600 }),
    );
    const digest = `sha256:${hash.digest('hex')}`;
    if (!written.has(digest)) {
      await pack.entry({ name: `blobs/sha256/${hex(digest)}`, type: 'file', mode: 0o644, size, mtime, uid: 0, gid: 0 }, createReadStream(spool));
      written.add(digest);
    }
    return { mediaType: mediaTypes.layer, digest, size };
  } finally {
    await fsp.rm(spool, { force: true });
  }
}
