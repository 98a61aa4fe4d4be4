// /containers/{id}/archive (HEAD, GET, PUT: what `cp` uses) and /containers/{id}/changes (`diff`).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgument } from '../errors/index.ts';
import type { ExtractOptions, PathStat } from '../engine/index.ts';
import { sendJson } from './json.ts';
import { boolParam } from './params.ts';
import type { Router } from './router.ts';

export interface ArchiveBackend {
  statPath(ref: string, path: string): Promise<PathStat>;
  archivePath(ref: string, path: string): Promise<{ stat: PathStat; stream: Readable }>;
  extractToDir(ref: string, path: string, input: Readable, options: ExtractOptions): Promise<void>;
  changes(ref: string): Promise<Array<{ Path: string; Kind: number }> | null>;
}

const statHeader = (stat: PathStat): string => Buffer.from(JSON.stringify(stat)).toString('base64');

function pathParam(q: URLSearchParams): string {
  const p = q.get('path');
  if (!p) throw new InvalidArgument('bad parameter: path cannot be empty');
  return p;
}

export function registerArchiveRoutes(router: Router, backend: ArchiveBackend): void {
  router.head('/containers/:id/archive', async (ctx) => {
    const stat = await backend.statPath(ctx.params.id, pathParam(ctx.query));
    ctx.res!.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/json' }).end();
  });
  router.get('/containers/:id/archive', async (ctx) => {
    const { stat, stream } = await backend.archivePath(ctx.params.id, pathParam(ctx.query));
    const res = ctx.res!;
    res.writeHead(200, { 'X-Docker-Container-Path-Stat': statHeader(stat), 'Content-Type': 'application/x-tar' });
    try {
      await pipeline(stream, res);
    } catch {
      stream.destroy();
      res.destroy();
    }
  });
  router.put('/containers/:id/archive', async (ctx) => {
    const q = ctx.query;
    const path = pathParam(q);
    // dockerd: overwriting a directory with a file is allowed unless noOverwriteDirNonDir is set
    await backend.extractToDir(ctx.params.id, path, ctx.bodyStream(), {
      noOverwriteDirNonDir: boolParam(q, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(q, 'copyUIDGID'),
    });
    ctx.res!.writeHead(200).end();
  });
  router.get('/containers/:id/changes', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.changes(ctx.params.id));
  });
}
