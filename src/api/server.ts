// The Engine API's HTTP server: version prefixes and negotiation, JSON bodies, errors mapped once,
// dockerd's headers, and connection hijacking (Upgrade: tcp) for attach and exec.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import { InvalidArgument, NotFound, errorMessage } from '../errors/index.ts';
import type { Logger } from '../lib/index.ts';
import { BodyTooLarge, parseJsonBody, readJsonBody } from './body.ts';
import { httpStatus } from './errors.ts';
import { sendJson } from './json.ts';
import { readQuery } from './query.ts';
import type { RequestContext, Router } from './router.ts';

export const apiVersion = '1.43';
export const minApiVersion = '1.24';

export interface ServerInfo {
  version: string;
}

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}

function commonHeaders(info: ServerInfo): Record<string, string> {
  return {
    'Api-Version': apiVersion,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Docker/${info.version} (linux)`,
  };
}

/** Splits "/v1.43/containers/json" into the version and the rest. */
function parseVersion(pathname: string): { version: string | undefined; path: string } {
  const m = /^\/v(\d+\.\d+)(\/.*)?$/.exec(pathname);
  if (!m) return { version: undefined, path: pathname };
  return { version: m[1], path: m[2] ?? '/' };
}

/**
 * The request target as a URL. A path such as "//" is a network-path reference to URL parsing
 * (it would take "" as a host and fail); the Engine API only has absolute paths, so the target is
 * always read as a path.
 */
export function requestUrl(target: string | undefined): URL {
  const raw = target && target.startsWith('/') ? target : `/${target ?? ''}`;
  try {
    return new URL(`http://localhost${raw}`);
  } catch {
    throw new InvalidArgument(`invalid request path: ${raw}`);
  }
}

/** A path the router knows under another method. */
class MethodNotAllowed extends Error {
  constructor() {
    super('method not allowed');
  }
}

/**
 * The body of a request that asked for an upgrade: the parser stopped at its head, so the body is
 * what it read past the head (`head`) and then the socket, up to Content-Length.
 */
class UpgradedBody {
  #socket: Socket;
  #buffered: Buffer;
  #remaining: number;
  #leftover = Buffer.alloc(0);

  constructor(req: IncomingMessage, upgraded: { socket: Socket; head: Buffer }) {
    if (req.headers['transfer-encoding'] !== undefined) throw new InvalidArgument('a chunked request body cannot be combined with Upgrade');
    const length = Number(req.headers['content-length'] ?? 0);
    if (!Number.isSafeInteger(length) || length < 0) throw new InvalidArgument('invalid Content-Length');
    this.#socket = upgraded.socket;
    this.#buffered = upgraded.head;
    this.#remaining = length;
  }

  /** The whole body (small bodies: JSON). */
  async read(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.stream()) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** What the client sent after the body (the start of a hijacked stream). */
  leftover(): Buffer {
    return this.#leftover;
  }

