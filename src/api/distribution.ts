// GET /distribution/{name}/json: what a registry holds for a reference (descriptor and platforms),
// asked with the client's X-Registry-Auth.
import { sendJson } from './json.ts';
import type { Router } from './router.ts';

export interface DistributionBackend {
  inspect(name: string, options: { registryAuth?: string | undefined; signal: AbortSignal }): Promise<unknown>;
}

export function registerDistributionRoutes(router: Router, backend: DistributionBackend): void {
  router.get('/distribution/*name/json', { query: {}, body: 'none' }, async (ctx) => {
    const auth = ctx.req.headers['x-registry-auth'];
    const info = await backend.inspect(ctx.params.name, { registryAuth: typeof auth === 'string' && auth ? auth : undefined, signal: ctx.signal });
    sendJson(ctx.res, 200, info);
  });
}
