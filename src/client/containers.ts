// /containers/*: lifecycle, listing, logs, attach, and the container-level verbs of the API
// (export, changes, commit).
import type { Duplex, Readable } from 'node:stream';
import type {
  ContainerChange,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerTopResponse,
  ContainerWaitResponse,
  CreateContainerRequest,
  HostConfig,
} from '../types/index.ts';
import { filtersQuery, segment } from './paths.ts';
import type { ApiResponse, Transport } from './transport.ts';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface StopOptions {
  /** Seconds to wait before killing. */
  t?: number;
  signal?: string;
}

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  /** Prefix each line with the attributes log-opt labels/env/tag add. */
  details?: boolean;
  tail: string;
  /** Unix time "seconds.nanoseconds". */
  since?: string;
  until?: string;
}

export interface AttachOptions {
  stream: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
}

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes: readonly string[];
  pause: boolean;
}

export class Containers {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  create(body: CreateContainerRequest, options: { name?: string; platform?: string } = {}): Promise<ContainerCreateResponse> {
    return this.#t.post('/containers/create', { query: { name: options.name, platform: options.platform }, body });
  }

  list(options: { all: boolean; limit?: number; size: boolean; filters?: Record<string, string[]> }): Promise<ContainerSummary[]> {
    return this.#t.get('/containers/json', {
      all: options.all,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      size: options.size,
      ...filtersQuery(options.filters),
    });
  }

  inspect(ref: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    return this.#t.get(`/containers/${segment(ref)}/json`, options.size !== undefined ? { size: options.size } : undefined);
  }

  async start(ref: string): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/start`);
  }

  async stop(ref: string, options: StopOptions = {}): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/stop`, { query: { t: options.t, signal: options.signal } });
  }

  async restart(ref: string, options: StopOptions = {}): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/restart`, { query: { t: options.t, signal: options.signal } });
  }

  async kill(ref: string, options: { signal?: string } = {}): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/kill`, { query: { signal: options.signal } });
  }

  async remove(ref: string, options: { force: boolean; v: boolean; link: boolean }): Promise<void> {
    await this.#t.request('DELETE', `/containers/${segment(ref)}`, { query: { force: options.force, v: options.v, link: options.link } });
  }

  async rename(ref: string, name: string): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/rename`, { query: { name } });
  }

  /** POST /containers/prune: the containers that are not running, narrowed by filters. */
  prune(filters: Record<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    return this.#t.post('/containers/prune', { query: filtersQuery(filters) });
  }

  async pause(ref: string): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/pause`);
  }

  async unpause(ref: string): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/unpause`);
  }

  /** Waits for the condition (the daemon's default: not-running) and returns the exit. */
  wait(ref: string, condition?: WaitCondition): Promise<ContainerWaitResponse> {
    return this.#t.post(`/containers/${segment(ref)}/wait`, condition ? { query: { condition } } : {});
  }

  /**
   * Registers a wait and resolves once the daemon has it (the response head is in), so a start
   * that follows cannot outrun it; `exit` then settles when the condition is met. A body that is
   * not JSON (the daemon went away) rejects `exit` with JSON.parse's SyntaxError.
   */
  async waitFor(ref: string, condition: WaitCondition): Promise<{ exit: Promise<ContainerWaitResponse> }> {
    const res = await this.#t.stream('POST', `/containers/${segment(ref)}/wait`, { query: { condition } });
    const exit = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString()) as ContainerWaitResponse;
    })();
    // Settled by whoever awaits it; unobserved when the session ended by detaching.
    exit.catch(() => {});
    return { exit };
  }

  /** The log stream: multiplexed, or raw for a container with a tty. */
  logs(ref: string, options: LogsOptions): Promise<ApiResponse> {
    return this.#t.stream('GET', `/containers/${segment(ref)}/logs`, {
      query: {
        stdout: options.stdout,
        stderr: options.stderr,
        follow: options.follow,
        timestamps: options.timestamps,
        ...(options.details ? { details: true } : {}),
        tail: options.tail,
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.until !== undefined ? { until: options.until } : {}),
      },
    });
  }

  /** Takes over a connection carrying the container's streams both ways. */
  async attach(ref: string, options: AttachOptions): Promise<Duplex> {
    const { stream } = await this.#t.hijack(`/containers/${segment(ref)}/attach`, {
      query: { stream: options.stream, stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, detachKeys: options.detachKeys },
    });
    return stream;
  }

  async resize(ref: string, size: { h: number; w: number }): Promise<void> {
    await this.#t.post(`/containers/${segment(ref)}/resize`, { query: { h: size.h, w: size.w } });
  }

  top(ref: string, psArgs?: string): Promise<ContainerTopResponse> {
    return this.#t.get(`/containers/${segment(ref)}/top`, { ps_args: psArgs });
  }

  /** New resource limits and restart policy (docker's UpdateConfig: zero values change nothing). */
  update(ref: string, body: Partial<HostConfig> & { KernelMemory?: number }): Promise<{ Warnings: string[] | null }> {
    return this.#t.post(`/containers/${segment(ref)}/update`, { body });
  }

  /** The stats stream: one JSON document per line, one only without `stream`. */
  stats(ref: string, options: { stream: boolean; oneShot?: boolean }): Promise<ApiResponse> {
    return this.#t.stream('GET', `/containers/${segment(ref)}/stats`, { query: { stream: options.stream, ...(options.oneShot ? { 'one-shot': true } : {}) } });
  }

  /** The container's file system as a tar stream. */
  export(ref: string): Promise<Readable> {
    return this.#t.stream('GET', `/containers/${segment(ref)}/export`);
  }

  changes(ref: string): Promise<ContainerChange[] | null> {
    return this.#t.get(`/containers/${segment(ref)}/changes`);
  }

  /** A new image from the container's changes (POST /commit). */
  commit(ref: string, options: CommitOptions): Promise<{ Id: string }> {
    return this.#t.post('/commit', {
      query: {
        container: ref,
        repo: options.repo,
        tag: options.tag,
        comment: options.comment,
        author: options.author,
        changes: options.changes,
        pause: options.pause,
      },
    });
  }
}
