// The build service behind POST /build, /build/prune, /build/cancel and the build cache of
// /system/df. A build gets a directory of its own under <data-root>/builder/tmp/<id>/ (the
// context unpacked from the streamed tar, secrets, downloads) and a journal of the images it
// commits; whatever way it ends, the directory goes. At start-up, what a killed daemon left —
// build directories, containers labelled as a build's, images a journal names that no cache entry
// keeps — is removed before anything else runs.
import { randomBytes } from 'node:crypto';
import { appendFile, createReadStream, promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  BuildPlan,
  DockerignoreMatcher,
  executeBuild,
  parseDockerignore,
  parseStages,
  type BuildOutput,
  type ImageHandle,
} from '../builder/index.ts';
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { familiarString, parseReference, withDefaultTag, type Image, type ImageUsers, type Reference } from '../image/index.ts';
import { parsePlatform, parseTimestamp, samePlatform, type Logger, type Platform } from '../lib/index.ts';
import type { LayerStore } from '../storage/index.ts';
import type { Syscalls } from '../sys/index.ts';
import type { BuildCache, BuildCachePruneReport, HostConfig } from '../types/index.ts';
import { FileCacheStore } from './cache-store.ts';
import { CacheMounts } from './cache-mounts.ts';
import { isArchive } from './copy.ts';
import { ContextArchive } from './context.ts';
import { BuildSteps, buildContainerLabel, download, imageHandle, type BuildContainers, type BuildImages, type ImagePuller } from './steps.ts';

const appendFileAsync = promisify(appendFile);

export interface BuildParams {
  tags: string[];
  dockerfile: string;
  quiet: boolean;
  noCache: boolean;
  cacheFrom: string[];
  pull: boolean;
  /** rm: remove the containers of successful steps (failed ones always go). */
  rm: boolean;
  buildArgs: Map<string, string | null>;
  labels: Record<string, string>;
  target: string;
  networkMode: string;
  extraHosts: string[];
  resources: Partial<HostConfig>;
  platform: string;
  remote: string;
  /** X-Registry-Config, decoded. */
  registryConfig: Record<string, unknown>;
  secrets: Map<string, Buffer>;
  /** The client's name for the build, for /build/cancel. */
  buildId: string;
}

/** The images the service needs beyond a build's: tagging, and what prune must check. */
export interface BuildServiceImages extends BuildImages {
  tag(id: string, ref: Reference): Promise<void>;
  references(id: string): Reference[];
  children(id: string): Image[];
  list(): Image[];
  /** Deletes an image nothing holds; returns the layers deleted with it. */
  delete(id: string): Promise<string[]>;
}

export interface BuildServiceDeps {
  dataRoot: string;
  sys: Syscalls;
  layers: LayerStore;
  /** The image store. */
  images: BuildServiceImages;
  /** The image service, for FROM's pulls. */
  puller: ImagePuller;
  /** The engine: RUN's containers, and (listed by label) those a crash left. */
  containers: BuildContainers & {
    list(options: { all: boolean; size: boolean; filters: Map<string, string[]> }): Promise<Array<{ Id: string }>>;
  };
  /** Which containers use an image (the container store). */
  users: ImageUsers;
  log: Logger;
  hostPlatform: Platform;
}


