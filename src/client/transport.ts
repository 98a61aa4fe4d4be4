// The Engine API's HTTP transport: a unix socket (or TCP with TLS), the API version negotiated
// once as docker's client does, JSON and streamed requests, connection hijacking (Upgrade: tcp)
// for attach and exec, and the daemon's error answers as ApiError. The typed namespaces of
// client.ts are built on it; nothing here knows a route.
import http, { type IncomingMessage } from 'node:http';
import type https from 'node:https';
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
  tls?: TlsOptions;
}

export interface TlsOptions {
  /** PEM file of the CAs that sign the daemon's certificate: trusted instead of the default roots. */
  ca?: string;
  /**
   * A PEM file trusted besides Node's bundled roots when `ca` is not given: what NODE_EXTRA_CA_CERTS
   * names, for a process started without that variable (bin/berth moves it aside; Node reads it
   * at start-up only, eagerly, and it costs every command that makes no TLS connection).
   */
  extraCaFile?: string;
  /** The client certificate and key (PEM files) that the daemon may ask for. */
  cert?: string;
  key?: string;
  /** Whether the daemon's certificate is verified (--tlsverify). */
  verify: boolean;
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
  #tls?: TlsOptions;
  #agent?: http.Agent;
  /** node:https, loaded with the first TLS request: most hosts are unix sockets. */
  #https?: Promise<{ https: typeof https; ca: string[] | Buffer | undefined }>;
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
  }

  close(): void {
    this.#agent?.destroy();
  }

  /** The module and options for a request: node:http, or node:https with the TLS material read. */
  async #base(): Promise<{ module: typeof http | typeof https; options: http.RequestOptions & https.RequestOptions }> {
    const o: http.RequestOptions & https.RequestOptions = { headers: { 'User-Agent': 'Berth-Client/0.1.0 (linux)' } };
    if (this.#socketPath) o.socketPath = this.#socketPath;
    else {
      o.hostname = this.#hostname;
      o.port = this.#port;
    }
    const tls = this.#tls;
    if (!tls) {
      // No TLS, no server name. Left unset, node:http works one out for every request and calls
      // net.isIP("localhost") on the way, whose IPv6 expression costs 3-10 ms to compile.
      o.servername = '';
      this.#agent ??= new http.Agent({ keepAlive: true });
      return { module: http, options: { ...o, agent: this.#agent } };
    }
    this.#https ??= (async () => {
      const https = (await import('node:https')).default;
      let ca: string[] | Buffer | undefined;
      if (tls.ca) ca = readFileSync(tls.ca);
      else if (tls.extraCaFile) ca = [...(await import('node:tls')).rootCertificates, readFileSync(tls.extraCaFile, 'utf8')];
      return { https, ca };
    })();
    const { https, ca } = await this.#https;
    this.#agent ??= new https.Agent({ keepAlive: true });
    if (ca) o.ca = ca;
    if (tls.cert) o.cert = readFileSync(tls.cert);
    if (tls.key) o.key = readFileSync(tls.key);
    o.rejectUnauthorized = tls.verify;
    return { module: https, options: { ...o, agent: this.#agent } };
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

  async #raw(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    const { module, options: base } = await this.#base();
    return new Promise((resolve, reject) => {
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
      const req = module.request({ ...base, method, path: path + buildQuery(options.query), headers, ...(options.signal ? { signal: options.signal } : {}) });
      req.on('response', resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(this.#connectionError(err, method, path)));
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
    const { module, options: base } = await this.#base();
    return new Promise((resolve, reject) => {
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
      const req = module.request({ ...base, agent: false, method: 'POST', path: `/v${v}${path}${buildQuery(options.query)}`, headers });
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve({ stream: socket, contentType: String(res.headers['content-type'] ?? '') });
      });
      req.on('response', async (res) => {
        if ((res.statusCode ?? 500) >= 400) reject(await toApiError(res));
        else reject(new ApiError(res.statusCode ?? 500, 'the daemon did not upgrade the connection'));
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(this.#connectionError(err, 'POST', path)));
      req.end(payload);
    });
  }

  /** A failure to reach the daemon in the docker CLI's words, which name the address. */
  #connectionError(err: NodeJS.ErrnoException, method: string, path: string): Error {
    if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') return new ConnectionError(`Cannot connect to the Berth daemon at ${this.host}. Is the berth daemon running?`);
    if (err.code === 'EACCES') {
      return new ConnectionError(`permission denied while trying to connect to the Berth daemon socket at ${this.host}: dial unix ${this.#socketPath ?? this.host}: connect: permission denied`);
    }
    if (err.name === 'AbortError') return err;
    // Anything else that keeps the request from being answered (TLS above all), as Go's client
    // names it: error during connect: Get "https://host:2376/v1.43/info": <why>.
    const url = this.#socketPath ? `http://${encodeURIComponent(this.#socketPath)}${path}` : `${this.#tls ? 'https' : 'http'}://${this.#hostname}:${this.#port}${path}`;
    const goMethod = method.charAt(0) + method.slice(1).toLowerCase();
    return new ConnectionError(`error during connect: ${goMethod} "${url}": ${err.message}`);
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
