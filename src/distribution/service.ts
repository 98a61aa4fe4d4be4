// The distribution service: pull, push, login and search over the registry endpoints of a
// reference, with dockerd's fallback from mirrors (any failure) and from https to http on
// insecure registries (transport failures), and dockerd's wording of pull errors.
import { join } from 'node:path';
import { InvalidArgument, NotFound, Unauthorized } from '../errors/index.ts';
import { familiarName, familiarString, parseIdReference, parseReference, withDefaultTag, type ImageStore, type Reference } from '../image/index.ts';
import type { LayerStore } from '../storage/index.ts';
import { AuthSession, decodeAuthHeader, type AuthConfig } from './auth.ts';
import { dockerHubHost, normalizeServer, Registries, type Endpoint, type RegistryConfig } from './endpoints.ts';
import { inspectRemote, type DistributionInspect } from './inspect.ts';
import { MetadataStore } from './metadata.ts';
import { pullOne } from './pull.ts';
import { pushOne } from './push.ts';
import type { ProgressFn } from './progress.ts';
import { RepositoryClient } from './repository.ts';
import { readBody, RegistryError, send } from './transport.ts';

export interface DistributionOptions {
  images: ImageStore;
  layers: LayerStore;
  /** image/overlay2: metadata goes to its distribution/ folder. */
  imageRoot: string;
  /** Where downloads wait for their parent layer. */
  tmpDir: string;
  registry: RegistryConfig;
  /** Chunked layer uploads of this size (bytes); unset: one streamed PATCH per layer, as docker does. */
  uploadChunkSize?: number;
  /** Where pushes are reported (the event bus). */
  events?: { publish(type: 'image', action: string, id: string, attributes: Record<string, string>): void };
}

export interface PullRequest {
  image: string;
  tag?: string;
  platform?: string;
  /** The X-Registry-Auth header as the client sent it. */
  registryAuth?: string;
  progress: ProgressFn;
  signal: AbortSignal;
}

