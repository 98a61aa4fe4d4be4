// Routing for the Engine API: method + path template (":name" segments, a trailing "*name" for
// image names with slashes), under an optional "/v1.xx" prefix.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';

export interface RequestContext {
  req: IncomingMessage;
  /** The response; a handler that streams raw (attach, exec) calls `hijack()` instead. */
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (from the path), or the server's. */
  version: string;
  /** The parsed JSON body; `{}` when empty. 400 on malformed JSON. */
  json<T>(): Promise<T>;
  /**
   * The request body as a stream (tar uploads). A consumer that stops early does not tear down
   * the connection, so the error response still reaches the client.
   */
  bodyStream(): Readable;
  /** Whether the client asked to take over the connection (Upgrade: tcp). */
  upgrade: boolean;
  /** Takes the raw connection after sending the response head; `head` is what was read past it. */
  hijack(contentType: string): Promise<Duplex>;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  #routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    this.#routes.push({ method, parts: path.split('/').filter(Boolean), handler });
    return this;
  }

  get(path: string, h: Handler): this {
    return this.add('GET', path, h);
  }
  post(path: string, h: Handler): this {
    return this.add('POST', path, h);
  }
  put(path: string, h: Handler): this {
    return this.add('PUT', path, h);
  }
  delete(path: string, h: Handler): this {
    return this.add('DELETE', path, h);
  }
  head(path: string, h: Handler): this {
    return this.add('HEAD', path, h);
  }

  /** The matching route's handler and params; `methodMismatch` when only the method differs. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | { methodMismatch: boolean } {
    const segs = path.split('/').filter(Boolean).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new InvalidArgument(`invalid path: ${path}`);
      }
    });
    let mismatch = false;
    for (const r of this.#routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET' && !this.#hasHead(r.parts))) return { handler: r.handler, params };
      mismatch = true;
    }
    return { methodMismatch: mismatch };
  }

  #hasHead(parts: string[]): boolean {
    return this.#routes.some((r) => r.method === 'HEAD' && r.parts.join('/') === parts.join('/'));
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith('*')) {
      // Greedy name up to the fixed suffix after it (e.g. /images/*name/json).
      const suffix = parts.slice(i + 1);
      if (segs.length - i < suffix.length + 1) return undefined;
      const nameSegs = segs.slice(i, segs.length - suffix.length);
      for (let k = 0; k < suffix.length; k++) if (suffix[k] !== segs[segs.length - suffix.length + k]) return undefined;
      params[p.slice(1)] = nameSegs.join('/');
      return params;
    }
    if (i >= segs.length) return undefined;
    if (p.startsWith(':')) params[p.slice(1)] = segs[i];
    else if (p !== segs[i]) return undefined;
  }
  return parts.length === segs.length ? params : undefined;
}
