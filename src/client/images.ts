// /images/*: listing, inspection, tags, removal, and the streamed transfers (pull, push, import,
// save, load) and POST /build, whose progress comes back as JSON messages (see jsonMessages).
import type { AuthConfig, DeleteResponseItem, ImageHistoryEntry, ImageInspect, ImageSummary, ImagesPruneReport } from '../types/index.ts';
import { filtersQuery, imagePath } from './paths.ts';
import type { ApiResponse, Transport } from './transport.ts';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes: readonly string[];
}

/** POST /build's parameters, as docker's ImageBuildOptions names them. */
export interface BuildOptions {
  tags: readonly string[];
  /** The Dockerfile's path inside the context (or the remote's). */
  dockerfile?: string;
  /** A URL the daemon fetches the context (or a Dockerfile) from; the body is then empty. */
  remote?: string;
  quiet: boolean;
  noCache: boolean;
  pull: boolean;
  /** Remove the containers of successful steps (the daemon's default is true). */
  rm: boolean;
  forceRm: boolean;
  target?: string;
  networkMode?: string;
  extraHosts: readonly string[];
  cacheFrom: readonly string[];
  /** A null value: the argument is declared but left unset. */
  buildArgs: Record<string, string | null>;
  labels: Record<string, string | null>;
  platform?: string;
  /** Only "default" builds here: the daemon refuses any other, as dockerd on Linux does. */
  isolation?: string;
  memory?: number;
  memorySwap?: number;
  shmSize?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  cgroupParent?: string;
  /** X-Registry-Config: the credentials of every registry the build may pull from, by server. */
  registryConfig: Record<string, AuthConfig>;
  /** Further headers, for a daemon's own extensions (berth build's secrets). */
  headers?: Record<string, string>;
}

export class Images {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  list(options: { all: boolean; filters?: Record<string, string[]> }): Promise<ImageSummary[]> {
    return this.#t.get('/images/json', { all: options.all, ...filtersQuery(options.filters) });
  }

  inspect(ref: string): Promise<ImageInspect> {
    return this.#t.get(`/images/${imagePath(ref)}/json`);
  }

  history(ref: string): Promise<ImageHistoryEntry[]> {
    return this.#t.get(`/images/${imagePath(ref)}/history`);
  }

  async tag(ref: string, target: { repo: string; tag?: string }): Promise<void> {
    await this.#t.post(`/images/${imagePath(ref)}/tag`, { query: { repo: target.repo, tag: target.tag } });
  }

  async remove(ref: string, options: { force: boolean; noprune: boolean }): Promise<DeleteResponseItem[]> {
    const { body } = await this.#t.request<DeleteResponseItem[] | undefined>('DELETE', `/images/${imagePath(ref)}`, {
      query: { force: options.force, noprune: options.noprune },
    });
    return body ?? [];
  }

  prune(filters: Record<string, string[]>): Promise<ImagesPruneReport> {
    return this.#t.post('/images/prune', { query: filtersQuery(filters) });
  }

  /** Pulls `fromImage` (a reference with its tag or digest); the answer is a progress stream. */
  pull(fromImage: string, options: { platform?: string; registryAuth: string }): Promise<ApiResponse> {
    return this.#t.stream('POST', '/images/create', {
      query: { fromImage, ...(options.platform ? { platform: options.platform } : {}) },
      headers: { 'X-Registry-Auth': options.registryAuth },
    });
  }

  /** Pushes `name` (a repository without its tag); the answer is a progress stream. */
  push(name: string, options: { tag?: string; registryAuth: string }): Promise<ApiResponse> {
    return this.#t.stream('POST', `/images/${imagePath(name)}/push`, {
      query: { tag: options.tag },
      headers: { 'X-Registry-Auth': options.registryAuth },
    });
  }

  /** An image from a tar of a file system (fromSrc=-); the answer is a progress stream. */
  import(content: NodeJS.ReadableStream, options: ImportOptions): Promise<ApiResponse> {
    return this.#t.stream('POST', '/images/create', {
      query: { fromSrc: '-', repo: options.repo, tag: options.tag, message: options.message, changes: options.changes },
      stream: content,
    });
  }

  /** The images as a `docker save` tar stream. */
  save(names: readonly string[]): Promise<ApiResponse> {
    return this.#t.stream('GET', '/images/get', { query: { names } });
  }

  /** Builds an image from a context tar (empty with `remote`); the answer is a progress stream. */
  build(context: NodeJS.ReadableStream, o: BuildOptions): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...o.headers, 'Content-Type': 'application/x-tar' };
    if (Object.keys(o.registryConfig).length > 0) headers['X-Registry-Config'] = Buffer.from(JSON.stringify(o.registryConfig)).toString('base64');
    const some = (n: number | undefined) => n || undefined;
    return this.#t.stream('POST', '/build', {
      query: {
        t: o.tags,
        dockerfile: o.dockerfile,
        remote: o.remote,
        q: o.quiet || undefined,
        nocache: o.noCache || undefined,
        pull: o.pull || undefined,
        rm: o.rm,
        forcerm: o.forceRm || undefined,
        target: o.target || undefined,
        networkmode: o.networkMode || undefined,
        extrahosts: o.extraHosts,
        cachefrom: o.cacheFrom.length ? JSON.stringify(o.cacheFrom) : undefined,
        buildargs: JSON.stringify(o.buildArgs),
        labels: JSON.stringify(o.labels),
        platform: o.platform || undefined,
        isolation: o.isolation || undefined,
        memory: some(o.memory),
        memswap: some(o.memorySwap),
        shmsize: some(o.shmSize),
        cpushares: some(o.cpuShares),
        cpuperiod: some(o.cpuPeriod),
        cpuquota: some(o.cpuQuota),
        cpusetcpus: o.cpusetCpus || undefined,
        cpusetmems: o.cpusetMems || undefined,
        cgroupparent: o.cgroupParent || undefined,
      },
      stream: context,
      headers,
    });
  }

  /** Loads a `docker save` tar; the answer is a progress stream. */
  load(content: NodeJS.ReadableStream, options: { quiet: boolean }): Promise<ApiResponse> {
    return this.#t.stream('POST', '/images/load', { query: { quiet: options.quiet }, stream: content, headers: { 'Content-Type': 'application/x-tar' } });
  }
}
