// Moving images and file systems in and out, and disk housekeeping: /images/get, /images/{name}/get,
// /images/load, /containers/{id}/export, /commit, /images/prune, /system/df.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgument, errorMessage } from '../errors/index.ts';
import type { ContainerConfig, ContainerSummary, ImageSummary, JsonMessage } from '../types/index.ts';
import { boolParam, filtersParam } from './params.ts';
import type { RequestContext, Router } from './router.ts';
import { jsonLine, writeAsync } from './stream.ts';

export interface VolumeUsage {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Scope: string;
  Options: Record<string, string> | null;
  UsageData: { Size: number; RefCount: number };
}

/** The three owners these routes reach: images (the image service), containers (the engine), disk usage. */
export interface TransferBackend {
  images: ImageTransferBackend;
  containers: ContainerTransferBackend;
  system: DiskUsageBackend;
}

export interface ImageTransferBackend {
  /** Checks the names (throwing NotFound before anything is sent), then streams the archive. */
  saveImages(names: string[]): Readable;
  loadImages(input: Readable, options: { quiet: boolean; progress: (m: JsonMessage) => void }): Promise<void>;
  pruneImages(filters: Map<string, string[]>): Promise<{ ImagesDeleted: unknown[] | null; SpaceReclaimed: number }>;
}

export interface ContainerTransferBackend {
  export(ref: string): Promise<Readable>;
  commit(
    ref: string,
    options: {
      repo?: string;
      tag?: string;
      author?: string;
      comment?: string;
      changes: string[];
      config: Partial<ContainerConfig> | null;
      pause: boolean;
    },
  ): Promise<{ Id: string }>;
}

export interface DiskUsageBackend {
  diskUsage(types: Set<string>): Promise<{
    LayersSize?: number;
    Images?: ImageSummary[];
    Containers?: ContainerSummary[];
    Volumes?: VolumeUsage[];
    BuildCache?: unknown[];
  }>;
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value) + '\n');

/** Sends a tar stream; an error after the head is sent can only cut the connection. */
async function sendTar(ctx: RequestContext, stream: Readable): Promise<void> {
  const res = ctx.res!;
  res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  const abort = () => stream.destroy(new Error('client disconnected'));
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    await pipeline(stream, res);
  } catch {
    res.destroy();
  } finally {
    ctx.signal.removeEventListener('abort', abort);
  }
}

export function registerTransferRoutes(router: Router, backend: TransferBackend): void {
  router.get('/images/get', async (ctx) => {
    await sendTar(ctx, backend.images.saveImages(ctx.query.getAll('names')));
  });
  router.get('/images/*name/get', async (ctx) => {
    await sendTar(ctx, backend.images.saveImages([ctx.params.name]));
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
      await backend.images.loadImages(ctx.bodyStream(), { quiet, progress: send });
    } catch (err) {
      send({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) });
    }
    await writing;
    res.end();
  });
  router.get('/containers/:id/export', async (ctx) => {
    await sendTar(ctx, await backend.containers.export(ctx.params.id));
  });
  router.post('/commit', async (ctx) => {
    const q = ctx.query;
    const container = q.get('container');
    if (!container) throw new InvalidArgument('No container name or ID supplied');
    const body = await ctx.json<Partial<ContainerConfig> | null>();
    const config = body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length ? body : null;
    const result = await backend.containers.commit(container, {
      ...(q.get('repo') ? { repo: q.get('repo')! } : {}),
      ...(q.get('tag') ? { tag: q.get('tag')! } : {}),
      ...(q.get('author') ? { author: q.get('author')! } : {}),
      ...(q.get('comment') ? { comment: q.get('comment')! } : {}),
      changes: q.getAll('changes'),
      config,
      pause: boolParam(q, 'pause', true),
    });
    json(ctx.res!, 201, result);
  });
  router.post('/images/prune', async (ctx) => {
    json(ctx.res!, 200, await backend.images.pruneImages(filtersParam(ctx.query)));
  });
  router.get('/system/df', async (ctx) => {
    const known = ['container', 'image', 'volume', 'build-cache'];
    const types = new Set(ctx.query.getAll('type'));
    for (const t of types) if (!known.includes(t)) throw new InvalidArgument(`unknown object type: ${t}`);
    json(ctx.res!, 200, await backend.system.diskUsage(types.size ? types : new Set(known)));
  });
}
