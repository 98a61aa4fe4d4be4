// /volumes/*: the volume API (moby's api/swagger.yaml), translated onto the volume service.
import { go } from '../schema/index.ts';
import type { Volume as VolumeView } from '../types/index.ts';
import { sendJson } from './json.ts';
import { apiVersionAtLeast, q } from './query.ts';
import type { Router } from './router.ts';

export interface VolumesBackend {
  list(filters: Map<string, string[]>): { Volumes: VolumeView[]; Warnings: null };
  get(name: string): VolumeView;
  create(options: { name?: string; driver?: string; options?: Record<string, string> | null; labels?: Record<string, string> | null }): Promise<VolumeView>;
  remove(name: string, options: { force: boolean }): Promise<void>;
  prune(filters: Map<string, string[]>, options: { onlyAnonymous: boolean }): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>;
}

/** volume.CreateOptions (the name's rules and length are the volume service's). */
const createBody = go.struct('volume.CreateOptions', {
  Name: go.string(),
  Driver: go.string(),
  DriverOpts: go.nullable(go.map(go.string())),
  Labels: go.nullable(go.map(go.string({ nul: true }))),
});

export function registerVolumeRoutes(router: Router, backend: VolumesBackend): void {
  router.get('/volumes', { query: { filters: q.filters() }, body: 'none' }, (ctx) => {
    sendJson(ctx.res, 200, backend.list(ctx.query.filters));
  });
  router.post('/volumes/create', { query: {}, body: createBody }, async (ctx) => {
    const { Name: name = '', Driver: driver, DriverOpts: options, Labels: labels } = ctx.body;
    const view = await backend.create({
      name,
      ...(driver !== undefined ? { driver } : {}),
      ...(options !== undefined ? { options } : {}),
      ...(labels !== undefined ? { labels } : {}),
    });
    sendJson(ctx.res, 201, view);
  });
  router.post('/volumes/prune', { query: { filters: q.filters() }, body: 'none' }, async (ctx) => {
    // API 1.42 made prune remove only anonymous volumes unless the `all` filter is set
    sendJson(ctx.res, 200, await backend.prune(ctx.query.filters, { onlyAnonymous: apiVersionAtLeast(ctx.version, 1, 42) }));
  });
  router.get('/volumes/:name', { query: {}, body: 'none' }, (ctx) => {
    sendJson(ctx.res, 200, backend.get(ctx.params.name));
  });
  router.delete('/volumes/:name', { query: { force: q.bool() }, body: 'none' }, async (ctx) => {
    await backend.remove(ctx.params.name, { force: ctx.query.force });
    ctx.res.writeHead(204).end();
  });
}
