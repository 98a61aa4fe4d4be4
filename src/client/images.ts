// /images/*: listing, inspection, tags, removal, and the streamed transfers (pull, push, import,
// save, load), whose progress comes back as JSON messages (see jsonMessages).
import type { IncomingMessage } from 'node:http';
import type { DeleteResponseItem, ImageHistoryEntry, ImageInspect, ImageSummary, ImagesPruneReport } from '../types/index.ts';
import { filtersQuery, imagePath } from './paths.ts';
import type { Transport } from './transport.ts';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  message?: string;
  changes: readonly string[];
}

/** POST /build's parameters (dockerd's classic build protocol). */
export interface BuildOptions {
  tags: readonly string[];
  /** The Dockerfile's path inside the context. */
  dockerfile?: string;
  /** null: the variable declared without a value (taken from the Dockerfile's ARG default). */
  buildArgs?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  cacheFrom?: readonly string[];
  networkMode?: string;
  extraHosts?: readonly string[];
  shmSize?: number;
  noCache?: boolean;
  pull?: boolean;
  platform?: string;
  isolation?: string;
  quiet?: boolean;
  /** X-Registry-Config: credentials for the base images' registries. */
  registryConfig?: Record<string, unknown>;
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
  pull(fromImage: string, options: { platform?: string; registryAuth: string }): Promise<IncomingMessage> {
    return this.#t.stream('POST', '/images/create', {
      query: { fromImage, ...(options.platform ? { platform: options.platform } : {}) },
      headers: { 'X-Registry-Auth': options.registryAuth },
    });
  }

  /** Pushes `name` (a repository without its tag); the answer is a progress stream. */
  push(name: string, options: { tag?: string; registryAuth: string }): Promise<IncomingMessage> {
    return this.#t.stream('POST', `/images/${imagePath(name)}/push`, {
      query: { tag: options.tag },
      headers: { 'X-Registry-Auth': options.registryAuth },
    });
  }

  /** An image from a tar of a file system (fromSrc=-); the answer is a progress stream. */
  import(content: NodeJS.ReadableStream, options: ImportOptions): Promise<IncomingMessage> {
    return this.#t.stream('POST', '/images/create', {
      query: { fromSrc: '-', repo: options.repo, tag: options.tag, message: options.message, changes: options.changes },
      stream: content,
    });
  }

  /**
   * Builds an image from a context tar stream; the answer is the build's JSON message stream
   * (`stream` lines, `aux` with the image ID, `errorDetail` on failure).
   */
  build(context: NodeJS.ReadableStream, options: BuildOptions): Promise<IncomingMessage> {
    const json = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));
    return this.#t.stream('POST', '/build', {
      query: {
        t: options.tags,
        dockerfile: options.dockerfile,
        buildargs: options.buildArgs && Object.keys(options.buildArgs).length > 0 ? json(options.buildArgs) : undefined,
        target: options.target || undefined,
        labels: options.labels && Object.keys(options.labels).length > 0 ? json(options.labels) : undefined,
        cachefrom: options.cacheFrom && options.cacheFrom.length > 0 ? json(options.cacheFrom) : undefined,
        networkmode: options.networkMode || undefined,
        extrahosts: options.extraHosts && options.extraHosts.length > 0 ? options.extraHosts : undefined,
        shmsize: options.shmSize || undefined,
        nocache: options.noCache || undefined,
        pull: options.pull || undefined,
        platform: options.platform || undefined,
        isolation: options.isolation || undefined,
        q: options.quiet || undefined,
        rm: true,
        forcerm: true,
      },
      stream: context,
      headers: {
        'Content-Type': 'application/x-tar',
        ...(options.registryConfig ? { 'X-Registry-Config': Buffer.from(JSON.stringify(options.registryConfig)).toString('base64url') } : {}),
      },
    });
  }

  /** The images as a `docker save` tar stream. */
  save(names: readonly string[]): Promise<IncomingMessage> {
    return this.#t.stream('GET', '/images/get', { query: { names } });
  }

  /** Loads a `docker save` tar; the answer is a progress stream. */
  load(content: NodeJS.ReadableStream, options: { quiet: boolean }): Promise<IncomingMessage> {
    return this.#t.stream('POST', '/images/load', { query: { quiet: options.quiet }, stream: content, headers: { 'Content-Type': 'application/x-tar' } });
  }
}
