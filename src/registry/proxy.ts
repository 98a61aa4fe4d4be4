// The pull-through cache (proxy.remoteurl): manifests and blobs the store lacks are fetched from
// the upstream registry (with proxy.username/password), served to the client as they stream and
// kept — a blob only once it arrived whole and hashed to its digest. Tags are asked upstream on
// every pull (so a moved tag is seen) and served from the cache when the upstream cannot answer.
// Cached entries older than proxy.ttl are unlinked (garbage collection reclaims their space).
import { createWriteStream, promises as fsp } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AuthSession, RepositoryClient, RegistryError } from '../distribution/index.ts';
import type { Logger } from '../lib/index.ts';
import { digestOf, newHash, readChunk, splitDigest } from './digest.ts';
import { apiError } from './errors.ts';
import { manifestMediaTypes, parseManifest } from './manifest.ts';
import type { RegistryStorage, StoredManifest } from './storage.ts';

export interface ProxyOptions {
  remoteUrl: string;
  username?: string;
  password?: string;
  ttlMs: number;
}

export class PullThrough {
  #o: ProxyOptions;
  #storage: RegistryStorage;
  #log: Logger;
  #sessions = new Map<string, RepositoryClient>();

  constructor(o: ProxyOptions, storage: RegistryStorage, log: Logger) {
    this.#o = o;
    this.#storage = storage;
    this.#log = log;
  }

  #client(name: string): RepositoryClient {
    let c = this.#sessions.get(name);
    if (!c) {
      const session = new AuthSession({ base: new URL(this.#o.remoteUrl), insecureTls: false, mirror: false }, this.#o.username ? { username: this.#o.username, password: this.#o.password ?? '' } : undefined);
      c = new RepositoryClient(session, name, ['pull']);
      if (this.#sessions.size > 1000) this.#sessions.clear();
      this.#sessions.set(name, c);
    }
    return c;
  }

  /** A manifest by tag or digest: upstream first for tags, the cache first for digests. */
  async manifest(name: string, reference: string, isDigest: boolean): Promise<StoredManifest> {
    if (isDigest) {
      const local = await this.#storage.getManifest(name, reference);
      if (local) return local;
    }
    let fetched: { body: Buffer; contentType: string; digest: string };
    try {
      fetched = await this.#client(name).getManifest(reference, [...manifestMediaTypes, 'application/vnd.oci.artifact.manifest.v1+json']);
    } catch (err) {
      if (!isDigest) {
        const digest = await this.#storage.resolveTag(name, reference);
        const local = digest ? await this.#storage.getManifest(name, digest) : undefined;
        if (local && !(err instanceof RegistryError && (err.status === 404 || err.code === 'MANIFEST_UNKNOWN'))) {
          this.#log.warn('upstream unreachable, serving the cached manifest', { name, reference, error: (err as Error).message });
          return local;
        }
      }
      throw upstreamError(err, 'MANIFEST_UNKNOWN', isDigest ? {} : { Tag: reference });
    }
    const digest = isDigest ? digestOf(fetched.body, splitDigest(reference).algorithm) : fetched.digest;
    if (isDigest && digest !== reference) throw apiError('DIGEST_INVALID', { message: 'upstream manifest does not match its digest', detail: { digest: reference } });
    const parsed = parseManifest(fetched.body, fetched.contentType);
    await this.#storage.cacheManifest(name, fetched.body, parsed, { ...(isDigest ? { digest } : { tags: [reference] }) });
    return { digest, body: fetched.body, mediaType: parsed.mediaType };
  }

  /** The size of a blob, cached or upstream; undefined when neither has it. */
  async blobSize(name: string, digest: string): Promise<number | undefined> {
    const local = await this.#storage.repoBlobSize(name, digest);
    if (local !== undefined) return local;
    try {
      return await this.#client(name).blobExists(digest);
    } catch (err) {
      throw upstreamError(err, 'BLOB_UNKNOWN', { digest });
    }
  }

  /**
   * Streams an uncached blob from upstream into `out`, keeping a copy: bytes go to the client and
   * to a scratch file as they arrive (the slower of the two sets the pace), and the copy is kept
   * once it is whole and its digest matches — also when the client went away meanwhile.
   */
  async fetchBlob(name: string, digest: string, out: Writable, onHead: (size: number) => void): Promise<void> {
    let upstream: IncomingMessage;
    try {
      upstream = await this.#client(name).getBlob(digest);
    } catch (err) {
      throw upstreamError(err, 'BLOB_UNKNOWN', { digest });
    }
    const length = Number(upstream.headers['content-length'] ?? -1);
    onHead(length);
    const scratch = await this.#storage.scratchPath();
    const hash = newHash(splitDigest(digest).algorithm);
    let size = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const file = createWriteStream(scratch, { highWaterMark: 1 << 20 });
    const toClient = new PassThrough({ highWaterMark: readChunk });
    upstream.pipe(tee);
    tee.pipe(file);
    tee.pipe(toClient);
    toClient.pipe(out);
    // A client that leaves stops receiving; the copy goes on.
    out.on('close', () => {
      tee.unpipe(toClient);
      toClient.resume();
    });
    upstream.on('aborted', () => tee.destroy(new Error('upstream connection closed early')));
    try {
      await finished(file);
      const actual = `${splitDigest(digest).algorithm}:${hash.digest('hex')}`;
      if (actual !== digest || (length >= 0 && size !== length)) {
        this.#log.warn('upstream blob did not match its digest: not cached', { name, digest, actual });
        await fsp.rm(scratch, { force: true });
        out.destroy();
        return;
      }
      await this.#storage.adoptFile(name, scratch, digest);
    } catch (err) {
      await fsp.rm(scratch, { force: true });
      out.destroy(err as Error);
    }
  }

  async tags(name: string): Promise<string[] | undefined> {
    try {
      return await this.#client(name).tags();
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      const local = await this.#storage.tagTargets(name);
      if (local.size) return [...local.keys()];
      throw upstreamError(err, 'NAME_UNKNOWN', { name });
    }
  }

  /** Unlinks cached tags, manifests and blobs older than the ttl. */
  async expire(now = Date.now()): Promise<number> {
    return this.#storage.expireLinks(now - this.#o.ttlMs);
  }
}

/** An upstream failure as the client should see it: not found stays not found, the rest is 503. */
function upstreamError(err: unknown, notFound: 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'NAME_UNKNOWN', detail: Record<string, string>) {
  if (err instanceof RegistryError) {
    if (err.status === 404 || err.code === 'MANIFEST_UNKNOWN' || err.code === 'BLOB_UNKNOWN' || err.code === 'NAME_UNKNOWN') return apiError(notFound, { detail });
    if (err.status === 401 || err.status === 403 || err.kind === 'unauthorized') return apiError('UNAVAILABLE', { status: 502, message: `upstream registry refused the proxy's credentials: ${err.message}` });
  }
  return apiError('UNAVAILABLE', { status: 502, message: `upstream registry: ${(err as Error).message}` });
}
