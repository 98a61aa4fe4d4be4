// /images/*: translation between the wire format and the image service, and the image archives
// (save: /images/get and /images/{name}/get; load: /images/load) and prune.
import type { Readable } from 'node:stream';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { DeleteResponseItem, ImageHistoryEntry, ImageSummary, JsonMessage } from '../types/index.ts';
import { jsonLine, sendJson } from './json.ts';
import { boolParam, filtersParam } from './params.ts';
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

export function registerImageRoutes(router: Router, backend: ImagesBackend): void {
  router.get('/images/json', (ctx) => {
    const list = backend.list({ all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query), digests: boolParam(ctx.query, 'digests') });
    sendJson(ctx.res!, 200, list);
  });
  router.get('/images/*name/json', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.inspect(ctx.params.name));
  });
  router.get('/images/*name/history', (ctx) => {
    sendJson(ctx.res!, 200, backend.history(ctx.params.name));
  });
  router.post('/images/*name/tag', async (ctx) => {
    await backend.tag(ctx.params.name, ctx.query.get('repo') ?? '', ctx.query.get('tag') ?? undefined);
    ctx.res!.writeHead(201).end();
  });
  router.delete('/images/*name', async (ctx) => {
    const items = await backend.remove(ctx.params.name, { force: boolParam(ctx.query, 'force'), prune: !boolParam(ctx.query, 'noprune') });
    sendJson(ctx.res!, 200, items);
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

export function registerImageArchiveRoutes(router: Router, backend: ImageArchiveBackend): void {
  router.get('/images/get', async (ctx) => {
    await sendTar(ctx, backend.saveImages(ctx.query.getAll('names')));
  });
  router.get('/images/*name/get', async (ctx) => {
    await sendTar(ctx, backend.saveImages([ctx.params.name]));
  });
  router.post('/images/load', async (ctx) => {
    const res = ctx.res!;
    // dockerd defaults quiet to true when the parameter is absent
    const quiet = boolParam(ctx.query, 'quiet', true);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let writing: Promise<void> = Promise.resolve();
    const send = (m: JsonMessage) => {
      writing = writing.then(() => writeAsync(res, jsonLine(m))).catch(() => {});
    };
    try {
      await backend.loadImages(ctx.bodyStream(), { quiet, progress: send });
    } catch (err) {
      send({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) });
    }
    await writing;
    res.end();
  });
  router.post('/images/prune', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.pruneImages(filtersParam(ctx.query)));
  });
}
