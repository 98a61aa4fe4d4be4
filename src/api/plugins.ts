// /plugins/*: Berth runs no managed plugins (its volume and network drivers are built in), so the
// listing is empty and every named plugin is unknown, answered as dockerd answers for a plugin it
// does not have; what would install one (pull, create) is refused as not supported.
import { InvalidArgument, NotFound, NotImplemented } from '../errors/index.ts';
import { parseReference } from '../image/index.ts';
import { filtersParam, intParam } from './params.ts';
import type { RequestContext, Router } from './router.ts';

const notSupported = 'plugins are not supported by Berth';

const json = (ctx: RequestContext, status: number, value: unknown) =>
  ctx.res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value) + '\n');

/** dockerd's errNotFound, with the name as the client gave it. */
const pluginNotFound = (name: string) => new NotFound(`plugin "${name}" not found`);

/** The `remote` of pull, upgrade and privileges: a plugin reference as dockerd parses it. */
function remoteParam(ctx: RequestContext): void {
  parseReference(ctx.query.get('remote') ?? '');
}

export function registerPluginRoutes(router: Router): void {
  router.get('/plugins', (ctx) => {
    // dockerd's accepted filters; with no plugins, any valid filter selects nothing.
    for (const [key, values] of filtersParam(ctx.query)) {
      if (key !== 'enabled' && key !== 'capability') throw new InvalidArgument(`Invalid filter '${key}'`);
      if (key === 'enabled' && values.some((v) => v !== 'true' && v !== 'false')) throw new InvalidArgument(`Invalid filter 'enabled=[${values.join(' ')}]'`);
    }
    json(ctx, 200, []);
  });
  // The privileges a remote plugin asks for before `pull` installs it. Berth installs none and so
  // grants none: the answer is an empty list, as dockerd's is when it cannot fetch the plugin,
  // and the install that follows is refused by POST /plugins/pull.
  router.get('/plugins/privileges', (ctx) => {
    remoteParam(ctx);
    json(ctx, 200, []);
  });
  router.post('/plugins/pull', (ctx) => {
    remoteParam(ctx);
    throw new NotImplemented(notSupported);
  });
  router.post('/plugins/create', (ctx) => {
    parseReference(ctx.query.get('name') ?? '');
    throw new NotImplemented(notSupported);
  });
  router.get('/plugins/*name/json', (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.delete('/plugins/*name', (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/enable', (ctx) => {
    const timeout = intParam(ctx.query, 'timeout');
    if (timeout !== undefined && timeout < 0) throw new InvalidArgument(`invalid value for timeout: ${timeout}`);
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/disable', (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/push', (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/set', (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/upgrade', (ctx) => {
    remoteParam(ctx);
    // dockerd looks the plugin up by its name with the default tag.
    const local = parseReference(ctx.params.name);
    if (local.digest) throw new InvalidArgument('cannot use digest in plugin tag');
    throw pluginNotFound(local.tag ? ctx.params.name : `${ctx.params.name}:latest`);
  });
}
