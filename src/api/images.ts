// /images/*: translation between the wire format and the image service.
import type { Readable } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { DeleteResponseItem, ImageHistoryEntry, ImageSummary, JsonMessage } from '../types/index.ts';
import { boolParam, filtersParam } from './params.ts';
import type { Router } from './router.ts';
import { jsonLine } from './stream.ts';

export interface ImagesBackend {
  list(options: { all: boolean; filters: Map<string, string[]>; digests?: boolean }): ImageSummary[];
  inspect(name: string): Promise<Record<string, unknown>>;
  history(name: string): ImageHistoryEntry[];
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(name: string, options: { force: boolean; prune: boolean }): Promise<DeleteResponseItem[]>;
  importImage(src: Readable, options: { repo?: string; tag?: string; message?: string; changes?: string[] }): Promise<{ id: string }>;
  /** Fetches an image by reference, reporting progress as docker's JSON messages. */
  pull(options: { image: string; tag?: string; platform?: string; registryAuth?: string; progress: (m: JsonMessage) => void; signal: AbortSignal }): Promise<void>;
}

const json = (res: import('node:http').ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value) + '\n');

export function registerImageRoutes(router: Router, backend: ImagesBackend): void {
  router.get('/images/json', (ctx) => {
    const list = backend.list({ all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query), digests: boolParam(ctx.query, 'digests') });
    json(ctx.res!, 200, list);
  });
  router.get('/images/*name/json', async (ctx) => {
    json(ctx.res!, 200, await backend.inspect(ctx.params.name));
  });
  router.get('/images/*name/history', (ctx) => {
    json(ctx.res!, 200, backend.history(ctx.params.name));
  });
  router.post('/images/*name/tag', async (ctx) => {
    await backend.tag(ctx.params.name, ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? undefined);
    ctx.res!.writeHead(201).end();
  });
  router.delete('/images/*name', async (ctx) => {
    const items = await backend.remove(ctx.params.name, { force: boolParam(ctx.query, 'force'), prune: !boolParam(ctx.query, 'noprune') });
    json(ctx.res!, 200, items);
  });
  router.post('/images/create', async (ctx) => {
    const q = ctx.query;
    const fromSrc = q.get('fromSrc');
    const fromImage = q.get('fromImage');
    const res = ctx.res!;
    // Validation errors before the stream starts get a status; later ones go into the stream.
    let started = false;
    const start = () => {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
    };
    const send = (m: JsonMessage) => {
      start();
      res.write(jsonLine(m));
    };
    try {
      if (fromSrc !== null) {
        if (fromSrc !== '-') throw new InvalidArgument('importing from a URL is not supported; use fromSrc=-');
        const image = await backend.importImage(ctx.bodyStream(), {
          repo: q.get('repo') ?? undefined,
          tag: q.get('tag') ?? undefined,
          message: q.get('message') ?? undefined,
          changes: q.getAll('changes'),
        });
        send({ status: image.id });
      } else if (fromImage !== null) {
        const registryAuth = ctx.req.headers['x-registry-auth'];
        await backend.pull({
          image: fromImage,
          tag: q.get('tag') || undefined,
          platform: q.get('platform') || undefined,
          registryAuth: typeof registryAuth === 'string' ? registryAuth : undefined,
          progress: send,
          signal: ctx.signal,
        });
      } else {
        throw new InvalidArgument('either fromSrc or fromImage must be given');
      }
      start();
      res.end();
    } catch (err) {
      if (!started) throw err;
      res.end(jsonLine({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) }));
    }
  });
}

/** Registry operations beyond pull: push, login (POST /auth) and search. */
export interface RegistryBackend {
  push(options: { name: string; tag?: string; registryAuth?: string; progress: (m: JsonMessage) => void; signal: AbortSignal }): Promise<void>;
  login(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string; registrytoken?: string }, signal: AbortSignal): Promise<{ Status: string; IdentityToken: string }>;
  search(term: string, options: { limit?: number; registryAuth?: string; signal: AbortSignal }): Promise<unknown[]>;
}

export function registerRegistryRoutes(router: Router, backend: RegistryBackend): void {
  const authHeader = (h: string | string[] | undefined) => (typeof h === 'string' && h ? h : undefined);
  router.post('/images/*name/push', async (ctx) => {
    const res = ctx.res!;
    let started = false;
    const send = (m: JsonMessage) => {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
      res.write(jsonLine(m));
    };
    try {
      await backend.push({ name: ctx.params.name, tag: ctx.query.get('tag') || undefined, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), progress: send, signal: ctx.signal });
      if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    } catch (err) {
      if (!started) throw err;
      res.end(jsonLine({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) }));
    }
  });
  router.post('/auth', async (ctx) => {
    json(ctx.res!, 200, await backend.login(await ctx.json(), ctx.signal));
  });
  router.get('/images/search', async (ctx) => {
    const term = ctx.query.get('term') ?? '';
    const limit = Number(ctx.query.get('limit') ?? 0) || undefined;
    json(ctx.res!, 200, await backend.search(term, { limit, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), signal: ctx.signal }));
  });
}
