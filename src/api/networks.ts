// /networks/*: translation between the wire format and the network service (and, for connect and
// disconnect, the container engine).
import { InvalidArgument } from '../errors/index.ts';
import type { EndpointSettings } from '../types/index.ts';
import { sendJson } from './json.ts';
import { filtersParam } from './params.ts';
import type { Router } from './router.ts';

export interface NetworksBackend {
  list(filters: Map<string, string[]>): Promise<unknown[]> | unknown[];
  inspect(ref: string): Promise<unknown> | unknown;
  create(req: Record<string, unknown>): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }>;
}

/** Connecting a container changes the container's record: the container engine does it. */
export interface NetworkAttachBackend {
  connectNetwork(container: string, network: string, config: Partial<EndpointSettings>): Promise<void>;
  disconnectNetwork(container: string, network: string): Promise<void>;
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid JSON: expected an object');
  return body as Record<string, unknown>;
}

export function registerNetworkRoutes(router: Router, backend: NetworksBackend, containers: NetworkAttachBackend): void {
  router.get('/networks', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.list(filtersParam(ctx.query)));
  });
  router.post('/networks/create', async (ctx) => {
    const body = objectBody(await ctx.json());
    sendJson(ctx.res!, 201, await backend.create(body));
  });
  router.post('/networks/prune', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.prune(filtersParam(ctx.query)));
  });
  router.get('/networks/:id', async (ctx) => {
    sendJson(ctx.res!, 200, await backend.inspect(ctx.params.id));
  });
  router.delete('/networks/:id', async (ctx) => {
    await backend.remove(ctx.params.id);
    ctx.res!.writeHead(204).end();
  });
  router.post('/networks/:id/connect', async (ctx) => {
    const body = objectBody(await ctx.json());
    const container = typeof body.Container === 'string' ? body.Container : '';
    if (!container) throw new InvalidArgument('no container specified');
    const cfg = (body.EndpointConfig ?? {}) as Partial<EndpointSettings>;
    await containers.connectNetwork(container, ctx.params.id, cfg);
    ctx.res!.writeHead(200).end();
  });
  router.post('/networks/:id/disconnect', async (ctx) => {
    const body = objectBody(await ctx.json());
    const container = typeof body.Container === 'string' ? body.Container : '';
    if (!container) throw new InvalidArgument('no container specified');
    await containers.disconnectNetwork(container, ctx.params.id);
    ctx.res!.writeHead(200).end();
  });
}
