// One repository on one registry endpoint (Registry HTTP API v2 / OCI distribution spec):
// manifests, blobs, uploads and tags, each request authorised (and re-tried once after learning a
// 401 challenge) and, when idempotent, retried on transient failures.
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AuthSession } from './auth.ts';
import { errorFrom, header, readBody, RegistryError, send } from './transport.ts';

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
  /** Statuses the caller handles itself (not turned into errors). */
  accept?: number[];
}

export const retryDelays = [250, 500, 1000, 2000];

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    }, { once: true });
  });
}

export function isTransient(err: unknown): boolean {
  if (err instanceof RegistryError) return err.transient;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNREFUSED';
}

export class RepositoryClient {
  readonly session: AuthSession;
  /** The repository path ("library/busybox"). */
  readonly path: string;
  #scopes: string[];

  constructor(session: AuthSession, path: string, actions: string[], extraScopes: string[] = []) {
    this.session = session;
    this.path = path;
    this.#scopes = [...(actions.length ? [`repository:${path}:${actions.join(',')}`] : []), ...extraScopes];
  }

  url(rel: string): URL {
    return new URL(rel.startsWith('/') || /^https?:/.test(rel) ? rel : `/v2/${this.path}/${rel}`, this.session.endpoint.base);
  }

  /** One authorised request; a 401 teaches the challenge and the request is sent once more. */
  async request(method: string, url: URL, o: RequestOptions = {}): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.session.authorization(method, url, this.#scopes, o.signal);
      const headers = { ...(o.headers ?? {}), ...(authorization ? { Authorization: authorization } : {}) };
      const res = await send(method, url, { headers, insecureTls: this.session.endpoint.insecureTls, ...(o.body ? { body: o.body } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      const status = res.statusCode ?? 0;
      if (status === 401 && attempt === 0 && !this.session.hasChallenge && this.session.learn(res) && (o.body === undefined || Buffer.isBuffer(o.body))) {
        res.resume();
        continue;
      }
      if ((status >= 200 && status < 300) || o.accept?.includes(status)) return res;
      throw await errorFrom(res, method, url);
    }
  }

  /** An idempotent request retried on transient failures. */
  async requestRetrying(method: string, url: URL, o: RequestOptions = {}): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.request(method, url, o);
      } catch (err) {
        if (!isTransient(err) || attempt >= retryDelays.length - 1 || o.signal?.aborted) throw err;
        await sleep(retryDelays[attempt], o.signal);
      }
    }
  }

  async getManifest(reference: string, accept: string[], signal?: AbortSignal): Promise<{ body: Buffer; contentType: string; digest: string }> {
    const res = await this.requestRetrying('GET', this.url(`manifests/${reference}`), { headers: { Accept: accept.join(', ') }, ...(signal ? { signal } : {}) });
    const body = await readBody(res, 4 * 1024 * 1024);
    return { body, contentType: (header(res.headers, 'content-type') ?? '').split(';')[0].trim(), digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
  }

  /** HEAD of a blob: its size, or undefined when the repository lacks it. */
  async blobExists(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    const res = await this.requestRetrying('HEAD', this.url(`blobs/${digest}`), { accept: [404], ...(signal ? { signal } : {}) });
    res.resume();
    if (res.statusCode === 404) return undefined;
    return Number(header(res.headers, 'content-length') ?? 0);
  }

  /** The blob's body stream (redirects to storage followed, without our Authorization). */
  async getBlob(digest: string, signal?: AbortSignal): Promise<IncomingMessage> {
    let res = await this.requestRetrying('GET', this.url(`blobs/${digest}`), { accept: [301, 302, 303, 307, 308], ...(signal ? { signal } : {}) });
    for (let hops = 0; res.statusCode! >= 300 && res.statusCode! < 400; hops++) {
      res.resume();
      const location = header(res.headers, 'location');
      if (!location || hops > 5) throw new RegistryError(`too many redirects fetching blob ${digest}`, { status: res.statusCode ?? 0, transient: false });
      const next = new URL(location, this.url(`blobs/${digest}`));
      res = await send('GET', next, { insecureTls: this.session.endpoint.insecureTls, ...(signal ? { signal } : {}) });
      if ((res.statusCode ?? 0) >= 400) throw await errorFrom(res, 'GET', next);
    }
    return res;
  }

  /** Starts an upload; with `mount`, asks for a cross-repository mount first (201 = mounted). */
  async startUpload(o: { mount?: { digest: string; from: string }; signal?: AbortSignal } = {}): Promise<{ mounted: boolean; location?: URL }> {
    const url = this.url('blobs/uploads/');
    if (o.mount) {
      url.searchParams.set('mount', o.mount.digest);
      url.searchParams.set('from', o.mount.from);
    }
    const res = await this.requestRetrying('POST', url, { ...(o.signal ? { signal: o.signal } : {}) });
    res.resume();
    if (res.statusCode === 201) return { mounted: true };
    const location = header(res.headers, 'location');
    if (!location) throw new RegistryError('the registry started an upload without a Location', { status: res.statusCode ?? 0, transient: false });
    return { mounted: false, location: new URL(location, url) };
  }

  /** A streamed PATCH of the whole body (chunked transfer encoding); returns the next Location. */
  async patchUpload(location: URL, body: Readable, signal?: AbortSignal): Promise<URL> {
    const res = await this.request('PATCH', location, { body, headers: { 'Content-Type': 'application/octet-stream' }, ...(signal ? { signal } : {}) });
    res.resume();
    return new URL(header(res.headers, 'location') ?? location.href, location);
  }

  /** One chunk of a chunked upload (Content-Range from `offset`); returns the next Location. */
  async patchChunk(location: URL, chunk: Buffer, offset: number, signal?: AbortSignal): Promise<URL> {
    const res = await this.request('PATCH', location, {
      body: chunk,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
      ...(signal ? { signal } : {}),
    });
    res.resume();
    return new URL(header(res.headers, 'location') ?? location.href, location);
  }

  /** Completes an upload: PUT ?digest=, with the body (monolithic) or without (after PATCH). */
  async finishUpload(location: URL, digest: string, body?: Buffer, signal?: AbortSignal): Promise<void> {
    const url = new URL(location.href);
    url.searchParams.set('digest', digest);
    const res = await this.request('PUT', url, { ...(body ? { body, headers: { 'Content-Type': 'application/octet-stream' } } : {}), ...(signal ? { signal } : {}) });
    res.resume();
  }

  async cancelUpload(location: URL): Promise<void> {
    await this.request('DELETE', location, { accept: [404, 405] }).then((r) => r.resume(), () => {});
  }

  async putManifest(reference: string, body: Buffer, mediaType: string, signal?: AbortSignal): Promise<string | undefined> {
    const res = await this.requestRetrying('PUT', this.url(`manifests/${reference}`), { body, headers: { 'Content-Type': mediaType }, ...(signal ? { signal } : {}) });
    res.resume();
    return header(res.headers, 'docker-content-digest');
  }

  async tags(signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    let url: URL | undefined = this.url('tags/list');
    while (url) {
      const res = await this.requestRetrying('GET', url, { ...(signal ? { signal } : {}) });
      const body = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(header(res.headers, 'link') ?? '');
      url = link ? new URL(link[1], url) : undefined;
    }
    return out;
  }
}