const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class BuildService {
  #deps: BuildServiceDeps;
  #root: string;
  #tmp: string;
  #cache: FileCacheStore;
  #mounts: CacheMounts;
  #running = new Map<string, AbortController>();
  #parallelism = Math.max(1, availableParallelism());

  constructor(deps: BuildServiceDeps) {
    this.#deps = deps;
    this.#root = join(deps.dataRoot, 'builder');
    this.#tmp = join(this.#root, 'tmp');
    this.#cache = new FileCacheStore(join(this.#root, 'cache'), deps.log);
    this.#mounts = new CacheMounts({ root: join(this.#root, 'cache-mounts'), tmp: this.#tmp, log: deps.log });
  }

  /** Loads the cache and sweeps what builds a crash interrupted (after the engine's init). */
  async init(): Promise<void> {
    await fsp.mkdir(this.#tmp, { recursive: true, mode: 0o700 });
    await this.#cache.load();
    await this.#mounts.init();
    const left = await this.#deps.containers.list({ all: true, size: false, filters: new Map([['label', [buildContainerLabel]]]) });
    for (const { Id: id } of left) {
      this.#deps.log.info('removing a container of an interrupted build', { container: id });
      await this.#deps.containers.remove(id, { force: true, removeVolumes: true }).catch((err: unknown) => this.#deps.log.warn('removing a build container failed', { container: id, error: err }));
    }
    for (const name of await fsp.readdir(this.#tmp)) {
      const dir = join(this.#tmp, name);
      const journal = await fsp.readFile(join(dir, 'images'), 'utf8').catch(() => '');
      const ids = journal.split('\n').filter(Boolean).reverse();
      for (const id of ids) await this.#dropImage(id, { unlessCached: true });
      await fsp.rm(dir, { recursive: true, force: true });
    }
    // a step killed between registering its layer and committing its image
    await this.#deps.layers.removeUnreferenced();
  }

  #usedByContainer(imageId: string): boolean {
    return this.#deps.users.containersUsingImage(imageId).length > 0;
  }

  /** Deletes an intermediate image nobody holds; returns the bytes of the layers deleted. */
  async #dropImage(id: string, o: { unlessCached: boolean }): Promise<number> {
    const images = this.#deps.images;
    const image = images.get(id);
    if (!image) return 0;
    if (o.unlessCached && this.#cache.names(id)) return 0;
    if (images.references(id).length > 0 || images.children(id).length > 0 || this.#usedByContainer(id)) return 0;
    const sizes = new Map(image.topLayer ? this.#deps.layers.chain(image.topLayer).map((l) => [l.chainId, l.size] as const) : []);
    const deleted = await images.delete(id);
    return deleted.reduce((n, c) => n + (sizes.get(c) ?? 0), 0);
  }

  /**
   * Runs a build. Errors thrown before `out` is first called are the request's (a 4xx/5xx
   * status); later ones are the stream's.
   */
  async build(params: BuildParams, body: Readable, out: BuildOutput, signal: AbortSignal): Promise<string> {
    const tags = params.tags.map((t) => withDefaultTag(parseReference(t)));
    const host = this.#deps.hostPlatform;
    if (params.platform !== '') {
      const wanted = parsePlatform(params.platform, host);
      if (!samePlatform(wanted, host)) throw new InvalidArgument(`image platform ${params.platform} is not supported: this daemon builds for ${host.os}/${host.architecture} only`);
    }
    const id = randomBytes(16).toString('hex');
    const dir = join(this.#tmp, id);
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (params.buildId) this.#running.set(params.buildId, abort);
    const quiet = params.quiet;
    const emit: BuildOutput = (m) => {
      if (quiet && (m.stream !== undefined || m.aux !== undefined || m.status !== undefined)) return;
      out(m);
    };
    try {
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      let context: ContextArchive;
      let dockerfileText: string | undefined;
      let dockerfileName = params.dockerfile || 'Dockerfile';
      if (params.remote !== '') {
        body.resume();
        const remote = await this.#fetchRemote(params.remote, dir, abort.signal);
        context = remote.context;
        if (remote.dockerfile !== undefined) {
          dockerfileText = remote.dockerfile;
          dockerfileName = 'Dockerfile';
        }
      } else {
        context = await ContextArchive.receive(body, dir);
      }
      dockerfileText ??= await readDockerfile(context, dockerfileName, !params.dockerfile);
      await applyIgnoreToBuildFiles(context, dockerfileName);
      const dockerfile = parseStages(dockerfileText);
      const plan = new BuildPlan(dockerfile, {
        buildArgs: params.buildArgs,
        ...(params.target ? { target: params.target } : {}),
        labels: params.labels,
        hostPlatform: host,
      });
      const cacheFrom: ImageHandle[] = [];
      for (const ref of params.cacheFrom) {
        const image = this.#deps.images.find(ref);
        if (image) cacheFrom.push(imageHandle(image));
      }
      const steps = new BuildSteps(
        { containers: this.#deps.containers, images: this.#deps.images, puller: this.#deps.puller, layers: this.#deps.layers, cacheMounts: this.#mounts, sys: this.#deps.sys, log: this.#deps.log },
        {
          id,
          dir,
          context,
          networkMode: params.networkMode,
          resources: params.resources,
          keepContainers: !params.rm,
          registryAuth: params.registryConfig,
          hostPlatform: host,
          journal: (imageId) => appendFileAsync(join(dir, 'images'), `${imageId}\n`),
        },
      );
      const result = await executeBuild(
        plan,
        { images: steps, steps, committer: steps, cache: this.#cache },
        {
          noCache: params.noCache,
          pull: params.pull,
          cacheFrom,
          secrets: params.secrets,
          extraHosts: params.extraHosts,
          hostPlatform: host,
          parallelism: this.#parallelism,
          signal: abort.signal,
        },
        emit,
      );
      const imageId = result.image.id;
      if (imageId === '') throw new InvalidArgument('No image was generated. Is your Dockerfile empty?');
      const warning = plan.unusedArgsWarning();
      if (warning) emit({ stream: `${warning}\n` });
      emit({ stream: `Successfully built ${shortId(imageId)}\n` });
      for (const ref of tags) {
        await this.#deps.images.tag(imageId, ref);
        emit({ stream: `Successfully tagged ${familiarString(ref)}\n` });
      }
      if (quiet) out({ stream: `${imageId}\n` });
      return imageId;
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (params.buildId) this.#running.delete(params.buildId);
      await this.#cache.flush();
      await fsp.rm(dir, { recursive: true, force: true }).catch((err: unknown) => this.#deps.log.warn('removing a build directory failed', { dir, error: err }));
    }
  }

  /** `remote`: a tarball (the context) or a plain Dockerfile; git repositories are refused. */
  async #fetchRemote(url: string, dir: string, signal: AbortSignal): Promise<{ context: ContextArchive; dockerfile?: string }> {
    if (!/^https?:\/\//i.test(url) || /\.git(#.*)?$/.test(url) || url.startsWith('git@') || url.startsWith('git://')) {
      throw new InvalidArgument(`unable to prepare context: remote ${url} is not supported: only http(s) URLs of a tarball or a Dockerfile (git repositories are not supported)`);
    }
    const name = await download(url, join(dir, 'remote'), { signal });
    const path = join(dir, 'remote', name);
    if (await isArchive(createReadStream(path))) return { context: await ContextArchive.receive(createReadStream(path), dir) };
    return { context: await ContextArchive.receive(Readable.from([]), dir), dockerfile: await fsp.readFile(path, 'utf8') };
  }

  /** POST /build/cancel?id=: aborts a build the client named with buildid. */
  cancel(buildId: string): void {
    const build = this.#running.get(buildId);
    if (!build) throw new NotFound(`no such build: ${buildId}`);
    build.abort(new InvalidArgument('build cancelled'));
  }

  #sharedImages(): Set<string> {
    // Images a tagged image is built on (or is): their cache entries hold nothing of their own.
    const images = this.#deps.images;
    const shared = new Set<string>();
    for (const image of images.list()) {
      if (images.references(image.id).length === 0) continue;
      for (let cur: Image | undefined = image; cur && !shared.has(cur.id); cur = cur.parent ? images.get(cur.parent) : undefined) shared.add(cur.id);
    }
    return shared;
  }

  /** The build cache as /system/df lists it: step entries and cache mounts. */
  async diskUsage(): Promise<BuildCache[]> {
    const shared = this.#sharedImages();
    const out: BuildCache[] = [];
    const byImage = new Map<string, string>();
    for (const e of this.#cache.list()) byImage.set(e.image, e.key);
    for (const e of this.#cache.list()) {
      const image = this.#deps.images.get(e.image);
      if (!image) continue;
      const own = image.topLayer && image.config.history?.at(-1)?.empty_layer !== true ? (this.#deps.layers.get(image.topLayer)?.size ?? 0) : 0;
      const parentKey = image.parent ? byImage.get(image.parent) : undefined;
      out.push({
        ID: shortKey(e.key),
        Parents: parentKey ? [shortKey(parentKey)] : null,
        Type: 'regular',
        Description: e.description,
        InUse: this.#usedByContainer(e.image),
        Shared: shared.has(e.image),
        Size: own,
        CreatedAt: e.created,
        LastUsedAt: e.lastUsed,
        UsageCount: e.uses,
      });
    }
    for (const m of await this.#mounts.list()) {
      out.push({
        ID: m.key.slice(0, 25),
        Parents: null,
        Type: 'exec.cachemount',
        Description: `cached mount with id ${JSON.stringify(m.id)}`,
        InUse: m.inUse,
        Shared: false,
        Size: m.size,
        CreatedAt: m.created,
        LastUsedAt: m.lastUsed,
        UsageCount: m.uses,
      });
    }
    return out;
  }

  /**
   * POST /build/prune: without `all`, the entries no tagged image is built on, and unused cache
   * mounts; with it, every entry (an image still needed by a tagged one stays, only its entry
   * goes). `until` keeps what was used more recently.
   */
  async prune(options: { all: boolean; filters: Map<string, string[]>; keepStorage: number }): Promise<BuildCachePruneReport> {
    for (const k of options.filters.keys()) if (!['until', 'id', 'type', 'description', 'inuse', 'shared', 'private'].includes(k)) throw new InvalidArgument(`invalid filter '${k}'`);
    let before: number | undefined;
    for (const v of options.filters.get('until') ?? []) before = Number(parseTimestamp(v, new Date()) / 1_000_000n);
    const ids = new Set(options.filters.get('id') ?? []);
    const shared = this.#sharedImages();
    const deleted: string[] = [];
    let reclaimed = 0;
    const keep = (lastUsed: string, id: string) => (before !== undefined && Date.parse(lastUsed) > before) || (ids.size > 0 && !ids.has(id));
    const entries = this.#cache
      .list()
      .map((e) => ({ e, depth: this.#deps.images.get(e.image)?.config.history?.length ?? 0 }))
      .sort((a, b) => b.depth - a.depth);
    const types = new Set(options.filters.get('type') ?? []);
    if (types.size === 0 || types.has('regular')) {
      for (const { e } of entries) {
        if (keep(e.lastUsed, shortKey(e.key))) continue;
        if (!options.all && shared.has(e.image)) continue;
        if (this.#usedByContainer(e.image)) continue;
        await this.#cache.delete(e.key);
        reclaimed += await this.#dropImage(e.image, { unlessCached: true });
        deleted.push(shortKey(e.key));
      }
    }
    if (types.size === 0 || types.has('exec.cachemount')) {
      for (const m of await this.#mounts.list()) {
        if (keep(m.lastUsed, m.key.slice(0, 25)) || m.inUse) continue;
        if (await this.#mounts.remove(m.key)) {
          deleted.push(m.key.slice(0, 25));
          reclaimed += m.size;
        }
      }
    }
    return { CachesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }
}

const shortKey = (key: string) => key.replace(/^sha256:/, '').slice(0, 25);

/** The Dockerfile, from the context: `name`, or (by default) Dockerfile then dockerfile. */
async function readDockerfile(context: ContextArchive, name: string, isDefault: boolean): Promise<string> {
  for (const c of isDefault ? [name, name.toLowerCase()] : [name]) {
    const text = await context.readFile(c);
    if (text !== undefined) return text;
  }
  throw new InvalidArgument(`Cannot locate specified Dockerfile: ${name}`);
}

/**
 * As dockerd: when .dockerignore excludes the Dockerfile or itself, they are taken out of the
 * context after being read, so `COPY . .` does not copy them.
 */
async function applyIgnoreToBuildFiles(context: ContextArchive, dockerfile: string): Promise<void> {
  const text = await context.readFile('.dockerignore');
  if (text === undefined) return;
  const matcher = new DockerignoreMatcher(parseDockerignore(text));
  for (const name of [dockerfile, '.dockerignore']) if (matcher.matches(name)) context.remove(name);
}
