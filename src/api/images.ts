// /images/*: translation between the wire format and the image service, and the image archives
// (save: /images/get and /images/{name}/get; load: /images/load) and prune.
import type { Readable } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { DeleteResponseItem, ImageHistoryEntry, ImageSummary, JsonMessage } from '../types/index.ts';
import { jsonLine, sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';
import { sendTar, writeAsync } from './stream.ts';

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

/** save, load and prune. */
export interface ImageArchiveBackend {
  /** Checks the names (throwing NotFound before anything is sent), then streams the archive. */
  saveImages(names: string[]): Readable;
  loadImages(input: Readable, options: { quiet: boolean; progress: (m: JsonMessage) => void }): Promise<void>;
  pruneImages(filters: Map<string, string[]>): Promise<{ ImagesDeleted: unknown[] | null; SpaceReclaimed: number }>;
}

const none = { query: {}, body: 'none' } as const;

export function registerImageRoutes(router: Router, backend: ImagesBackend): void {
  router.get('/images/json', { query: { all: q.bool(), filters: q.filters(), digests: q.bool() }, body: 'none' }, (ctx) => {
    const { all, filters, digests } = ctx.query;
    sendJson(ctx.res, 200, backend.list({ all, filters, digests }));
  });
  router.get('/images/*name/json', none, async (ctx) => {
    sendJson(ctx.res, 200, await backend.inspect(ctx.params.name));
  });
  router.get('/images/*name/history', none, (ctx) => {
    sendJson(ctx.res, 200, backend.history(ctx.params.name));
  });
  router.post('/images/*name/tag', { query: { repo: q.string(), tag: q.string() }, body: 'none' }, async (ctx) => {
    await backend.tag(ctx.params.name, ctx.query.repo ?? '', ctx.query.tag || undefined);
    ctx.res.writeHead(201).end();
  });
  router.delete('/images/*name', { query: { force: q.bool(), noprune: q.bool() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.remove(ctx.params.name, { force: ctx.query.force, prune: !ctx.query.noprune }));
  });
  const createQuery = { fromSrc: q.string(), fromImage: q.string(), repo: q.string(), tag: q.string(), message: q.string(), platform: q.string(), changes: q.strings() };
  router.post('/images/create', { query: createQuery, body: 'stream' }, async (ctx) => {
    const { fromSrc, fromImage, repo, tag, message, platform, changes } = ctx.query;
    const res = ctx.res;
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
      if (fromSrc !== undefined) {
        if (fromSrc !== '-') throw new InvalidArgument('importing from a URL is not supported; use fromSrc=-');
        const image = await backend.importImage(ctx.bodyStream(), { repo, tag, message, changes });
        send({ status: image.id });
      } else if (fromImage !== undefined) {
        const registryAuth = ctx.req.headers['x-registry-auth'];
        await backend.pull({
          image: fromImage,
          tag: tag || undefined,
          platform: platform || undefined,
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

export function registerImageArchiveRoutes(router: Router, backend: ImageArchiveBackend): void {
  router.get('/images/get', { query: { names: q.strings() }, body: 'none' }, async (ctx) => {
    await sendTar(ctx, backend.saveImages(ctx.query.names));
  });
  router.get('/images/*name/get', none, async (ctx) => {
    await sendTar(ctx, backend.saveImages([ctx.params.name]));
  });
  // dockerd defaults quiet to true when the parameter is absent
  router.post('/images/load', { query: { quiet: q.bool(true) }, body: 'stream' }, async (ctx) => {
    const res = ctx.res;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let writing: Promise<void> = Promise.resolve();
    const send = (m: JsonMessage) => {
      writing = writing.then(() => writeAsync(res, jsonLine(m))).catch(() => {});
    };
    try {
      await backend.loadImages(ctx.bodyStream(), { quiet: ctx.query.quiet, progress: send });
    } catch (err) {
      send({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) });
    }
    await writing;
    res.end();
  });
  router.post('/images/prune', { query: { filters: q.filters() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.pruneImages(ctx.query.filters));
  });
}
