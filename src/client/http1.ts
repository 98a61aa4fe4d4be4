// A small HTTP/1.1 client: what the Engine API asks of one and no more. Requests with a JSON
// body, a streamed (chunked) body or none; responses with a length, chunked, or up to the close;
// connection upgrade (attach, exec); kept-alive connections reused. It runs over any stream
// socket the caller dials: a unix socket, TCP, TLS.
//
// node:http would do all of it, but every berth command would pay for it at start-up: loading
// node:http (its client, server, agent and parser modules) and setting up its first request cost
// ~10 ms per command on a 2-core VM, against ~4 ms for node:net and a request written by hand
// (bench/cli shows the whole command). The daemon side keeps node:http.
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';

/** Opens a new connection to the server (net.connect, tls.connect). */
export type Dial = () => Duplex;

export interface Http1Request {
  method: string;
  /** The request target: path and query. */
  path: string;
  headers: Record<string, string>;
  /** A body sent with its Content-Length. */
  body?: Buffer;
  /** A body streamed with chunked transfer encoding. */
  stream?: NodeJS.ReadableStream;
  signal?: AbortSignal;
  /** Asks for `Connection: Upgrade` (with the Upgrade header the caller gives). */
  upgrade?: boolean;
}

/** A response: its status and head, and its body as a readable stream. */
export class Http1Response extends Readable {
  readonly statusCode: number;
  readonly statusMessage: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly #socket: Duplex;
  /** A failure that came before anyone read or listened: given to the first read. */
  #failure?: Error;

  constructor(statusCode: number, statusMessage: string, headers: Record<string, string>, socket: Duplex) {
    super();
    this.statusCode = statusCode;
    this.statusMessage = statusMessage;
    this.headers = headers;
    this.#socket = socket;
  }

  override _read(): void {
    if (this.#failure) this.destroy(this.#failure);
    else this.#socket.resume();
  }

  /**
   * Ends the body with `err`. A response nobody reads or listens to yet keeps it for its first
   * read: an 'error' emitted now would go unheard and end the process.
   */
  fail(err: Error): void {
    if (this.listenerCount('error') > 0 || this.readableFlowing) this.destroy(err);
    else this.#failure = err;
  }

  /** A reader that stops before the end (destroy()) ends the connection too, as node:http does. */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded) this.#socket.destroy();
    callback(err);
  }
}

type Socket = Duplex & { ref?(): unknown; unref?(): unknown };

/** A kept-alive connection waiting for the next request, and what takes it out when it goes. */
interface Idle {
  socket: Socket;
  gone: () => void;
}

/** A connection the server switched to another protocol (101): the socket, any bytes already read given back to it. */
export interface Http1Upgrade {
  statusCode: number;
  headers: Record<string, string>;
  socket: Duplex;
}

/** The largest response head accepted (node:http's limit is 16 KB; dockerd's heads are far smaller). */
const maxHead = 64 * 1024;

/** The error an aborted request fails with, as node:http's (name AbortError, code ABORT_ERR). */
function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

class ProtocolError extends Error {
  readonly code = 'HPE_INVALID';
}

/** Requests over connections from `dial`, one at a time per connection, idle ones reused. */
export class Http1Client {
  readonly #dial: Dial;
  readonly #host: string;
  readonly #idle: Idle[] = [];

  /** `host` is the Host header's value. */
  constructor(dial: Dial, host: string) {
    this.#dial = dial;
    this.#host = host;
  }