export interface PushRequest {
  name: string;
  tag?: string;
  registryAuth?: string;
  progress: ProgressFn;
  signal: AbortSignal;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** A pull failure in dockerd's words (translatePullError). */
function translatePullError(err: unknown, ref: Reference): unknown {
  if (!(err instanceof RegistryError)) return err;
  switch (err.code) {
    case 'DENIED':
      return new NotFound(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`, { cause: err });
    case 'MANIFEST_UNKNOWN':
      return new NotFound(`manifest for ${familiarString(ref)} not found: ${err.message}`, { cause: err });
    case 'NAME_UNKNOWN':
      return new NotFound(`repository ${familiarName(ref)} not found: ${err.message}`, { cause: err });
    case 'UNAUTHORIZED':
      return new Unauthorized(err.message, { cause: err });
  }
  return err;
}

/** GET /v2/: any HTTP answer (200, 401…) shows the endpoint speaks the protocol. */
async function ping(ep: Endpoint, signal?: AbortSignal): Promise<void> {
  const res = await send('GET', new URL('/v2/', ep.base), { insecureTls: ep.insecureTls, idleTimeout: 15_000, ...(signal ? { signal } : {}) });
  res.resume();
}

export class DistributionService {
  registries: Registries;
  #downloads: number | undefined;
  #uploads: number | undefined;
  #images: ImageStore;
  #layers: LayerStore;
  #metadata: MetadataStore;
  #tmpDir: string;
  #chunkSize: number | undefined;

  #events: DistributionOptions['events'];

  constructor(o: DistributionOptions) {
    this.#chunkSize = o.uploadChunkSize;
    this.#events = o.events;
    this.#images = o.images;
    this.#layers = o.layers;
    this.#metadata = new MetadataStore(join(o.imageRoot, 'distribution'));
    this.#tmpDir = o.tmpDir;
    this.registries = new Registries(o.registry);
  }

  /**
   * The settings daemon.json can change while berthd runs (a reload): registries, mirrors and
   * how many layers move at a time. Pulls and pushes under way keep the settings they began with.
   */
  configure(o: { registry?: RegistryConfig; maxConcurrentDownloads?: number; maxConcurrentUploads?: number }): void {
    if (o.registry) this.registries = new Registries(o.registry);
    if (o.maxConcurrentDownloads !== undefined) this.#downloads = o.maxConcurrentDownloads;
    if (o.maxConcurrentUploads !== undefined) this.#uploads = o.maxConcurrentUploads;
  }

  /** Whether docker.io has mirrors configured (else the built-in busybox answers offline). */
  hasMirrors(): boolean {
    return this.registries.mirrors.length > 0;
  }

  /**
   * Runs `fn` against each endpoint of `host` until one works (dockerd's fallback rules). Without
   * `mirrors` (push, login, search) docker.io's mirrors are left out, as dockerd's
   * LookupPushEndpoints leaves them out: credentials and pushes go to the registry itself. With
   * `mirrorAnswersAreFinal` a mirror's error answer (a 404…) is the result, not a reason to ask
   * the next endpoint: only one that does not answer is passed over.
   */
  async #withEndpoints<T>(
    host: string,
    fn: (ep: Endpoint) => Promise<T>,
    o: { signal?: AbortSignal | undefined; mirrors?: boolean; mirrorAnswersAreFinal?: boolean } = {},
  ): Promise<T> {
    const signal = o.signal;
    let last: unknown;
    const endpoints = this.registries.endpoints(host, { mirrors: o.mirrors ?? true });
    for (const ep of endpoints) {
      try {
        // Several ways to reach one registry (https, then http): ping first, as dockerd does,
        // so that a wrong guess fails before any progress is shown.
        if (endpoints.length > 1 && ep !== endpoints.at(-1)) await ping(ep, signal);
        const out = await fn(ep);
        this.registries.remember(host, ep);
        return out;
      } catch (err) {
        last = err;
        if (signal?.aborted || isAbort(err)) throw err;
        const transport = err instanceof RegistryError && err.status === 0;
        if (!transport && (!ep.mirror || o.mirrorAnswersAreFinal)) throw err;
      }
    }
    throw last;
  }

  async pull(req: PullRequest): Promise<void> {
    let ref = parseReference(req.image);
    if (req.tag) {
      if (/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(req.tag)) ref = { ...ref, tag: undefined, digest: req.tag } as Reference;
      else ref = { ...ref, tag: req.tag };
    }
    if (ref.tag === undefined) delete ref.tag;
    const auth = decodeAuthHeader(req.registryAuth);
    const allTags = ref.tag === undefined && ref.digest === undefined;
    try {
      await this.#withEndpoints(ref.domain, async (ep) => {
        const session = new AuthSession(ep, auth);
        const repo = new RepositoryClient(session, ref.path, ['pull']);
        const ctx = { images: this.#images, layers: this.#layers, metadata: this.#metadata, tmpDir: this.#tmpDir, ...(this.#downloads ? { concurrency: this.#downloads } : {}) };
        const sourceRepository = `${ref.domain}/${ref.path}`;
        if (!allTags) {
          const updated = await pullOne(ctx, repo, { ref, ...(req.platform ? { platform: req.platform } : {}), progress: req.progress, signal: req.signal, sourceRepository });
          const shown = familiarString(withDefaultTag(ref));
          req.progress({ status: updated ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` });
          return;
        }
        const tags = await repo.tags(req.signal);
        if (tags.length === 0) throw new NotFound(`no tags available for ${familiarName(ref)}`);
        let updated = false;
        for (const tag of tags) {
          updated = (await pullOne(ctx, repo, { ref: { ...ref, tag }, ...(req.platform ? { platform: req.platform } : {}), progress: req.progress, signal: req.signal, sourceRepository })) || updated;
        }
        const shown = familiarName(ref);
        req.progress({ status: updated ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` });
      }, { signal: req.signal });
    } catch (err) {
      throw translatePullError(err, withDefaultTag(ref));
    }
  }

  async push(req: PushRequest): Promise<void> {
    let ref = parseReference(req.name);
    if (ref.digest) throw new InvalidArgument('cannot push a digest reference');
    if (req.tag) ref = { ...ref, tag: req.tag };
    const tags: string[] = [];
    if (ref.tag) tags.push(ref.tag);
    else {
      for (const image of this.#images.list()) {
        for (const r of this.#images.references(image.id)) if (r.domain === ref.domain && r.path === ref.path && r.tag && !r.digest) tags.push(r.tag);
      }
      tags.sort();
      if (tags.length === 0) throw new NotFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    }
    for (const tag of tags) {
      if (!this.#images.find(familiarString({ ...ref, tag }))) throw new NotFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    }
    req.progress({ status: `The push refers to repository [${ref.domain}/${ref.path}]` });
    const auth = decodeAuthHeader(req.registryAuth);
    await this.#withEndpoints(
      ref.domain,
      async (ep) => {
        const session = new AuthSession(ep, auth);
        const repo = new RepositoryClient(session, ref.path, ['pull', 'push']);
        for (const tag of tags) {
          await pushOne({ images: this.#images, layers: this.#layers, metadata: this.#metadata, ...(this.#uploads ? { concurrency: this.#uploads } : {}) }, repo, {
            ref: { ...ref, tag },
            progress: req.progress,
            signal: req.signal,
            registryHost: ref.domain,
            ...(this.#chunkSize ? { chunkSize: this.#chunkSize } : {}),
          });
          // dockerd's push event: the reference pushed, named by its repository
          const pushed = familiarString({ ...ref, tag });
          const labels = this.#images.find(pushed)?.config.config?.Labels ?? {};
          this.#events?.publish('image', 'push', pushed, { ...labels, name: familiarName(ref) });
        }
      },
      { signal: req.signal, mirrors: false },
    );
  }

  /**
   * GET /distribution/{name}/json: the descriptor and platforms of a remote image, reached as a
   * pull reaches it (mirrors first for docker.io), with the client's X-Registry-Auth.
   */
  async inspect(name: string, o: { registryAuth?: string | undefined; signal?: AbortSignal } = {}): Promise<DistributionInspect> {
    if (parseIdReference(name)) throw new InvalidArgument('no manifest found for full image ID');
    const parsed = parseReference(name);
    // a reference with a tag and a digest is looked up by its digest, as dockerd does
    const ref = withDefaultTag(parsed.digest ? { domain: parsed.domain, path: parsed.path, digest: parsed.digest } : parsed);
    const auth = decodeAuthHeader(o.registryAuth);
    // dockerd settles on the first endpoint that answers /v2/ (GetRepository), mirror or not.
    return this.#withEndpoints(ref.domain, (ep) => inspectRemote(new RepositoryClient(new AuthSession(ep, auth), ref.path, ['pull']), ref, o.signal), {
      signal: o.signal,
      mirrorAnswersAreFinal: true,
    });
  }

  /** POST /auth: checks the credentials against the registry (never a mirror of it). */
  async login(auth: AuthConfig, signal?: AbortSignal): Promise<{ Status: string; IdentityToken: string }> {
    const host = normalizeServer(auth.serveraddress);
    await this.#withEndpoints(host, (ep) => new AuthSession(ep, auth).login(signal), { signal, mirrors: false });
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }

  /**
   * GET /images/search: "reg:5000/term" searches that registry — its /v1/search (the Hub's API
   * shape) when it has one, else the names in its _catalog that contain the term.
   */
  async search(term: string, o: { limit?: number; registryAuth?: string; signal?: AbortSignal } = {}): Promise<SearchResult[]> {
    let host = dockerHubHost;
    let query = term;
    const slash = term.indexOf('/');
    if (slash > 0) {
      const first = term.slice(0, slash);
      if (first === 'localhost' || /[.:]/.test(first)) {
        host = normalizeServer(first);
        query = term.slice(slash + 1);
      }
    }
    if (!query) throw new InvalidArgument('search term must not be empty');
    const limit = o.limit && o.limit > 0 ? Math.min(o.limit, 100) : 25;
    const auth = decodeAuthHeader(o.registryAuth);
    return this.#withEndpoints(
      host,
      async (ep) => {
        if (host === dockerHubHost) ep = { ...ep, base: new URL('https://index.docker.io') };
        const v1 = new URL(`/v1/search?q=${encodeURIComponent(query)}&n=${limit}`, ep.base);
        const res = await send('GET', v1, { insecureTls: ep.insecureTls, ...(o.signal ? { signal: o.signal } : {}) });
        if (res.statusCode === 200) {
          const body = JSON.parse((await readBody(res)).toString('utf8')) as { results?: SearchResult[] };
          return (body.results ?? []).slice(0, limit);
        }
        res.resume();
        const session = new AuthSession(ep, auth);
        const catalog = new RepositoryClient(session, '', [], ['registry:catalog:*']);
        const names: string[] = [];
        let url: URL | undefined = catalog.url('/v2/_catalog?n=1000');
        while (url) {
          const r = await catalog.requestRetrying('GET', url, o.signal ? { signal: o.signal } : {});
          const body = JSON.parse((await readBody(r)).toString('utf8')) as { repositories?: string[] };
          names.push(...(body.repositories ?? []));
          const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(r.headers.link ?? ''));
          url = link ? new URL(link[1], url) : undefined;
        }
        const q = query.toLowerCase();
        return names
          .filter((n) => n.toLowerCase().includes(q))
          .slice(0, limit)
          .map((n) => ({ name: `${host}/${n}`, description: '', star_count: 0, is_official: false, is_automated: false }));
      },
      { signal: o.signal, mirrors: false },
    );
  }
}
