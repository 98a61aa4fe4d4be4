// The HTTP edge of the registry: /v2/ (the OCI distribution API), /auth/token (the built-in
// token service) and /ui/ (the web UI). Each request is matched to a route (names checked before
// anything touches the disk), authorised for the access it needs, then handled against the
// storage — or the pull-through cache in proxy mode. Errors become the spec's JSON in one place.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isRepositoryPath } from '../image/index.ts';
import type { Logger } from '../lib/index.ts';
import { covers, parseBasic, requiredAccess, type Access, type AccessPolicy, type Authenticator, type TokenIssuer } from './auth.ts';
import type { RegistryConfig } from './config.ts';
import { apiError, RegistryApiError } from './errors.ts';
import { maxManifestSize, parseManifest } from './manifest.ts';
import { paginate, parsePageSize } from './paginate.ts';
import type { PullThrough } from './proxy.ts';
import { parseRequestRange, parseUploadRange, uploadRangeHeader } from './range.ts';
import { checkDigest, matchRoute, type Route } from './routes.ts';
import type { RegistryStorage, StoredManifest } from './storage.ts';
import type { UiAssets } from './ui-assets.ts';

export interface RegistryAppOptions {
  config: RegistryConfig;
  storage: RegistryStorage;
  log: Logger;
  auth: Authenticator;
  policy: AccessPolicy;
  issuer?: TokenIssuer;
  proxy?: PullThrough;
  ui?: UiAssets;
  /** Whether the storage answers (health.storagedriver); a false makes every API request 503. */
  healthy?: () => boolean;
}

const allowedMethods: Record<Route['kind'], string> = {
  base: 'GET',
  catalog: 'GET',
  tags: 'GET',
  manifest: 'GET, HEAD, PUT, DELETE',
  blob: 'GET, HEAD, DELETE',
  'upload-start': 'POST',
  upload: 'GET, HEAD, PATCH, PUT, DELETE',
  referrers: 'GET',
};

const apiVersionHeader = { 'Docker-Distribution-API-Version': 'registry/2.0' };
const json = 'application/json; charset=utf-8';

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  user: string | undefined;
  /** Scheme and host of this request, for absolute Location headers (distribution's default). */
  origin: string;
}

export class RegistryApp {
  #o: RegistryAppOptions;

  constructor(o: RegistryAppOptions) {
    this.#o = o;
  }

