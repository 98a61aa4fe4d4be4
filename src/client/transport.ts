// The Engine API's HTTP transport: a unix socket (or TCP with TLS), the API version negotiated
// once as docker's client does, JSON and streamed requests, connection hijacking (Upgrade: tcp)
// for attach and exec, and the daemon's error answers as ApiError. The typed namespaces of
// client.ts are built on it; nothing here knows a route.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';

export const clientApiVersion = '1.43';

/** An error response from the daemon, with its status and message. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The daemon could not be reached at all. */
export class ConnectionError extends Error {}

export interface ClientOptions {
  /** unix:///path or tcp://host:port */
  host: string;
  tls?: { ca?: string; cert?: string; key?: string; verify: boolean };
}

export type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A raw request body (e.g. a tar stream). */
  stream?: NodeJS.ReadableStream;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) p.append(k, x);
    else if (typeof v === 'boolean') p.set(k, v ? '1' : '0');
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class Transport {
  readonly host: string;
  #socketPath?: string;
  #hostname = 'localhost';
  #port = 0;
  #tls?: ClientOptions['tls'];
  #agent: http.Agent;
  #version?: Promise<string>;

  constructor(options: ClientOptions) {
    this.host = options.host;
    if (options.host.startsWith('unix://')) this.#socketPath = options.host.slice('unix://'.length);
    else if (options.host.startsWith('tcp://')) {
      const u = new URL(options.host.replace(/^tcp:/, 'http:'));
      this.#hostname = u.hostname;
      this.#port = Number(u.port || 2376);
      this.#tls = options.tls;
    } else throw new ConnectionError(`unsupported host: ${options.host}`);
    this.#agent = this.#tls ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.#agent.destroy();
  }

  #baseOptions(): http.RequestOptions & https.RequestOptions {
    const o: http.RequestOptions & https.RequestOptions = { agent: this.#agent, headers: { 'User-Agent': 'Berth-Client/0.1.0 (linux)' } };
    if (this.#socketPath) o.socketPath = this.#socketPath;
    else {
      o.hostname = this.#hostname;
      o.port = this.#port;
      if (this.#tls) {
        if (this.#tls.ca) o.ca = readFileSync(this.#tls.ca);
        if (this.#tls.cert) o.cert = readFileSync(this.#tls.cert);
        if (this.#tls.key) o.key = readFileSync(this.#tls.key);
        o.rejectUnauthorized = this.#tls.verify;
      }
    }
    return o;
  }

  #transport(): typeof http | typeof https {
    return this.#tls ? https : http;
  }

  /** The API version to use: the daemon's, capped at ours (HEAD /_ping, once). */
  version(): Promise<string> {
    this.#version ??= this.#raw('HEAD', '/_ping', {}).then(
      (res) => {
        res.resume();
        const server = res.headers['api-version'];
        if (typeof server !== 'string') return clientApiVersion;
        return compare(server, clientApiVersion) < 0 ? server : clientApiVersion;
      },
      (err: unknown) => {
        this.#version = undefined;
        throw err;
      },
    );
    return this.#version;
  }

  #raw(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const base = this.#baseOptions();
      const headers: Record<string, string> = { ...(base.headers as Record<string, string>), ...(options.headers ?? {}) };
      let payload: Buffer | undefined;
      if (options.body !== undefined) {
        payload = Buffer.from(JSON.stringify(options.body));
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(payload.length);
      } else if (options.stream) {
        headers['Content-Type'] ??= 'application/x-tar';
        headers['Transfer-Encoding'] = 'chunked';
      }
      const req = this.#transport().request({ ...base, method, path: path + buildQuery(options.query), headers, ...(options.signal ? { signal: options.signal } : {}) });
      req.on('response', resolve);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'EACCES') {
          reject(new ConnectionError(`Cannot connect to the Berth daemon at ${this.host}. Is the berth daemon running?`));
        } else reject(err);
      });
      if (payload) req.end(payload);
      else if (options.stream) {
        options.stream.pipe(req);
        options.stream.on('error', (err) => req.destroy(err as Error));
      } else req.end();
    });
  }

  /** A request whose response is consumed by the caller (streams). Non-2xx → ApiError. */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const v = await this.version();
    const res = await this.#raw(method, `/v${v}${path}`, options);
    if ((res.statusCode ?? 500) >= 400) throw await toApiError(res);
    return res;
  }

  /** A request answered with JSON (or nothing). Non-2xx → ApiError. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const res = await this.stream(method, path, options);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.statusCode ?? 0, body: body as T };
  }

  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>('GET', path, { ...(query ? { query } : {}) })).body;
  }

  async post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>('POST', path, options)).body;
  }

  /**
   * Takes over a connection (Upgrade: tcp), as attach and exec start do. Resolves once the
   * daemon answered 101 (or 200); the duplex then carries the raw stream both ways.
   */
  async hijack(path: string, options: RequestOptions = {}): Promise<{ stream: Duplex; contentType: string }> {
    const v = await this.version();
    return new Promise((resolve, reject) => {
      const base = this.#baseOptions();
      const headers: Record<string, string> = {
        ...(base.headers as Record<string, string>),
        Connection: 'Upgrade',
        Upgrade: 'tcp',
      };
      let payload: Buffer | undefined;
      if (options.body !== undefined) {
        payload = Buffer.from(JSON.stringify(options.body));
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(payload.length);
      }
      const req = this.#transport().request({ ...base, agent: false, method: 'POST', path: `/v${v}${path}${buildQuery(options.query)}`, headers });
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve({ stream: socket, contentType: String(res.headers['content-type'] ?? '') });
      });
      req.on('response', async (res) => {
        if ((res.statusCode ?? 500) >= 400) reject(await toApiError(res));
        else reject(new ApiError(res.statusCode ?? 500, 'the daemon did not upgrade the connection'));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') reject(new ConnectionError(`Cannot connect to the Berth daemon at ${this.host}. Is the berth daemon running?`));
        else reject(err);
      });
      req.end(payload);
    });
  }
}

async function toApiError(res: IncomingMessage): Promise<ApiError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let message = text.trim();
  try {
    const v = JSON.parse(text) as { message?: string };
    if (v.message !== undefined) message = v.message;
  } catch {
    // not JSON
  }
  if (!message) message = `${res.statusCode} ${http.STATUS_CODES[res.statusCode ?? 500] ?? ''}`.trim();
  return new ApiError(res.statusCode ?? 500, message);
}

function compare(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
