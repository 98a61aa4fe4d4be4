// /containers/{id}/archive (HEAD, GET, PUT: what `cp` uses) and /containers/{id}/changes (`diff`).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgument } from '../errors/index.ts';
import type { ExtractOptions } from '../engine/index.ts';
import type { ContainerPathStat } from '../types/index.ts';
import { sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';

export interface ArchiveBackend {
  statPath(ref: string, path: string): Promise<ContainerPathStat>;
  archivePath(ref: string, path: string): Promise<{ stat: ContainerPathStat; stream: Readable }>;
  extractToDir(ref: string, path: string, input: Readable, options: ExtractOptions): Promise<void>;
  changes(ref: string): Promise<Array<{ Path: string; Kind: number }> | null>;
}

const statHeader = (stat: ContainerPathStat): string => Buffer.from(JSON.stringify(stat)).toString('base64');

/** The path in the container (a NUL byte in it is refused as in every query string). */
const pathQuery = { path: q.string() };

function pathParam(query: { path: string | undefined }): string {
  if (!query.path) throw new InvalidArgument('bad parameter: path cannot be empty');
  return query.path;
}

export function registerArchiveRoutes(router: Router, backend: ArchiveBackend): void {
  router.head('/containers/:id/archive', { query: pathQuery, body: 'none' }, async (ctx) => {
    const stat = await backend.statPath(ctx.params.id, pathParam(ctx.query));
    ctx.res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/json' }).end();
  });
  router.get('/containers/:id/archive', { query: pathQuery, body: 'none' }, async (ctx) => {
    const { stat, stream } = await backend.archivePath(ctx.params.id, pathParam(ctx.query));
    const res = ctx.res;
    res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/x-tar' });
    try {
      await pipeline(stream, res);
    } catch {
      stream.destroy();
      res.destroy();
    }
  });
  const putQuery = { ...pathQuery, noOverwriteDirNonDir: q.bool(), copyUIDGID: q.bool() };
  router.put('/containers/:id/archive', { query: putQuery, body: 'stream' }, async (ctx) => {
    // dockerd: overwriting a directory with a file is allowed unless noOverwriteDirNonDir is set
    await backend.extractToDir(ctx.params.id, pathParam(ctx.query), ctx.bodyStream(), {
      noOverwriteDirNonDir: ctx.query.noOverwriteDirNonDir,
      copyUIDGID: ctx.query.copyUIDGID,
    });
    ctx.res.writeHead(200).end();
  });
  router.get('/containers/:id/changes', { query: {}, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.changes(ctx.params.id));
  });
}
