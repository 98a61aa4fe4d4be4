// The registry's storage on the local file system, laid out as distribution's filesystem driver
// lays it out (so an existing /var/lib/registry can be served, and ours read by docker-registry):
//
//   <root>/docker/registry/v2/blobs/<alg>/<hex[0:2]>/<hex>/data          content, by digest
//   …/repositories/<name>/_layers/<alg>/<hex>/link                       the repository has the blob
//   …/repositories/<name>/_manifests/revisions/<alg>/<hex>/link          the repository has the manifest
//   …/repositories/<name>/_manifests/tags/<tag>/current/link             the tag points at a manifest
//   …/repositories/<name>/_manifests/tags/<tag>/index/<alg>/<hex>/link   …and has pointed at these
//   …/repositories/<name>/_uploads/<uuid>/{data,startedat}               uploads in progress
//   …/repositories/<name>/_referrers/<alg>/<subject hex>/<alg>/<hex>/link  manifests whose subject is that digest (ours)
//
// Content becomes visible only by a link written atomically after it is complete and verified:
// an upload is hashed as it streams to its data file, checked against the client's digest, then
// renamed into blobs/ (a concurrent push of the same blob renames identical bytes, or finds it
// there); a manifest's revision link is written after every blob it names was found and touched,
// which is what makes garbage collection safe against concurrent pushes (see gc.ts).
import { randomUUID, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, type ReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syncDir, writeFileAtomic } from '../lib/index.ts';
import { digestFile, digestOf, newHash, readChunk, splitDigest } from './digest.ts';
import { apiError } from './errors.ts';
import { maxManifestSize, parseManifest, referrerArtifactType, type Descriptor, type ParsedManifest } from './manifest.ts';
import { uploadRangeHeader, type ByteRange } from './range.ts';

interface UploadState {
  hash: Hash;
  size: number;
}

const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

