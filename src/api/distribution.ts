// GET /distribution/{name}/json: what a registry holds for a reference (descriptor and platforms),
// asked with the client's X-Registry-Auth.
import type { Router } from './router.ts';

export interface DistributionBackend {
  inspect(name: string, options: { registryAuth?: string | undefined; signal: AbortSignal }): Promise<unknown>;
}

export function registerDistributionRoutes(router: Router, backend: DistributionBackend): void {
  router.get('/distribution/*name/json', async (ctx) => {
    const auth = ctx.req.headers['x-registry-auth'];
    const info = await backend.inspect(ctx.params.name, { registryAuth: typeof auth === 'string' && auth ? auth : undefined, signal: ctx.signal });
    ctx.res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info) + '\n');
  });
}
