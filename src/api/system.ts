// /_ping, /version, /info, /system/df.
import { InvalidArgument } from '../errors/index.ts';
import type { DiskUsage } from '../types/index.ts';
import { sendJson } from './json.ts';
import { q } from './query.ts';
import type { RequestContext, Router } from './router.ts';
import { apiVersion, minApiVersion } from './server.ts';

export interface SystemBackend {
  version(): Promise<Record<string, unknown>>;
  info(): Promise<Record<string, unknown>>;
}

export function registerSystemRoutes(router: Router, backend: SystemBackend): void {
  const ping = (ctx: RequestContext) => {
    const res = ctx.res!;
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', '1');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
    res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  router.get('/_ping', { query: {}, body: 'none' }, ping);
  router.head('/_ping', { query: {}, body: 'none' }, ping);
  router.get('/version', { query: {}, body: 'none' }, async (ctx) => {
    const v = await backend.version();
    sendJson(ctx.res!, 200, { ...v, ApiVersion: apiVersion, MinAPIVersion: minApiVersion });
  });
  router.get('/info', { query: {}, body: 'none' }, async (ctx) => {
    sendJson(ctx.res!, 200, await backend.info());
  });
}

/** `system df`: what each kind of object takes on disk. */
export interface DiskUsageBackend {
  /** Only the kinds in `types` ("container", "image", "volume", "build-cache") are filled in. */
  diskUsage(types: Set<string>): Promise<DiskUsage>;
}

export function registerDiskUsageRoutes(router: Router, backend: DiskUsageBackend): void {
  router.get('/system/df', { query: { type: q.strings() }, body: 'none' }, async (ctx) => {
    const known = ['container', 'image', 'volume', 'build-cache'];
    const types = new Set(ctx.query.type);
    for (const t of types) if (!known.includes(t)) throw new InvalidArgument(`unknown object type: ${t}`);
    sendJson(ctx.res!, 200, await backend.diskUsage(types.size ? types : new Set(known)));
  });
}
