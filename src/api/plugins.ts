// /plugins/*: Berth runs no managed plugins (its volume and network drivers are built in), so the
// listing is empty and every named plugin is unknown, answered as dockerd answers for a plugin it
// does not have; what would install one (pull, create) is refused as not supported.
import { InvalidArgument, NotFound, NotImplemented } from '../errors/index.ts';
import { parseReference } from '../image/index.ts';
import { sendJson } from './json.ts';
import { q } from './query.ts';
import type { Router } from './router.ts';

const notSupported = 'plugins are not supported by Berth';

/** dockerd's errNotFound, with the name as the client gave it. */
const pluginNotFound = (name: string) => new NotFound(`plugin "${name}" not found`);

/** The `remote` of pull, upgrade and privileges: a plugin reference as dockerd parses it. */
const remote = { remote: q.string() };
function checkRemote(value: string | undefined): void {
  parseReference(value ?? '');
}
const none = { query: {}, body: 'none' } as const;

export function registerPluginRoutes(router: Router): void {
  router.get('/plugins', { query: { filters: q.filters() }, body: 'none' }, (ctx) => {
    // dockerd's accepted filters; with no plugins, any valid filter selects nothing.
    for (const [key, values] of ctx.query.filters) {
      if (key !== 'enabled' && key !== 'capability') throw new InvalidArgument(`Invalid filter '${key}'`);
      if (key === 'enabled' && values.some((v) => v !== 'true' && v !== 'false')) throw new InvalidArgument(`Invalid filter 'enabled=[${values.join(' ')}]'`);
    }
    sendJson(ctx.res, 200, []);
  });
  // The privileges a remote plugin asks for before `pull` installs it. Berth installs none and so
  // grants none: the answer is an empty list, as dockerd's is when it cannot fetch the plugin,
  // and the install that follows is refused by POST /plugins/pull.
  router.get('/plugins/privileges', { query: remote, body: 'none' }, (ctx) => {
    checkRemote(ctx.query.remote);
    sendJson(ctx.res, 200, []);
  });
  // The body (the privileges granted) is not read: the install is refused whatever it says.
  router.post('/plugins/pull', { query: { ...remote, name: q.string() }, body: 'stream' }, (ctx) => {
    checkRemote(ctx.query.remote);
    throw new NotImplemented(notSupported);
  });
  router.post('/plugins/create', { query: { name: q.string() }, body: 'stream' }, (ctx) => {
    parseReference(ctx.query.name ?? '');
    throw new NotImplemented(notSupported);
  });
  router.get('/plugins/*name/json', none, (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.delete('/plugins/*name', { query: { force: q.bool() }, body: 'none' }, (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/enable', { query: { timeout: q.int() }, body: 'none' }, (ctx) => {
    const timeout = ctx.query.timeout;
    if (timeout !== undefined && timeout < 0) throw new InvalidArgument(`invalid value for timeout: ${timeout}`);
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/disable', { query: { force: q.bool() }, body: 'none' }, (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/push', none, (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/set', { query: {}, body: 'stream' }, (ctx) => {
    throw pluginNotFound(ctx.params.name);
  });
  router.post('/plugins/*name/upgrade', { query: remote, body: 'stream' }, (ctx) => {
    checkRemote(ctx.query.remote);
    // dockerd looks the plugin up by its name with the default tag.
    const local = parseReference(ctx.params.name);
    if (local.digest) throw new InvalidArgument('cannot use digest in plugin tag');
    throw pluginNotFound(local.tag ? ctx.params.name : `${ctx.params.name}:latest`);
  });
}
