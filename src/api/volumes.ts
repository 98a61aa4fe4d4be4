// /volumes/*: the volume API (moby's api/swagger.yaml), translated onto the volume service.
import { InvalidArgument } from '../errors/index.ts';
import { sendJson } from './json.ts';
import { apiVersionAtLeast, boolParam, filtersParam } from './params.ts';
import type { Volume as VolumeView } from '../types/index.ts';
import type { Router } from './router.ts';

export interface VolumesBackend {
  list(filters: Map<string, string[]>): { Volumes: VolumeView[]; Warnings: null };
  get(name: string): VolumeView;
  create(options: { name?: string; driver?: string; options?: Record<string, string> | null; labels?: Record<string, string> | null }): Promise<VolumeView>;
  remove(name: string, options: { force: boolean }): Promise<void>;
  prune(filters: Map<string, string[]>, options: { onlyAnonymous: boolean }): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>;
}

function stringMap(v: unknown, what: string): Record<string, string> | null | undefined {
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgument(`invalid JSON: ${what} must be an object`);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

export function registerVolumeRoutes(router: Router, backend: VolumesBackend): void {
  router.get('/volumes', (ctx) => {
    sendJson(ctx.res!, 200, backend.list(filtersParam(ctx.query)));
  });
  router.post('/volumes/create', async (ctx) => {
    const body = await ctx.json<Record<string, unknown>>();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid JSON: expected an object');
    const name = body.Name ?? '';
    if (typeof name !== 'string') throw new InvalidArgument('invalid JSON: Name must be a string');
    const options = stringMap(body.DriverOpts, 'DriverOpts');
    const labels = stringMap(body.Labels, 'Labels');
    const view = await backend.create({
      name,
      ...(typeof body.Driver === 'string' ? { driver: body.Driver } : {}),
      ...(options !== undefined ? { options } : {}),
      ...(labels !== undefined ? { labels } : {}),
    });
    sendJson(ctx.res!, 201, view);
  });
  router.post('/volumes/prune', async (ctx) => {
    // API 1.42 made prune remove only anonymous volumes unless the `all` filter is set
    sendJson(ctx.res!, 200, await backend.prune(filtersParam(ctx.query), { onlyAnonymous: apiVersionAtLeast(ctx.version, 1, 42) }));
  });
  router.get('/volumes/:name', (ctx) => {
    sendJson(ctx.res!, 200, backend.get(ctx.params.name));
  });
  router.delete('/volumes/:name', async (ctx) => {
    await backend.remove(ctx.params.name, { force: boolParam(ctx.query, 'force') });
    ctx.res!.writeHead(204).end();
  });
}
