// /_ping, /version, /info.
import type { Router } from './router.ts';
import { apiVersion, minApiVersion } from './server.ts';

export interface SystemBackend {
  version(): Promise<Record<string, unknown>>;
  info(): Promise<Record<string, unknown>>;
}

export function registerSystemRoutes(router: Router, backend: SystemBackend): void {
  const ping = (ctx: Parameters<Parameters<Router['get']>[1]>[0]) => {
    const res = ctx.res!;
    res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Builder-Version', '1');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
    res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
  };
  router.get('/_ping', ping);
  router.head('/_ping', ping);
  router.get('/version', async (ctx) => {
    const v = await backend.version();
    ctx.res!.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ...v, ApiVersion: apiVersion, MinAPIVersion: minApiVersion }) + '\n');
  });
  router.get('/info', async (ctx) => {
    ctx.res!.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(await backend.info()) + '\n');
  });
}
