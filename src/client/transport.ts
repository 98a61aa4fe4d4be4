// The Engine API's HTTP transport: a unix socket (or TCP with TLS), the API version negotiated
// once as docker's client does, JSON and streamed requests, connection hijacking (Upgrade: tcp)
// for attach and exec, and the daemon's error answers as ApiError. The typed namespaces of
// client.ts are built on it; nothing here knows a route. HTTP itself is http1.ts's (not
// node:http, which costs every command its start-up); node:tls loads for a TLS daemon only.
import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { Http1Client, Http1Response, type Dial, type Http1Request } from './http1.ts';

/** A response whose body the caller reads: status, headers (lower-case names), the body stream. */
export type ApiResponse = Http1Response;

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
  /** The HTTP client over this host's connections: made with the first request (TLS needs node:tls). */
  #http?: Promise<Http1Client>;
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
    void this.#http?.then((c) => c.close(), () => {});
  }

  /** The client: connections to the unix socket, to TCP, or TLS over TCP with its material read. */
  #client(): Promise<Http1Client> {
    this.#http ??= (async () => {
      const socketPath = this.#socketPath;
      if (socketPath) return new Http1Client(() => netConnect(socketPath), 'localhost');
      const host = this.#hostname;
      const port = this.#port;
      const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const tls = this.#tls;
      if (!tls) return new Http1Client(() => netConnect({ host, port }).setNoDelay(true), authority);
      const { connect, rootCertificates } = await import('node:tls');
      const options: ConnectionOptions = { host, port, rejectUnauthorized: tls.verify, ALPNProtocols: ['http/1.1'] };
      // SNI carries a name, never an address
      if (isIP(host) === 0) options.servername = host;
      if (tls.ca) options.ca = readFileSync(tls.ca);
      else if (tls.extraCaFile) options.ca = [...rootCertificates, readFileSync(tls.extraCaFile, 'utf8')];
      if (tls.cert) options.cert = readFileSync(tls.cert);
      if (tls.key) options.key = readFileSync(tls.key);
      const dial: Dial = () => connect(options).setNoDelay(true);
      return new Http1Client(dial, authority);
    })();
    return this.#http;
  }

  /** The request as http1.ts sends it: our User-Agent, a JSON or streamed body. */
  #request(method: string, path: string, options: RequestOptions): Http1Request {
    const headers: Record<string, string> = { 'User-Agent': 'Berth-Client/0.1.0 (linux)', ...(options.headers ?? {}) };
    const req: Http1Request = { method, path: path + buildQuery(options.query), headers };
    if (options.body !== undefined) {
      req.body = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] = 'application/json';
    } else if (options.stream) {
      headers['Content-Type'] ??= 'application/x-tar';
      req.stream = options.stream;
    }
    if (options.signal) req.signal = options.signal;
    return req;
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

  async #raw(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    try {
      const client = await this.#client();
      return await client.request(this.#request(method, path, options));
    } catch (err) {
      throw this.#connectionError(err as NodeJS.ErrnoException, method, path);
    }
  }

  /** A request whose response is consumed by the caller (streams). Non-2xx → ApiError. */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const v = await this.version();
    const res = await this.#raw(method, `/v${v}${path}`, options);
    if (res.statusCode >= 400) throw await toApiError(res);
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
    return { status: res.statusCode, body: body as T };
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
    const req = this.#request('POST', `/v${v}${path}`, { ...options, headers: { ...(options.headers ?? {}), Upgrade: 'tcp' } });
    let answer;
    try {
      answer = await (await this.#client()).upgrade(req);
    } catch (err) {
      throw this.#connectionError(err as NodeJS.ErrnoException, 'POST', path);
    }
    if (answer instanceof Http1Response) {
      if (answer.statusCode >= 400) throw await toApiError(answer);
      answer.resume();
      throw new ApiError(answer.statusCode, 'the daemon did not upgrade the connection');
    }
    return { stream: answer.socket, contentType: answer.headers['content-type'] ?? '' };
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

async function toApiError(res: ApiResponse): Promise<ApiError> {
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
  if (!message) message = `${res.statusCode} ${res.statusMessage}`.trim();
  return new ApiError(res.statusCode, message);
}

function compare(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
}
