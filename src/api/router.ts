// Routing for the Engine API: method + path template (":name" segments, a trailing "*name" for
// image names with slashes), under an optional "/v1.xx" prefix. Every route states what it
// accepts — `{ query, body }` — and the server checks a request against that before the handler
// runs, so the handler receives typed, validated values.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { InvalidArgument } from '../errors/index.ts';
import { decoder, type Decoder, type Static, type TSchema } from '../schema/index.ts';
import type { QueryOf, QuerySpec } from './query.ts';

/**
 * What a route's body is: a JSON schema (read, limited in size and depth, decoded as dockerd's Go
 * decoder would, then checked), 'stream' (the handler reads `bodyStream()`: tar uploads), or
 * 'none' (anything sent is ignored, as dockerd ignores it).
 */
export type BodySpec = TSchema | 'stream' | 'none';
export type BodyOf<B extends BodySpec> = B extends TSchema ? Static<B> : undefined;

export interface RouteSpec<Q extends QuerySpec = QuerySpec, B extends BodySpec = BodySpec> {
  query: Q;
  body: B;
}

export interface RequestContext<Q = Record<string, unknown>, B = unknown> {
  req: IncomingMessage;
  /** The response; a handler that streams raw (attach, exec) calls `hijack()` instead. */
  res: ServerResponse;
  params: Record<string, string>;
  /** The declared query parameters, read and checked. */
  query: Q;
  /** The body, decoded and checked against the route's schema (`{}` when empty or null). */
  body: B;
  /** The API version the client asked for (from the path), or the server's. */
  version: string;
  /**
   * The request body as a stream (routes whose body is 'stream'). A consumer that stops early
   * does not tear down the connection, so the error response still reaches the client.
   */
  bodyStream(): Readable;
  /** Whether the client asked to take over the connection (Upgrade: tcp). */
  upgrade: boolean;
  /** Takes the raw connection after sending the response head; `head` is what was read past it. */
  hijack(contentType: string): Promise<Duplex>;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

export type Handler<Q = Record<string, unknown>, B = unknown> = (ctx: RequestContext<Q, B>) => Promise<void> | void;

/** A route as the server runs it: the spec, and the body decoder compiled from it. */
export interface Route {
  method: string;
  path: string;
  spec: RouteSpec;
  /** Decodes the parsed JSON body (undefined when empty); only for JSON bodies. */
  decodeBody?: Decoder<unknown>;
  handler: Handler;
}

interface StoredRoute extends Route {
  parts: string[];
}

export class Router {
  #routes: StoredRoute[] = [];

  add<Q extends QuerySpec, B extends BodySpec>(method: string, path: string, spec: RouteSpec<Q, B>, handler: Handler<QueryOf<Q>, BodyOf<B>>): this {
    if (typeof spec !== 'object' || spec === null || typeof spec.query !== 'object' || spec.body === undefined) {
      throw new Error(`route ${method} ${path} must declare { query, body }`);
    }
    const decodeBody = typeof spec.body === 'object' ? decoder(spec.body) : undefined;
    this.#routes.push({ method, path, parts: path.split('/').filter(Boolean), spec, handler: handler as Handler, ...(decodeBody ? { decodeBody } : {}) });
    return this;
  }

  get<Q extends QuerySpec, B extends BodySpec>(path: string, spec: RouteSpec<Q, B>, h: Handler<QueryOf<Q>, BodyOf<B>>): this {
    return this.add('GET', path, spec, h);
  }
  post<Q extends QuerySpec, B extends BodySpec>(path: string, spec: RouteSpec<Q, B>, h: Handler<QueryOf<Q>, BodyOf<B>>): this {
    return this.add('POST', path, spec, h);
  }
  put<Q extends QuerySpec, B extends BodySpec>(path: string, spec: RouteSpec<Q, B>, h: Handler<QueryOf<Q>, BodyOf<B>>): this {
    return this.add('PUT', path, spec, h);
  }
  delete<Q extends QuerySpec, B extends BodySpec>(path: string, spec: RouteSpec<Q, B>, h: Handler<QueryOf<Q>, BodyOf<B>>): this {
    return this.add('DELETE', path, spec, h);
  }
  head<Q extends QuerySpec, B extends BodySpec>(path: string, spec: RouteSpec<Q, B>, h: Handler<QueryOf<Q>, BodyOf<B>>): this {
    return this.add('HEAD', path, spec, h);
  }

  /** Every registered route (tests check each declares its schemas). */
  routes(): Route[] {
    return this.#routes.map(({ parts: _parts, ...r }) => r);
  }

  /** The matching route and params; `methodMismatch` when only the method differs. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodMismatch: boolean } {
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
      if (r.method === method || (method === 'HEAD' && r.method === 'GET' && !this.#hasHead(r.parts))) return { route: r, params };
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