async function readLink(path: string): Promise<string | undefined> {
  try {
    return (await fsp.readFile(path, 'utf8')).trim();
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await fsp.readdir(path);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export interface StoredManifest {
  digest: string;
  body: Buffer;
  mediaType: string;
}

export interface StorageOptions {
  /** fsync content and links before they become visible (default true). */
  durable?: boolean;
}

export class RegistryStorage {
  readonly root: string;
  readonly base: string;
  #durable: boolean;
  #uploads = new Map<string, UploadState>();
  #locks = new Map<string, Promise<unknown>>();

  constructor(root: string, o: StorageOptions = {}) {
    this.root = root;
    this.base = join(root, 'docker', 'registry', 'v2');
    this.#durable = o.durable ?? true;
  }

  // --- paths -------------------------------------------------------------------------------

  blobDir(digest: string): string {
    const { algorithm, hex } = splitDigest(digest);
    return join(this.base, 'blobs', algorithm, hex.slice(0, 2), hex);
  }

  blobPath(digest: string): string {
    return join(this.blobDir(digest), 'data');
  }

  repoDir(name: string): string {
    return join(this.base, 'repositories', name);
  }

  #layerLink(name: string, digest: string): string {
    const { algorithm, hex } = splitDigest(digest);
    return join(this.repoDir(name), '_layers', algorithm, hex, 'link');
  }

  revisionDir(name: string, digest: string): string {
    const { algorithm, hex } = splitDigest(digest);
    return join(this.repoDir(name), '_manifests', 'revisions', algorithm, hex);
  }

  #tagDir(name: string, tag: string): string {
    return join(this.repoDir(name), '_manifests', 'tags', tag);
  }

  #uploadDir(name: string, uuid: string): string {
    return join(this.repoDir(name), '_uploads', uuid);
  }

  #referrersDir(name: string, subject: string): string {
    const { algorithm, hex } = splitDigest(subject);
    return join(this.repoDir(name), '_referrers', algorithm, hex);
  }

  async #writeLink(path: string, digest: string): Promise<void> {
    await fsp.mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, digest, { durable: this.#durable });
  }

  /** Runs `fn` alone for `key` (one upload's PATCH/PUT/DELETE never interleave). */
  async #exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.#locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }

  // --- blobs -------------------------------------------------------------------------------

  /** The blob's size, undefined when the store lacks it. */
  async blobSize(digest: string): Promise<number | undefined> {
    try {
      return (await fsp.stat(this.blobPath(digest))).size;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** The blob's size when the repository holds it (linked), else undefined. */
  async repoBlobSize(name: string, digest: string): Promise<number | undefined> {
    if ((await readLink(this.#layerLink(name, digest))) === undefined) return undefined;
    return this.blobSize(digest);
  }

  openBlob(digest: string, range?: ByteRange): ReadStream {
    return createReadStream(this.blobPath(digest), { highWaterMark: readChunk, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async linkBlob(name: string, digest: string): Promise<void> {
    await this.#writeLink(this.#layerLink(name, digest), digest);
  }

  /** Removes the repository's link to a blob (the content stays for other repositories; GC takes it). */
  async unlinkBlob(name: string, digest: string): Promise<boolean> {
    const dir = dirname(this.#layerLink(name, digest));
    if ((await readLink(join(dir, 'link'))) === undefined) return false;
    await fsp.rm(dir, { recursive: true, force: true });
    return true;
  }

  /**
   * Marks a blob as in use now (its mtime); false when it is gone. A manifest touches every
   * blob it names before its link is written: garbage collection spares blobs touched after it
   * began, and one it already moved aside makes the touch fail (see gc.ts).
   */
  async touchBlob(digest: string): Promise<boolean> {
    const now = new Date();
    try {
      await fsp.utimes(this.blobPath(digest), now, now);
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  // --- uploads -----------------------------------------------------------------------------

  async startUpload(name: string): Promise<string> {
    const uuid = randomUUID();
    const dir = this.#uploadDir(name, uuid);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(join(dir, 'startedat'), new Date().toISOString());
    await fsp.writeFile(join(dir, 'data'), '');
    this.#uploads.set(uuid, { hash: newHash('sha256'), size: 0 });
    return uuid;
  }

  /** Bytes received so far; BLOB_UPLOAD_UNKNOWN for an unknown (finished, cancelled) upload. */
  async uploadSize(name: string, uuid: string): Promise<number> {
    try {
      return (await fsp.stat(join(this.#uploadDir(name, uuid), 'data'))).size;
    } catch (err) {
      if (isMissing(err)) throw apiError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
      throw err;
    }
  }

  async uploadStartedAt(name: string, uuid: string): Promise<Date | undefined> {
    const text = await readLink(join(this.#uploadDir(name, uuid), 'startedat'));
    return text ? new Date(text) : undefined;
  }

  /**
   * Appends a chunk, streamed (PATCH). With `range`, the chunk must start where the upload ends
   * (else RANGE_INVALID, 416, with the Range the registry holds). A connection dropped mid-chunk
   * leaves what arrived: the client asks for the Range and resumes from there.
   */
  async appendUpload(name: string, uuid: string, body: Readable, o: { range?: ByteRange; length?: number } = {}): Promise<number> {
    return this.#exclusive(uuid, () => this.#append(name, uuid, body, o));
  }

  async #append(name: string, uuid: string, body: Readable, o: { range?: ByteRange; length?: number }): Promise<number> {
    const size = await this.uploadSize(name, uuid);
    if (o.range && o.range.start !== size) {
      body.resume();
      throw apiError('RANGE_INVALID', { headers: { Range: uploadRangeHeader(size), 'Docker-Upload-UUID': uuid }, detail: { expected: size, got: o.range.start } });
    }
    if (o.range && o.length !== undefined && o.range.end - o.range.start + 1 !== o.length) {
      body.resume();
      throw apiError('RANGE_INVALID', { message: 'Content-Range does not match Content-Length' });
    }
    let state = this.#uploads.get(uuid);
    if (state && state.size !== size) state = undefined;
    this.#uploads.delete(uuid);
    let received = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        state?.hash.update(chunk);
        received += chunk.length;
        cb(null, chunk);
      },
    });
    await pipeline(body, hashing, createWriteStream(join(this.#uploadDir(name, uuid), 'data'), { flags: 'a', highWaterMark: 1 << 20 }));
    if (o.length !== undefined && received !== o.length) throw apiError('SIZE_INVALID', { detail: { expected: o.length, received } });
    // Only a chunk that arrived whole keeps the running hash valid; otherwise finish re-reads the file.
    if (state) this.#uploads.set(uuid, { hash: state.hash, size: size + received });
    return size + received;
  }

  /**
   * Completes an upload (PUT ?digest=), with a last chunk or none: the content must hash to
   * `digest` (else DIGEST_INVALID and the upload is dropped, nothing stored); then the blob is
   * moved into place and linked into the repository.
   */
  async finishUpload(name: string, uuid: string, digest: string, o: { body?: Readable; length?: number; range?: ByteRange } = {}): Promise<number> {
    return this.#exclusive(uuid, async () => {
      if (o.body) await this.#append(name, uuid, o.body, { ...(o.range ? { range: o.range } : {}), ...(o.length !== undefined ? { length: o.length } : {}) });
      const dir = this.#uploadDir(name, uuid);
      const data = join(dir, 'data');
      const size = await this.uploadSize(name, uuid);
      const { algorithm } = splitDigest(digest);
      const state = this.#uploads.get(uuid);
      this.#uploads.delete(uuid);
      const actual = state && state.size === size && algorithm === 'sha256' ? `sha256:${state.hash.digest('hex')}` : await digestFile(data, algorithm);
      if (actual !== digest) {
        await fsp.rm(dir, { recursive: true, force: true });
        throw apiError('DIGEST_INVALID', { detail: { digest, actual } });
      }
      await this.#commitFile(data, digest);
      await this.linkBlob(name, digest);
      await fsp.rm(dir, { recursive: true, force: true });
      return size;
    });
  }

  async cancelUpload(name: string, uuid: string): Promise<void> {
    await this.#exclusive(uuid, async () => {
      await this.uploadSize(name, uuid);
      this.#uploads.delete(uuid);
      await fsp.rm(this.#uploadDir(name, uuid), { recursive: true, force: true });
    });
  }

  /** The uploads of a repository with their start times (for purging stale ones). */
  async listUploads(name: string): Promise<Array<{ uuid: string; startedAt: Date | undefined }>> {
    const out = [];
    for (const uuid of await listDir(join(this.repoDir(name), '_uploads'))) out.push({ uuid, startedAt: await this.uploadStartedAt(name, uuid) });
    return out;
  }

  async removeUpload(name: string, uuid: string): Promise<void> {
    this.#uploads.delete(uuid);
    await fsp.rm(this.#uploadDir(name, uuid), { recursive: true, force: true });
  }

  /** Moves a verified file into blobs/ under its digest (or drops it when the blob is there). */
  async #commitFile(file: string, digest: string): Promise<void> {
    if (this.#durable) {
      const fh = await fsp.open(file, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    if (await this.touchBlob(digest)) return;
    const dir = this.blobDir(digest);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.rename(file, join(dir, 'data'));
    if (this.#durable) await syncDir(dir);
  }

  /** Stores small content (a manifest) under its digest. */
  async #putContent(body: Buffer, digest: string): Promise<void> {
    if (await this.touchBlob(digest)) return;
    const dir = this.blobDir(digest);
    await fsp.mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, 'data'), body, { durable: this.#durable });
  }

  /**
   * Stores a blob fetched elsewhere (the pull-through cache): `file` is complete and verified to
   * hash to `digest`; it is moved into place and linked into the repository.
   */
  async adoptFile(name: string, file: string, digest: string): Promise<void> {
    await this.#commitFile(file, digest);
    await this.linkBlob(name, digest);
  }

  /** A scratch path on the same file system as the blobs (so a rename moves it into place). */
  async scratchPath(): Promise<string> {
    const dir = join(this.base, '_scratch');
    await fsp.mkdir(dir, { recursive: true });
    return join(dir, randomUUID());
  }

  // --- manifests and tags ------------------------------------------------------------------

  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    return readLink(join(this.#tagDir(name, tag), 'current', 'link'));
  }

  async hasManifest(name: string, digest: string): Promise<boolean> {
    return (await readLink(join(this.revisionDir(name, digest), 'link'))) !== undefined && (await this.blobSize(digest)) !== undefined;
  }

  /** A manifest of the repository by digest; undefined when it has none. */
  async getManifest(name: string, digest: string): Promise<StoredManifest | undefined> {
    if ((await readLink(join(this.revisionDir(name, digest), 'link'))) === undefined) return undefined;
    let body: Buffer;
    try {
      body = await fsp.readFile(this.blobPath(digest));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const recorded = await readLink(join(this.revisionDir(name, digest), 'mediatype'));
    let mediaType = recorded;
    if (!mediaType) {
      try {
        mediaType = parseManifest(body, undefined).mediaType;
      } catch {
        mediaType = 'application/octet-stream';
      }
    }
    return { digest, body, mediaType };
  }

  /**
   * Stores a manifest and points `tags` at it. Every blob it names must be in the repository
   * and every manifest of an index too (MANIFEST_BLOB_UNKNOWN otherwise, nothing written).
   */
  async putManifest(name: string, body: Buffer, parsed: ParsedManifest, o: { tags?: string[]; digest?: string } = {}): Promise<string> {
    if (body.length > maxManifestSize) throw apiError('SIZE_INVALID', { status: 413, message: 'manifest too large', detail: { size: body.length, max: maxManifestSize } });
    const algorithm = o.digest ? splitDigest(o.digest).algorithm : 'sha256';
    const digest = digestOf(body, algorithm);
    if (o.digest && o.digest !== digest) throw apiError('DIGEST_INVALID', { detail: { digest: o.digest, actual: digest } });
    for (const b of parsed.blobs) {
      if ((await readLink(this.#layerLink(name, b.digest))) === undefined || !(await this.touchBlob(b.digest))) {
        throw apiError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: b.digest } });
      }
    }
    for (const m of parsed.manifests) {
      if ((await readLink(join(this.revisionDir(name, m.digest), 'link'))) === undefined || !(await this.touchBlob(m.digest))) {
        throw apiError('MANIFEST_BLOB_UNKNOWN', { message: 'manifest unknown', detail: { digest: m.digest } });
      }
    }
    await this.#putContent(body, digest);
    const rev = this.revisionDir(name, digest);
    const existed = (await readLink(join(rev, 'link'))) !== undefined;
    await fsp.mkdir(rev, { recursive: true });
    // A body without its own mediaType (OCI allows it) keeps the Content-Type it came with.
    if (!bodyHasMediaType(body)) await writeFileAtomic(join(rev, 'mediatype'), parsed.mediaType, { durable: this.#durable });
    await this.#writeLink(join(rev, 'link'), digest);
    const { algorithm: alg, hex } = splitDigest(digest);
    if (parsed.subject) await this.#writeLink(join(this.#referrersDir(name, parsed.subject.digest), alg, hex, 'link'), digest);
    const previous = new Map<string, string | undefined>();
    for (const tag of o.tags ?? []) {
      previous.set(tag, await this.resolveTag(name, tag));
      await this.tag(name, tag, digest);
    }
    // Touched again now that the manifest is linked: a garbage collection that began before the
    // link was written and did not see it either finds these blobs touched after its start (and
    // spares them), or has already moved one aside (the touch fails and the push is undone).
    const all = [digest, ...parsed.blobs.map((b) => b.digest), ...parsed.manifests.map((m) => m.digest)];
    for (const d of all) {
      if (await this.touchBlob(d)) continue;
      for (const [tag, prev] of previous) {
        if (prev) await this.tag(name, tag, prev);
        else await fsp.rm(this.#tagDir(name, tag), { recursive: true, force: true });
      }
      if (!existed) await fsp.rm(rev, { recursive: true, force: true });
      throw apiError('MANIFEST_BLOB_UNKNOWN', { detail: { digest: d, reason: 'removed by a concurrent garbage collection' } });
    }
    return digest;
  }

  /**
   * Stores a manifest fetched by the pull-through cache: its blobs arrive later, on demand, so
   * they are not required here (a client pulls them through the cache next).
   */
  async cacheManifest(name: string, body: Buffer, parsed: ParsedManifest, o: { tags?: string[]; digest?: string } = {}): Promise<string> {
    const digest = o.digest ?? digestOf(body);
    await this.#putContent(body, digest);
    const rev = this.revisionDir(name, digest);
    await fsp.mkdir(rev, { recursive: true });
    if (!bodyHasMediaType(body)) await writeFileAtomic(join(rev, 'mediatype'), parsed.mediaType, { durable: this.#durable });
    await this.#writeLink(join(rev, 'link'), digest);
    for (const tag of o.tags ?? []) await this.tag(name, tag, digest);
    return digest;
  }

  /** Unlinks tags, manifests and blob links last written before `cutoff` (the cache's ttl). */
  async expireLinks(cutoff: number): Promise<number> {
    let removed = 0;
    const older = async (path: string) => {
      try {
        return (await fsp.stat(path)).mtimeMs < cutoff;
      } catch {
        return false;
      }
    };
    for (const name of await this.repositories()) {
      const repo = this.repoDir(name);
      for (const tag of await listDir(join(repo, '_manifests', 'tags'))) {
        if (await older(join(repo, '_manifests', 'tags', tag, 'current', 'link'))) {
          await fsp.rm(join(repo, '_manifests', 'tags', tag), { recursive: true, force: true });
          removed++;
        }
      }
      for (const sub of [join('_manifests', 'revisions'), '_layers']) {
        for (const algorithm of await listDir(join(repo, sub))) {
          for (const hex of await listDir(join(repo, sub, algorithm))) {
            if (await older(join(repo, sub, algorithm, hex, 'link'))) {
              await fsp.rm(join(repo, sub, algorithm, hex), { recursive: true, force: true });
              removed++;
            }
          }
        }
      }
    }
    return removed;
  }

  async tag(name: string, tag: string, digest: string): Promise<void> {
    const dir = this.#tagDir(name, tag);
    const { algorithm, hex } = splitDigest(digest);
    await this.#writeLink(join(dir, 'index', algorithm, hex, 'link'), digest);
    await this.#writeLink(join(dir, 'current', 'link'), digest);
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const dir = this.#tagDir(name, tag);
    if ((await readLink(join(dir, 'current', 'link'))) === undefined) return false;
    await fsp.rm(dir, { recursive: true, force: true });
    return true;
  }

  /** Deletes a manifest revision, every tag pointing at it, and its referrers entry. */
  async deleteManifest(name: string, digest: string): Promise<boolean> {
    const stored = await this.getManifest(name, digest);
    if (!stored) return false;
    for (const [tag, target] of await this.tagTargets(name)) if (target === digest) await this.deleteTag(name, tag);
    await fsp.rm(this.revisionDir(name, digest), { recursive: true, force: true });
    try {
      const parsed = parseManifest(stored.body, stored.mediaType);
      if (parsed.subject) {
        const { algorithm, hex } = splitDigest(digest);
        await fsp.rm(join(this.#referrersDir(name, parsed.subject.digest), algorithm, hex), { recursive: true, force: true });
      }
    } catch {
      // a body we cannot parse has no referrers entry
    }
    return true;
  }

  /** Tag → manifest digest, sorted by tag; undefined when the repository is unknown. */
  async tagTargets(name: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const tag of (await listDir(join(this.repoDir(name), '_manifests', 'tags'))).sort()) {
      const target = await this.resolveTag(name, tag);
      if (target) out.set(tag, target);
    }
    return out;
  }

  async repositoryExists(name: string): Promise<boolean> {
    for (const sub of ['_manifests', '_layers']) {
      try {
        if ((await fsp.stat(join(this.repoDir(name), sub))).isDirectory()) return true;
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return false;
  }

  /** Every repository with manifests, sorted (distribution's catalog walk: directories holding _manifests). */
  async repositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string) => {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      if (entries.some((e) => e.name === '_manifests' && e.isDirectory())) out.push(prefix);
      for (const e of entries) {
        if (!e.isDirectory() || e.name.startsWith('_')) continue;
        await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
      }
    };
    await walk(join(this.base, 'repositories'), '');
    return out.filter(Boolean).sort();
  }

  /** The manifest digests the repository holds (its revisions). */
  async revisions(name: string): Promise<string[]> {
    const out: string[] = [];
    const root = join(this.repoDir(name), '_manifests', 'revisions');
    for (const algorithm of await listDir(root)) {
      for (const hex of await listDir(join(root, algorithm))) {
        const link = await readLink(join(root, algorithm, hex, 'link'));
        if (link) out.push(link);
      }
    }
    return out;
  }

  async revisionTime(name: string, digest: string): Promise<number | undefined> {
    try {
      return (await fsp.stat(join(this.revisionDir(name, digest), 'link'))).mtimeMs;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** The blobs the repository links (its _layers). */
  async layerLinks(name: string): Promise<string[]> {
    const out: string[] = [];
    const root = join(this.repoDir(name), '_layers');
    for (const algorithm of await listDir(root)) {
      for (const hex of await listDir(join(root, algorithm))) {
        const link = await readLink(join(root, algorithm, hex, 'link'));
        if (link) out.push(link);
      }
    }
    return out;
  }

  /** Manifests whose subject is `digest`, as the referrers API lists them. */
  async referrers(name: string, subject: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    const root = this.#referrersDir(name, subject);
    for (const algorithm of await listDir(root)) {
      for (const hex of await listDir(join(root, algorithm))) {
        const digest = await readLink(join(root, algorithm, hex, 'link'));
        if (!digest) continue;
        const m = await this.getManifest(name, digest);
        if (!m) continue;
        let parsed: ParsedManifest;
        try {
          parsed = parseManifest(m.body, m.mediaType);
        } catch {
          continue;
        }
        const artifactType = referrerArtifactType(parsed);
        out.push({ mediaType: m.mediaType, digest, size: m.body.length, ...(artifactType ? { artifactType } : {}), ...(parsed.annotations ? { annotations: parsed.annotations } : {}) });
      }
    }
    return out.sort((a, b) => (a.digest < b.digest ? -1 : 1));
  }

  // --- whole-store walks (garbage collection, usage) ----------------------------------------

  /** Every blob in the store, with its size and modification time. */
  async *allBlobs(): AsyncGenerator<{ digest: string; size: number; mtimeMs: number }> {
    const root = join(this.base, 'blobs');
    for (const algorithm of await listDir(root)) {
      for (const prefix of await listDir(join(root, algorithm))) {
        for (const hex of await listDir(join(root, algorithm, prefix))) {
          try {
            const st = await fsp.stat(join(root, algorithm, prefix, hex, 'data'));
            yield { digest: `${algorithm}:${hex}`, size: st.size, mtimeMs: st.mtimeMs };
          } catch (err) {
            if (!isMissing(err)) throw err;
          }
        }
      }
    }
  }

  /**
   * Deletes a blob unless it was touched at or after `since` (a manifest naming it was being
   * pushed). The blob's directory is first renamed aside, so a touch that comes after fails and
   * its push answers MANIFEST_BLOB_UNKNOWN instead of referring to a deleted blob; then its mtime
   * is read again, and a blob touched meanwhile is put back.
   */
  async deleteBlobIfIdle(digest: string, since: number): Promise<boolean> {
    const dir = this.blobDir(digest);
    const aside = join(dirname(dir), `.gc-${splitDigest(digest).hex}-${process.pid}`);
    try {
      await fsp.rename(dir, aside);
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
    const st = await fsp.stat(join(aside, 'data')).catch(() => undefined);
    if (st && st.mtimeMs >= since) {
      await fsp.rename(aside, dir);
      return false;
    }
    await fsp.rm(aside, { recursive: true, force: true });
    return true;
  }
}

function bodyHasMediaType(body: Buffer): boolean {
  try {
    return typeof (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType === 'string';
  } catch {
    return false;
  }
}