  stream(): Readable {
    const take = (chunk: Buffer): Buffer => {
      const body = chunk.subarray(0, this.#remaining);
      this.#remaining -= body.length;
      if (body.length < chunk.length) this.#leftover = Buffer.concat([this.#leftover, chunk.subarray(body.length)]);
      return body;
    };
    const first = take(this.#buffered);
    this.#buffered = Buffer.alloc(0);
    const sock = this.#socket;
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    if (first.length) out.write(first);
    const pump = () => {
      if (this.#remaining === 0) {
        out.end();
        return;
      }
      const onData = (d: Buffer) => {
        const body = take(d);
        if (this.#remaining === 0) {
          sock.pause();
          cleanup();
          out.end(body);
        } else if (!out.write(body)) {
          sock.pause();
          out.once('drain', () => sock.resume());
        }
      };
      const onEnd = () => {
        cleanup();
        out.destroy(new InvalidArgument('request body ended early'));
      };
      const cleanup = () => {
        sock.off('data', onData);
        sock.off('end', onEnd);
      };
      sock.on('data', onData);
      sock.once('end', onEnd);
      sock.resume();
    };
    pump();
    return out;
  }
}

export interface TlsOptions {
  cert: Buffer;
  key: Buffer;
  /** When set, clients must present a certificate signed by this CA (--tlsverify). */
  ca?: Buffer;
}

export function createApiServer(router: Router, options: { log: Logger; info: ServerInfo; tls?: TlsOptions }): http.Server {
  const { log, info } = options;
  const headers = commonHeaders(info);

  /**
   * `upgraded` is set for requests that asked to take over the connection (Upgrade: tcp). Those
   * get an ordinary response on their socket too, so that any route answers them as it would
   * answer a plain request; only a handler that hijacks the connection switches protocols.
   */
  const dispatch = async (req: IncomingMessage, res: ServerResponse, upgraded: { socket: Socket; head: Buffer } | undefined): Promise<void> => {
    const ac = new AbortController();
    const onGone = () => ac.abort(new Error('client disconnected'));
    // Kept: req.socket is null once a kept-alive response has released its socket.
    const socket = upgraded?.socket ?? req.socket;
    socket.once('close', onGone);
    let hijacked = false;
    let pathname = req.url ?? '/';

    const fail = (err: unknown) => {
      const status = err instanceof MethodNotAllowed ? 405 : httpStatus(err);
      const message = errorMessage(err);
      if (status >= 500) log.error('handler failed', { method: req.method, path: pathname, error: message });
      else log.debug('request failed', { method: req.method, path: pathname, status, error: message });
      if (hijacked || res.headersSent) {
        // The stream has begun: all that can be said now is that it ends early.
        if (hijacked) upgraded?.socket.destroy();
        else res.destroy();
        return;
      }
      // The rest of a huge body is not worth reading: end the connection after the answer.
      if (err instanceof BodyTooLarge && err.unread) res.setHeader('Connection', 'close');
      if (status === 304) {
        res.writeHead(304, headers).end();
        return;
      }
      sendJson(res, status, { message }, headers);
    };

    try {
      const url = requestUrl(req.url);
      pathname = url.pathname;
      const { version, path } = parseVersion(url.pathname);
      if (version !== undefined) {
        if (compareVersions(version, minApiVersion) < 0) {
          throw new InvalidArgument(`client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`);
        }
        if (compareVersions(version, apiVersion) > 0) {
          throw new InvalidArgument(`client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
        }
      }
      const found = router.match(req.method ?? 'GET', path);
      if (!('route' in found)) throw found.methodMismatch ? new MethodNotAllowed() : new NotFound('page not found');
      const { route } = found;
      let bodyCache: Buffer | undefined;
      const upgradedBody = upgraded ? new UpgradedBody(req, upgraded) : undefined;
      const jsonBytes = async () =>
        (bodyCache ??= await readJsonBody(upgradedBody ? upgradedBody.stream() : req, { contentLength: req.headers['content-length'] }));
      // The route's declared query and body, checked before its handler runs.
      const query = readQuery(route.spec.query, url.searchParams);
      const body = route.decodeBody ? route.decodeBody(parseJsonBody(await jsonBytes()) ?? {}) : undefined;
      const ctx: RequestContext<unknown, unknown> = {
        req,
        res,
        params: found.params,
        query,
        body,
        version: version ?? apiVersion,
        upgrade: upgraded !== undefined,
        signal: ac.signal,
        bodyStream: () => {
          if (upgradedBody) return upgradedBody.stream();
          const stream = new PassThrough({ highWaterMark: 1 << 20 });
          req.on('error', (err) => stream.destroy(err));
          req.pipe(stream);
          return stream;
        },
        hijack: async (contentType: string): Promise<Duplex> => {
          if (upgraded && upgradedBody) {
            if (bodyCache === undefined) bodyCache = await upgradedBody.read();
            const sock = upgraded.socket;
            res.detachSocket(sock);
            hijacked = true;
            sock.setNoDelay(true);
            sock.write(
              `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
                Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
                '\r\n',
            );
            const leftover = upgradedBody.leftover();
            if (leftover.length) sock.unshift(leftover);
            // Left paused: what the client sends next (stdin) waits for the handler's listeners.
            sock.pause();
            return sock;
          }
          res.writeHead(200, { ...headers, 'Content-Type': contentType });
          res.flushHeaders();
          return Duplex.from({ readable: req, writable: res });
        },
      };
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      await route.handler(ctx as RequestContext);
    } catch (err) {
      fail(err);
    } finally {
      socket.off('close', onGone);
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    log.debug('request', { method: req.method, url: req.url });
    void dispatch(req, res, undefined);
  };
  // A client that goes away mid-response is an everyday event, not a daemon error.
  const expectSocketErrors = (socket: Socket) =>
    socket.on('error', (err: NodeJS.ErrnoException) => log.debug('client connection error', { error: err.code ?? err.message }));
  const tls = options.tls;
  const server: http.Server = tls
    ? https.createServer(
        { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}), keepAliveTimeout: 120_000, requestTimeout: 0 },
        onRequest,
      )
    : http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, onRequest);
  server.on('connection', expectSocketErrors);
  server.on('secureConnection', expectSocketErrors);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    log.debug('upgrade request', { method: req.method, url: req.url });
    socket.pause();
    // The parser has let go of the socket: this request is its last one.
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.on('finish', () => socket.end());
    void dispatch(req, res, { socket, head });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    log.debug('client error', { error: err.message });
  });
  return server;
}
