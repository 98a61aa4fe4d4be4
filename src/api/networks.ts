// /networks/*: translation between the wire format and the network service (and, for connect and
// disconnect, the container engine).
import { InvalidArgument } from '../errors/index.ts';
import { endpointSettings, go } from '../schema/index.ts';
import type { EndpointSettings, NetworkCreateBody } from '../types/index.ts';
import { sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';

export interface NetworksBackend {
  list(filters: Map<string, string[]>): Promise<unknown[]> | unknown[];
  inspect(ref: string): Promise<unknown> | unknown;
  create(req: NetworkCreateBody): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: string[] }>;
}

/** Connecting a container changes the container's record: the container engine does it. */
export interface NetworkAttachBackend {
  connectNetwork(container: string, network: string, config: Partial<EndpointSettings>): Promise<void>;
  disconnectNetwork(container: string, network: string): Promise<void>;
}

/** types.NetworkCreateRequest. */
const createBody = go.struct('types.NetworkCreateRequest', {
  Name: go.string(),
  CheckDuplicate: go.bool(),
  Driver: go.string(),
  Scope: go.string(),
  Internal: go.bool(),
  Attachable: go.bool(),
  Ingress: go.bool(),
  ConfigOnly: go.bool(),
  ConfigFrom: go.nullable(go.struct('network.ConfigReference', { Network: go.string() })),
  EnableIPv6: go.bool(),
  IPAM: go.nullable(
    go.struct('network.IPAM', {
      Driver: go.string(),
      Config: go.nullable(
        go.slice(
          go.struct('network.IPAMConfig', {
            Subnet: go.required(go.string()),
            IPRange: go.string(),
            Gateway: go.string(),
            AuxiliaryAddresses: go.map(go.string()),
          }),
        ),
      ),
      Options: go.nullable(go.map(go.string())),
    }),
  ),
  Options: go.nullable(go.map(go.string())),
  Labels: go.nullable(go.map(go.string({ nul: true }))),
});

const connectBody = go.struct('types.NetworkConnect', { Container: go.string(), EndpointConfig: endpointSettings });
const disconnectBody = go.struct('types.NetworkDisconnect', { Container: go.string(), Force: go.bool() });
const none = { query: {}, body: 'none' } as const;

export function registerNetworkRoutes(router: Router, backend: NetworksBackend, containers: NetworkAttachBackend): void {
  router.get('/networks', { query: { filters: q.filters() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.list(ctx.query.filters));
  });
  router.post('/networks/create', { query: {}, body: createBody }, async (ctx) => {
    sendJson(ctx.res, 201, await backend.create(ctx.body));
  });
  router.post('/networks/prune', { query: { filters: q.filters() }, body: 'none' }, async (ctx) => {
    sendJson(ctx.res, 200, await backend.prune(ctx.query.filters));
  });
  router.get('/networks/:id', none, async (ctx) => {
    sendJson(ctx.res, 200, await backend.inspect(ctx.params.id));
  });
  router.delete('/networks/:id', none, async (ctx) => {
    await backend.remove(ctx.params.id);
    ctx.res.writeHead(204).end();
  });
  router.post('/networks/:id/connect', { query: {}, body: connectBody }, async (ctx) => {
    const { Container: container, EndpointConfig: cfg } = ctx.body;
    if (!container) throw new InvalidArgument('no container specified');
    const endpoint: Partial<EndpointSettings> = cfg ?? {};
    await containers.connectNetwork(container, ctx.params.id, endpoint);
    ctx.res.writeHead(200).end();
  });
  router.post('/networks/:id/disconnect', { query: {}, body: disconnectBody }, async (ctx) => {
    const container = ctx.body.Container;
    if (!container) throw new InvalidArgument('no container specified');
    await containers.disconnectNetwork(container, ctx.params.id);
    ctx.res.writeHead(200).end();
  });
}