  /** node:http's request listener. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    for (const [k, v] of Object.entries(this.#o.config.headers)) res.setHeader(k, v);
    res.on('finish', () => {
      if (!this.#o.config.log.accessLog) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.#o.log.info(`${req.method} ${req.url} ${res.statusCode}`, { duration: `${ms.toFixed(1)}ms`, remote: req.socket.remoteAddress, agent: req.headers['user-agent'] });
    });
    this.#dispatch(req, res).catch((err: unknown) => this.#fail(req, res, err));
  };

  #fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const e = err instanceof RegistryApiError ? err : undefined;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (req.socket.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      // the client went away mid-request (an upload it will resume, or a pull it gave up)
      this.#o.log.warn('client connection closed during the request', { method: req.method, url: req.url, error: String(code ?? (err as Error)?.message) });
      if (!res.headersSent && !res.destroyed) res.destroy();
      return;
    }
    if (!e) this.#o.log.error('request failed', { method: req.method, url: req.url, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const out = e ?? apiError('UNKNOWN', { message: err instanceof Error ? err.message : String(err) });
    const body = out.body();
    res.writeHead(out.status, { ...apiVersionHeader, 'Content-Type': json, 'Content-Length': Buffer.byteLength(body), ...out.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
    // An unread request body (a refused upload) would otherwise stall the connection.
    if (!req.complete) req.resume();
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0].trim() ?? (secure ? 'https' : 'http');
    const origin = this.#o.config.host ?? `${proto}://${req.headers.host ?? 'localhost'}`;

    if (path === '/' && this.#o.ui) {
      res.writeHead(302, { Location: '/ui/' }).end();
      return;
    }
    if (path === '/ui' || path.startsWith('/ui/')) return this.#ui(req, res, path);
    if (path === '/auth/token' && this.#o.issuer) return this.#token(req, res, query);
    if (!path.startsWith('/v2')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    for (const [k, v] of Object.entries(apiVersionHeader)) res.setHeader(k, v);
    const route = matchRoute(path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const method = req.method ?? 'GET';
    // CORS preflights carry no credentials: answered before auth, as distribution does, so
    // browser UIs on another origin (the seeds' docker-registry-ui) work with http.headers.
    if (method === 'OPTIONS') {
      res.writeHead(200, { Allow: allowedMethods[route.kind], 'Content-Length': 0 }).end();
      return;
    }
    if (this.#o.healthy && !this.#o.healthy()) throw apiError('UNAVAILABLE', { message: 'storage driver is unhealthy' });
    const mountFrom = route.kind === 'upload-start' && query.get('mount') && query.get('from') ? query.get('from')! : undefined;
    const needed = requiredAccess(method, 'name' in route ? route.name : undefined, { catalog: route.kind === 'catalog', ...(mountFrom ? { mountFrom } : {}) });
    const user = await this.#authorize(req, route, needed, origin);
    const ctx: Ctx = { req, res, query, user, origin };
    const write = method !== 'GET' && method !== 'HEAD';
    if (write && (route.kind !== 'base' && route.kind !== 'catalog')) {
      if (this.#o.proxy) throw apiError('UNSUPPORTED', { message: 'The operation is unsupported.', detail: 'the registry is a pull-through cache: pushes and deletes are not allowed' });
      if (this.#o.config.readOnly) throw apiError('UNSUPPORTED', { detail: 'the registry is in read-only mode' });
    }
    switch (route.kind) {
      case 'base':
        return this.#send(ctx, 200, '{}', { 'Content-Type': json });
      case 'catalog':
        return this.#only(method, ['GET'], () => this.#catalog(ctx));
      case 'tags':
        return this.#only(method, ['GET'], () => this.#tags(ctx, route.name));
      case 'manifest':
        if (method === 'GET' || method === 'HEAD') return this.#getManifest(ctx, route);
        if (method === 'PUT') return this.#putManifest(ctx, route);
        if (method === 'DELETE') return this.#deleteManifest(ctx, route);
        throw notAllowed(method);
      case 'blob':
        if (method === 'GET' || method === 'HEAD') return this.#getBlob(ctx, route.name, route.digest);
        if (method === 'DELETE') return this.#deleteBlob(ctx, route.name, route.digest);
        throw notAllowed(method);
      case 'upload-start':
        return this.#only(method, ['POST'], () => this.#startUpload(ctx, route.name));
      case 'upload':
        return this.#upload(ctx, route.name, route.uuid);
      case 'referrers':
        return this.#only(method, ['GET'], () => this.#referrers(ctx, route.name, route.digest));
    }
  }

  async #only(method: string, allowed: string[], fn: () => Promise<void>): Promise<void> {
    if (!allowed.includes(method) && !(method === 'HEAD' && allowed.includes('GET'))) throw notAllowed(method);
    return fn();
  }

  /** Authenticates the request and checks it may do what it asks; returns the user. */
  async #authorize(req: IncomingMessage, route: Route, needed: Access[], origin: string): Promise<string | undefined> {
    const { auth, config } = this.#o;
    if (config.auth.kind === 'none') return undefined;
    const ui = req.headers['x-berth-ui'] === '1';
    // The web UI asks for credentials in its own form; a Basic challenge would open the browser's.
    const rename = (headers: Record<string, string>): Record<string, string> =>
      ui && headers['WWW-Authenticate'] ? { 'X-Berth-Authenticate': headers['WWW-Authenticate'] } : headers;
    const challenge = (error?: string) => rename({ 'WWW-Authenticate': auth.challenge(needed, error, origin) });
    let result;
    try {
      result = await auth.authenticate(req.headers.authorization, needed);
    } catch (err) {
      if (err instanceof RegistryApiError && err.code === 'UNAUTHORIZED') throw apiError('UNAUTHORIZED', { message: err.message, headers: challenge(config.auth.kind === 'token' ? 'invalid_token' : undefined) });
      throw err;
    }
    if (result.user === undefined && (route.kind === 'base' || !covers(result.granted, needed))) {
      if (route.kind === 'base' && config.auth.kind === 'token' && req.headers.authorization && /^bearer /i.test(req.headers.authorization)) return undefined;
      throw apiError('UNAUTHORIZED', { headers: challenge(), detail: needed.map((a) => ({ Type: a.type, Name: a.name, Action: a.actions.join(',') })) });
    }
    if (!covers(result.granted, needed)) {
      if (config.auth.kind === 'token') throw apiError('UNAUTHORIZED', { headers: challenge('insufficient_scope'), detail: needed.map((a) => ({ Type: a.type, Name: a.name, Action: a.actions.join(',') })) });
      throw apiError('DENIED');
    }
    return result.user;
  }

  #send(ctx: Ctx, status: number, body: string | Buffer, headers: Record<string, string | number> = {}): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    ctx.res.writeHead(status, { 'Content-Length': buf.length, ...headers });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : buf);
  }

  #location(ctx: Ctx, path: string): string {
    return this.#o.config.relativeUrls ? path : `${ctx.origin}${path}`;
  }

  // --- catalog and tags ------------------------------------------------------------------

  async #catalog(ctx: Ctx): Promise<void> {
    let repos = await this.#o.storage.repositories();
    const { policy, config } = this.#o;
    // With access rules, a user sees the repositories they may pull.
    if (policy.hasRules && config.auth.kind !== 'none') repos = repos.filter((r) => policy.actions(ctx.user, r).includes('pull'));
    const n = parsePageSize(ctx.query.get('n'), config.catalogMaxEntries) ?? config.catalogMaxEntries;
    const page = paginate(repos, { n, last: ctx.query.get('last'), path: '/v2/_catalog' });
    this.#send(ctx, 200, JSON.stringify({ repositories: page.items }), { 'Content-Type': json, ...(page.link ? { Link: page.link } : {}) });
  }

  async #tags(ctx: Ctx, name: string): Promise<void> {
    let tags: string[] | undefined;
    if (this.#o.proxy) tags = await this.#o.proxy.tags(name);
    else if (await this.#o.storage.repositoryExists(name)) tags = [...(await this.#o.storage.tagTargets(name)).keys()];
    if (tags === undefined) throw apiError('NAME_UNKNOWN', { detail: { name } });
    const page = paginate([...tags].sort(), { n: parsePageSize(ctx.query.get('n')), last: ctx.query.get('last'), path: `/v2/${name}/tags/list` });
    this.#send(ctx, 200, JSON.stringify({ name, tags: page.items }), { 'Content-Type': json, ...(page.link ? { Link: page.link } : {}) });
  }

  // --- manifests ---------------------------------------------------------------------------

  async #findManifest(name: string, reference: string, isDigest: boolean): Promise<StoredManifest> {
    if (this.#o.proxy) return this.#o.proxy.manifest(name, reference, isDigest);
    const { storage } = this.#o;
    const digest = isDigest ? reference : await storage.resolveTag(name, reference);
    const found = digest ? await storage.getManifest(name, digest) : undefined;
    if (!found) {
      if (!(await storage.repositoryExists(name))) throw apiError('NAME_UNKNOWN', { detail: { name } });
      throw apiError('MANIFEST_UNKNOWN', { detail: isDigest ? { Digest: reference } : { Tag: reference } });
    }
    return found;
  }

  async #getManifest(ctx: Ctx, route: Extract<Route, { kind: 'manifest' }>): Promise<void> {
    const m = await this.#findManifest(route.name, route.reference, route.isDigest);
    const etag = `"${m.digest}"`;
    if (ctx.req.headers['if-none-match'] === etag) {
      ctx.res.writeHead(304, { 'Docker-Content-Digest': m.digest, ETag: etag }).end();
      return;
    }
    this.#send(ctx, 200, m.body, { 'Content-Type': m.mediaType, 'Docker-Content-Digest': m.digest, ETag: etag });
  }

  async #putManifest(ctx: Ctx, route: Extract<Route, { kind: 'manifest' }>): Promise<void> {
    const body = await readLimited(ctx.req, maxManifestSize);
    const parsed = parseManifest(body, ctx.req.headers['content-type']);
    const digest = await this.#o.storage.putManifest(route.name, body, parsed, route.isDigest ? { digest: route.reference } : { tags: [route.reference] });
    this.#o.log.debug('manifest stored', { name: route.name, reference: route.reference, digest, user: ctx.user });
    this.#send(ctx, 201, '', {
      Location: this.#location(ctx, `/v2/${route.name}/manifests/${digest}`),
      'Docker-Content-Digest': digest,
      ...(parsed.subject ? { 'OCI-Subject': parsed.subject.digest } : {}),
    });
  }

  async #deleteManifest(ctx: Ctx, route: Extract<Route, { kind: 'manifest' }>): Promise<void> {
    if (!this.#o.config.deleteEnabled) throw apiError('UNSUPPORTED');
    const { storage } = this.#o;
    const deleted = route.isDigest ? await storage.deleteManifest(route.name, route.reference) : await storage.deleteTag(route.name, route.reference);
    if (!deleted) {
      if (!(await storage.repositoryExists(route.name))) throw apiError('NAME_UNKNOWN', { detail: { name: route.name } });
      throw apiError('MANIFEST_UNKNOWN', { detail: route.isDigest ? { Digest: route.reference } : { Tag: route.reference } });
    }
    this.#o.log.info('manifest deleted', { name: route.name, reference: route.reference, user: ctx.user });
    this.#send(ctx, 202, '');
  }

  // --- blobs ---------------------------------------------------------------------------------

  async #getBlob(ctx: Ctx, name: string, digest: string): Promise<void> {
    const { storage, proxy } = this.#o;
    const size = await storage.repoBlobSize(name, digest);
    const base = { 'Docker-Content-Digest': digest, ETag: `"${digest}"`, 'Cache-Control': 'max-age=31536000', 'Accept-Ranges': 'bytes' };
    if (size === undefined) {
      if (!proxy) throw apiError('BLOB_UNKNOWN', { detail: { digest } });
      if (ctx.req.method === 'HEAD') {
        const remote = await proxy.blobSize(name, digest);
        if (remote === undefined) throw apiError('BLOB_UNKNOWN', { detail: { digest } });
        ctx.res.writeHead(200, { ...base, 'Content-Type': 'application/octet-stream', 'Content-Length': remote }).end();
        return;
      }
      await proxy.fetchBlob(name, digest, ctx.res, (length) => {
        ctx.res.writeHead(200, { ...base, 'Content-Type': 'application/octet-stream', ...(length >= 0 ? { 'Content-Length': length } : {}) });
      });
      return;
    }
    const range = parseRequestRange(ctx.req.headers.range, size);
    const headers: Record<string, string | number> = { ...base, 'Content-Type': 'application/octet-stream' };
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['Content-Length'] = range.end - range.start + 1;
    } else headers['Content-Length'] = size;
    ctx.res.writeHead(range ? 206 : 200, headers);
    if (ctx.req.method === 'HEAD' || size === 0) {
      ctx.res.end();
      return;
    }
    await pipeline(storage.openBlob(digest, range), ctx.res).catch((err: NodeJS.ErrnoException) => {
      // the client went away: nothing to answer
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
    });
  }

  async #deleteBlob(ctx: Ctx, name: string, digest: string): Promise<void> {
    if (!this.#o.config.deleteEnabled) throw apiError('UNSUPPORTED');
    if (!(await this.#o.storage.unlinkBlob(name, digest))) throw apiError('BLOB_UNKNOWN', { detail: { digest } });
    this.#send(ctx, 202, '', { 'Docker-Content-Digest': digest });
  }

  // --- uploads -------------------------------------------------------------------------------

  #uploadHeaders(ctx: Ctx, name: string, uuid: string, size: number): Record<string, string> {
    return { Location: this.#location(ctx, `/v2/${name}/blobs/uploads/${uuid}`), Range: uploadRangeHeader(size), 'Docker-Upload-UUID': uuid };
  }

  async #startUpload(ctx: Ctx, name: string): Promise<void> {
    const { storage } = this.#o;
    const mount = ctx.query.get('mount');
    const from = ctx.query.get('from');
    if (mount && from) {
      checkDigest(mount);
      // An unknown or invalid `from` is no error: the client uploads instead (spec: 202).
      if (isRepositoryPath(from) && (await storage.repoBlobSize(from, mount)) !== undefined) {
        await storage.linkBlob(name, mount);
        await storage.touchBlob(mount);
        ctx.req.resume();
        return this.#send(ctx, 201, '', { Location: this.#location(ctx, `/v2/${name}/blobs/${mount}`), 'Docker-Content-Digest': mount });
      }
    } else if (mount && !from && (await storage.blobSize(mount)) !== undefined && (await storage.repoBlobSize(name, mount)) !== undefined) {
      ctx.req.resume();
      return this.#send(ctx, 201, '', { Location: this.#location(ctx, `/v2/${name}/blobs/${mount}`), 'Docker-Content-Digest': mount });
    }
    const digest = ctx.query.get('digest');
    if (digest) checkDigest(digest);
    const uuid = await storage.startUpload(name);
    if (digest) {
      // monolithic: POST ?digest= with the whole blob as the body
      await storage.finishUpload(name, uuid, digest, { body: ctx.req, ...contentLength(ctx.req) });
      return this.#send(ctx, 201, '', { Location: this.#location(ctx, `/v2/${name}/blobs/${digest}`), 'Docker-Content-Digest': digest });
    }
    ctx.req.resume();
    this.#send(ctx, 202, '', this.#uploadHeaders(ctx, name, uuid, 0));
  }

  async #upload(ctx: Ctx, name: string, uuid: string): Promise<void> {
    const { storage } = this.#o;
    switch (ctx.req.method) {
      case 'GET':
      case 'HEAD': {
        const size = await storage.uploadSize(name, uuid);
        return this.#send(ctx, 204, '', this.#uploadHeaders(ctx, name, uuid, size));
      }
      case 'PATCH': {
        const range = parseUploadRange(ctx.req.headers['content-range']);
        const size = await storage.appendUpload(name, uuid, ctx.req, { ...(range ? { range } : {}), ...contentLength(ctx.req) });
        return this.#send(ctx, 202, '', this.#uploadHeaders(ctx, name, uuid, size));
      }
      case 'PUT': {
        const digest = ctx.query.get('digest');
        if (!digest) {
          ctx.req.resume();
          throw apiError('DIGEST_INVALID', { message: 'digest missing', detail: 'PUT needs ?digest=' });
        }
        checkDigest(digest);
        const length = contentLength(ctx.req);
        const hasBody = (length.length ?? 0) > 0 || ctx.req.headers['transfer-encoding'] !== undefined;
        const range = parseUploadRange(ctx.req.headers['content-range']);
        await storage.finishUpload(name, uuid, digest, hasBody ? { body: ctx.req, ...length, ...(range ? { range } : {}) } : {});
        if (!hasBody) ctx.req.resume();
        this.#o.log.debug('blob stored', { name, digest, user: ctx.user });
        return this.#send(ctx, 201, '', { Location: this.#location(ctx, `/v2/${name}/blobs/${digest}`), 'Docker-Content-Digest': digest, 'Content-Range': uploadRangeHeader(0) });
      }
      case 'DELETE':
        await storage.cancelUpload(name, uuid);
        return this.#send(ctx, 204, '');
      default:
        throw notAllowed(ctx.req.method ?? '');
    }
  }

  // --- referrers -----------------------------------------------------------------------------

  async #referrers(ctx: Ctx, name: string, digest: string): Promise<void> {
    let manifests = await this.#o.storage.referrers(name, digest);
    const artifactType = ctx.query.get('artifactType');
    const headers: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.index.v1+json' };
    if (artifactType) {
      manifests = manifests.filter((m) => m.artifactType === artifactType);
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    this.#send(ctx, 200, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }), headers);
  }

  // --- the token service and the UI -------------------------------------------------------

  async #token(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const issuer = this.#o.issuer!;
    let credentials = parseBasic(req.headers.authorization);
    let service = query.get('service');
    let scopes = query.getAll('scope');
    let oauth = false;
    if (req.method === 'POST') {
      // OAuth2 password grant (docker's token spec): a form body
      const form = new URLSearchParams((await readLimited(req, 64 * 1024)).toString('utf8'));
      if (form.get('grant_type') !== 'password') throw apiError('UNSUPPORTED', { status: 400, message: `unsupported grant_type ${JSON.stringify(form.get('grant_type'))}` });
      credentials = { user: form.get('username') ?? '', password: form.get('password') ?? '' };
      service = form.get('service');
      scopes = form.getAll('scope');
      oauth = true;
    } else if (req.method !== 'GET') throw notAllowed(req.method ?? '');
    const t = await issuer.issue(credentials, service, scopes);
    const body = JSON.stringify(oauth ? { access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt, scope: scopes.join(' ') } : { token: t.token, access_token: t.token, expires_in: t.expiresIn, issued_at: t.issuedAt });
    res.writeHead(200, { 'Content-Type': json, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' }).end(body);
  }

  #ui(req: IncomingMessage, res: ServerResponse, path: string): void {
    const ui = this.#o.ui;
    if (!ui) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (path === '/ui') {
      res.writeHead(301, { Location: '/ui/' }).end();
      return;
    }
    const { config } = this.#o;
    const name = path.slice(4) || 'index.html';
    const asset =
      name === 'config.json'
        ? {
            type: json,
            body: JSON.stringify({ title: config.ui.title, deleteEnabled: config.deleteEnabled && !config.readOnly && !this.#o.proxy, auth: config.auth.kind, proxy: !!this.#o.proxy, readOnly: config.readOnly }),
          }
        : ui.get(name);
    if (!asset) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const body = Buffer.from(asset.body);
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function notAllowed(method: string) {
  return apiError('UNSUPPORTED', { status: 405, detail: { method } });
}

function contentLength(req: IncomingMessage): { length?: number } {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d+$/.test(v) ? { length: Number(v) } : {};
}

/** Reads a small body whole; a larger one than `limit` is refused with 413 (the rest is drained). */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = contentLength(req).length;
  if (declared !== undefined && declared > limit) {
    req.resume();
    return Promise.reject(apiError('SIZE_INVALID', { status: 413, message: 'manifest too large', detail: { size: declared, max: limit } }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        reject(apiError('SIZE_INVALID', { status: 413, message: 'manifest too large', detail: { max: limit } }));
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => {
      if (declared !== undefined && n !== declared) reject(apiError('SIZE_INVALID', { detail: { expected: declared, received: n } }));
      else resolve(Buffer.concat(chunks));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}