  /** Closes the idle connections. */
  close(): void {
    for (const { socket } of this.#idle.splice(0)) socket.destroy();
  }

  request(req: Http1Request): Promise<Http1Response> {
    return this.#exchange(req) as Promise<Http1Response>;
  }

  /** Sends `req` asking for an upgrade; resolves with the switched connection (101) or the response. */
  upgrade(req: Http1Request): Promise<Http1Upgrade | Http1Response> {
    return this.#exchange({ ...req, upgrade: true });
  }

  async #exchange(req: Http1Request): Promise<Http1Response | Http1Upgrade> {
    if (req.signal?.aborted) throw abortError();
    // A kept-alive connection the server closed meanwhile fails before any answer: then once more
    // on a new one (only when nothing of the body was streamed, which cannot be sent twice).
    for (;;) {
      const reused = !req.upgrade ? this.#take() : undefined;
      try {
        return await this.#once(req, reused ?? this.#dial());
      } catch (err) {
        if (reused && (err as { retry?: boolean }).retry && !req.stream) continue;
        throw err;
      }
    }
  }

  /** An idle connection, back in use (it keeps the process alive again). */
  #take(): Socket | undefined {
    const idle = this.#idle.pop();
    if (!idle) return undefined;
    for (const event of ['close', 'error', 'end']) idle.socket.off(event, idle.gone);
    idle.socket.ref?.();
    return idle.socket;
  }

  /** Keeps `socket` for the next request; an idle connection does not keep the process alive. */
  #keep(socket: Socket): void {
    const idle: Idle = {
      socket,
      gone: () => {
        const i = this.#idle.indexOf(idle);
        if (i >= 0) this.#idle.splice(i, 1);
        socket.destroy();
      },
    };
    for (const event of ['close', 'error', 'end']) socket.once(event, idle.gone);
    socket.resume();
    socket.unref?.();
    this.#idle.push(idle);
  }

  #once(req: Http1Request, socket: Socket): Promise<Http1Response | Http1Upgrade> {
    return new Promise((resolve, reject) => {
      let response: Http1Response | undefined;
      let settled = false;
      let head: Buffer = Buffer.alloc(0);
      let answered = false;
      // body framing: remaining bytes of a length or of the current chunk; the chunked state
      let mode: 'length' | 'chunked' | 'close' | 'none' = 'none';
      let remaining = 0;
      let chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
      let line: Buffer = Buffer.alloc(0);
      let keepAlive = false;

      const cleanup = () => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onClose);
        socket.off('error', onError);
        req.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        cleanup();
        socket.destroy();
        if (!settled) {
          settled = true;
          reject(err);
        } else response?.fail(err);
      };
      const finish = () => {
        cleanup();
        response!.push(null);
        if (keepAlive && !req.stream) this.#keep(socket);
        else socket.destroy();
      };
      /** Body bytes for the reader; stops reading the socket while the reader is behind. */
      const deliver = (bytes: Buffer) => {
        if (bytes.length && !response!.push(bytes)) socket.pause();
      };

      const onBody = (data: Buffer): void => {
        let at = 0;
        while (at < data.length) {
          if (mode === 'length') {
            const n = Math.min(remaining, data.length - at);
            deliver(data.subarray(at, at + n));
            at += n;
            remaining -= n;
            if (remaining === 0) return finish();
          } else if (mode === 'close') {
            deliver(data.subarray(at));
            return;
          } else if (chunkState === 'data') {
            const n = Math.min(remaining, data.length - at);
            deliver(data.subarray(at, at + n));
            at += n;
            remaining -= n;
            if (remaining === 0) chunkState = 'data-end';
          } else {
            // a line: a chunk's size, the CRLF after its data, or a trailer line
            const eol = data.indexOf(10, at);
            if (eol < 0) {
              line = Buffer.concat([line, data.subarray(at)]);
              if (line.length > maxHead) return fail(new ProtocolError('chunk header too long'));
              return;
            }
            const text = Buffer.concat([line, data.subarray(at, eol)]).toString('latin1').replace(/\r$/, '');
            line = Buffer.alloc(0);
            at = eol + 1;
            if (chunkState === 'data-end') {
              if (text !== '') return fail(new ProtocolError('no CRLF after a chunk'));
              chunkState = 'size';
            } else if (chunkState === 'size') {
              const size = parseInt(text.split(';')[0]!.trim(), 16);
              if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]+/.test(text.trim())) return fail(new ProtocolError(`bad chunk size ${JSON.stringify(text)}`));
              if (size === 0) chunkState = 'trailer';
              else {
                remaining = size;
                chunkState = 'data';
              }
            } else if (text === '') return finish(); // the end of the trailer
          }
        }
      };

      const onHead = (data: Buffer): void => {
        head = head.length ? Buffer.concat([head, data]) : data;
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > maxHead) fail(new ProtocolError('response head too long'));
          return;
        }
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        const rest = head.subarray(end + 4);
        head = Buffer.alloc(0);
        const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
        if (!status) return fail(new ProtocolError(`not an HTTP/1.x response: ${JSON.stringify(lines[0]!.slice(0, 40))}`));
        const code = Number(status[2]);
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const colon = l.indexOf(':');
          if (colon <= 0) return fail(new ProtocolError(`bad header line ${JSON.stringify(l.slice(0, 40))}`));
          const name = l.slice(0, colon).trim().toLowerCase();
          const value = l.slice(colon + 1).trim();
          headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
        }
        if (code === 101 && req.upgrade) {
          cleanup();
          settled = true;
          // not flowing, so that what is given back waits for the caller's reader
          socket.pause();
          if (rest.length) socket.unshift(rest);
          resolve({ statusCode: code, headers, socket });
          return;
        }
        if (code >= 100 && code < 200) {
          // an interim answer (100 Continue): the real one follows
          if (rest.length) onHead(rest);
          return;
        }
        answered = true;
        const connection = (headers['connection'] ?? '').toLowerCase();
        keepAlive = status[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
        if (req.method === 'HEAD' || code === 204 || code === 304) mode = 'none';
        else if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) mode = 'chunked';
        else if (headers['content-length'] !== undefined) {
          remaining = Number(headers['content-length']);
          if (!Number.isSafeInteger(remaining) || remaining < 0) return fail(new ProtocolError(`bad Content-Length ${headers['content-length']}`));
          mode = remaining === 0 ? 'none' : 'length';
        } else {
          mode = 'close';
          keepAlive = false;
        }
        response = new Http1Response(code, status[3] ?? '', headers, socket);
        settled = true;
        resolve(response);
        if (mode === 'none') return finish();
        if (rest.length) onBody(rest);
      };

      const onData = (data: Buffer) => (answered ? onBody(data) : onHead(data));
      const onEnd = () => {
        if (answered && mode === 'close') {
          cleanup();
          response!.push(null);
          socket.destroy();
        } else if (answered) fail(new Error('the daemon closed the connection in the middle of an answer'));
        else fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', retry: true }));
      };
      const onClose = () => onEnd();
      const onError = (err: Error) => {
        if (!answered) (err as { retry?: boolean }).retry = true;
        fail(err);
      };
      const onAbort = () => fail(abortError());

      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('close', onClose);
      socket.on('error', onError);
      req.signal?.addEventListener('abort', onAbort, { once: true });

      const lines = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${this.#host}`];
      for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
      if (req.upgrade) lines.push('Connection: Upgrade');
      if (req.body) lines.push(`Content-Length: ${req.body.length}`);
      else if (req.stream) lines.push('Transfer-Encoding: chunked');
      else if (req.method !== 'GET' && req.method !== 'HEAD') lines.push('Content-Length: 0');
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (req.body) socket.write(req.body);
      else if (req.stream) void sendChunked(req.stream, socket).catch(fail);
    });
  }
}

/** Streams `body` to `socket` in chunked encoding, following the socket's pace. */
async function sendChunked(body: NodeJS.ReadableStream, socket: Duplex): Promise<void> {
  for await (const piece of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (bytes.length === 0) continue;
    if (socket.destroyed) return;
    socket.write(`${bytes.length.toString(16)}\r\n`);
    socket.write(bytes);
    if (!socket.write('\r\n')) await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }
  if (!socket.destroyed) socket.write('0\r\n\r\n');
}
