// Registry operations beyond pull: push (/images/{name}/push), login (POST /auth) and search
// (/images/search).
import { errorMessage } from '../errors/index.ts';
import type { JsonMessage } from '../types/index.ts';
import { go } from '../schema/index.ts';
import { jsonLine, sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';

/** registry.AuthConfig, the body of POST /auth. */
const authBody = go.struct('registry.AuthConfig', {
  username: go.string(),
  password: go.string({ nul: true }),
  auth: go.string(),
  email: go.string(),
  serveraddress: go.string(),
  identitytoken: go.string(),
  registrytoken: go.string(),
});

/** What the distribution service does for registry routes (pull is an image route). */
export interface RegistryBackend {
  push(options: { name: string; tag?: string; registryAuth?: string; progress: (m: JsonMessage) => void; signal: AbortSignal }): Promise<void>;
  login(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string; registrytoken?: string }, signal: AbortSignal): Promise<{ Status: string; IdentityToken: string }>;
  search(term: string, options: { limit?: number; registryAuth?: string; signal: AbortSignal }): Promise<unknown[]>;
}

export function registerRegistryRoutes(router: Router, backend: RegistryBackend): void {
  const authHeader = (h: string | string[] | undefined) => (typeof h === 'string' && h ? h : undefined);
  router.post('/images/*name/push', { query: { tag: q.string() }, body: 'none' }, async (ctx) => {
    const res = ctx.res;
    let started = false;
    const send = (m: JsonMessage) => {
      if (!started) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        started = true;
      }
      res.write(jsonLine(m));
    };
    try {
      await backend.push({ name: ctx.params.name, tag: ctx.query.tag || undefined, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), progress: send, signal: ctx.signal });
      if (!started) res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
    } catch (err) {
      if (!started) throw err;
      res.end(jsonLine({ errorDetail: { message: errorMessage(err) }, error: errorMessage(err) }));
    }
  });
  router.post('/auth', { query: {}, body: authBody }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.login(ctx.body, ctx.signal));
  });
  router.get('/images/search', { query: { term: q.string(), limit: q.int() }, body: 'none' }, async (ctx) => {
    const term = ctx.query.term ?? '';
    const limit = ctx.query.limit || undefined;
    sendJson(ctx.res, 200, await backend.search(term, { limit, registryAuth: authHeader(ctx.req.headers['x-registry-auth']), signal: ctx.signal }));
  });
}
