// Registry operations beyond pull: push (/images/{name}/push), login (POST /auth) and search
// (/images/search).
import { errorMessage } from '../errors/index.ts';
import type { JsonMessage } from '../types/index.ts';
import { jsonLine, sendJson } from './json.ts';
import type { Router } from './router.ts';

/** What the distribution service does for registry routes (pull is an image route). */
export interface RegistryBackend {
  push(options: { name: string; tag?: string; registryAuth?: string; progress: (m: JsonMessage) => void; signal: AbortSignal }): Promise<void>;
  login(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string; registrytoken?: string }, signal: AbortSignal): Promise<{ Status: string; IdentityToken: string }>;
  search(term: string, options: { limit?: number; registryAuth?: string; signal: AbortSignal }): Promise<unknown[]>;
}

export function registerRegistryRoutes(router: Router, backend: RegistryBackend): void {
  const authHeader = (h: string | string[] | undefined) => (typeof h === 'string' && h ? h : undefined);
  router.post('/images/*name/push', async (ctx) => {
    const res = ctx.res!;
    let started = false;
    const send = (m: JsonMessage) => {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
      res.write(jsonLine(m));
    };
    try {
      await backend.push({ name: ctx.params.name, tag: ctx.query.get('tag') || undefined, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), progress: send, signal: ctx.signal });
      if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    } catch (err) {
      if (!started) throw err;
      res.end(jsonLine({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) }));
    }
  });
  router.post('/auth', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.login(await ctx.json(), ctx.signal));
  });
  router.get('/images/search', async (ctx) => {
    const term = ctx.query.get('term') ?? '';
    const limit = Number(ctx.query.get('limit') ?? 0) || undefined;
    sendJson(ctx.res!, 200, await backend.search(term, { limit, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), signal: ctx.signal }));
  });
}
