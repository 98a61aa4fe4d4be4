// The Engine API's HTTP server: version prefixes and negotiation, JSON bodies, errors mapped once,
// dockerd's headers, and connection hijacking (Upgrade: tcp) for attach and exec.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { Logger } from '../lib/index.ts';
import { httpStatus } from './errors.ts';
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

async function readBody(req: IncomingMessage, prefix?: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = prefix ? [prefix] : [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseJson<T>(buf: Buffer): T {
  if (buf.length === 0 || buf.toString().trim() === '') return {} as T;
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw new InvalidArgument(`invalid JSON: ${(err as Error).message}`);
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

  const dispatch = async (
    req: IncomingMessage,
    res: ServerResponse | undefined,
    upgraded: { socket: Socket; head: Buffer } | undefined,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { version, path } = parseVersion(url.pathname);
    const ac = new AbortController();
    const onGone = () => ac.abort(new Error('client disconnected'));
    // Kept: req.socket is null once a kept-alive response has released its socket.
    const socket = upgraded?.socket ?? req.socket;
    socket.once('close', onGone);

    const fail = (err: unknown) => {
      const status = httpStatus(err);
      const message = errorMessage(err);
      if (status >= 500) log.error('handler failed', { method: req.method, path: url.pathname, error: message });
      else log.debug('request failed', { method: req.method, path: url.pathname, status, error: message });
      if (upgraded) {
        const body = JSON.stringify({ message }) + '\n';
        upgraded.socket.end(
          `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
            '\r\n' +
            body,
        );
        return;
      }
      if (!res || res.headersSent) {
        res?.destroy();
        return;
      }
      if (status === 304) {
        res.writeHead(304, headers).end();
        return;
      }
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ message }) + '\n');
    };

    try {
      if (version !== undefined) {
        if (compareVersions(version, minApiVersion) < 0) {
          throw new InvalidArgument(`client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`);
        }
        if (compareVersions(version, apiVersion) > 0) {
          throw new InvalidArgument(`client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
        }
      }
      const found = router.match(req.method ?? 'GET', path);
      if (!('handler' in found)) {
        const status = found.methodMismatch ? 405 : 404;
        const message = found.methodMismatch ? 'method not allowed' : 'page not found';
        if (upgraded) upgraded.socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: ${message.length + 1}\r\n\r\n${message}\n`);
        else res!.writeHead(status, { ...headers, 'Content-Type': 'text/plain' }).end(message + '\n');
        return;
      }
      let bodyCache: Buffer | undefined;
      let leftover: Buffer = Buffer.alloc(0);
      const readUpgradedBody = async (): Promise<Buffer> => {
        // An upgraded request's body (e.g. exec start's JSON) precedes the raw stream.
        const length = Number(req.headers['content-length'] ?? 0);
        let buf = upgraded!.head;
        const sock = upgraded!.socket;
        while (buf.length < length) {
          const chunk = await new Promise<Buffer | null>((resolve) => {
            const onData = (d: Buffer) => {
              sock.off('end', onEnd);
              sock.pause();
              resolve(d);
            };
            const onEnd = () => {
              sock.off('data', onData);
              resolve(null);
            };
            sock.once('data', onData);
            sock.once('end', onEnd);
            sock.resume();
          });
          if (!chunk) break;
          buf = Buffer.concat([buf, chunk]);
        }
        leftover = buf.subarray(length);
        return buf.subarray(0, length);
      };
      const ctx: RequestContext = {
        req,
        res,
        params: found.params,
        query: url.searchParams,
        version: version ?? apiVersion,
        upgrade: upgraded !== undefined,
        signal: ac.signal,
        bodyStream: () => {
          const body = new PassThrough({ highWaterMark: 1 << 20 });
          req.on('error', (err) => body.destroy(err));
          req.pipe(body);
          return body;
        },
        json: async <T>() => {
          bodyCache ??= upgraded ? await readUpgradedBody() : await readBody(req);
          return parseJson<T>(bodyCache);
        },
        hijack: async (contentType: string): Promise<Duplex> => {
          if (upgraded) {
            if (bodyCache === undefined) bodyCache = await readUpgradedBody();
            const sock = upgraded.socket;
            sock.setNoDelay(true);
            sock.write(
              `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
                Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
                '\r\n',
            );
            if (leftover.length) sock.unshift(leftover);
            // Left paused: what the client sends next (stdin) waits for the handler's listeners.
            sock.pause();
            return sock;
          }
          res!.writeHead(200, { ...headers, 'Content-Type': contentType });
          res!.flushHeaders();
          return Duplex.from({ readable: req, writable: res! });
        },
      };
      if (res) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      await found.handler(ctx);
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
  const tls = options.tls;
  const server: http.Server = tls
    ? https.createServer(
        { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}), keepAliveTimeout: 120_000, requestTimeout: 0 },
        onRequest,
      )
    : http.createServer({ keepAliveTimeout: 120_000, requestTimeout: 0 }, onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    log.debug('upgrade request', { method: req.method, url: req.url });
    socket.pause();
    void dispatch(req, undefined, { socket, head });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    log.debug('client error', { error: err.message });
  });
  return server;
}
