// Swarm mode's routes (/swarm, /nodes, /services, /tasks, /secrets, /configs), answered as dockerd
// answers them on a node that is in no swarm: Berth is never a swarm member, and it cannot become
// one (init and join are refused as not supported).
import { InvalidArgument, NotImplemented, Unavailable } from '../errors/index.ts';
import { boolParam } from './params.ts';
import type { RequestContext, Router } from './router.ts';

const noManager = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const noSwarm = 'This node is not part of a swarm';

const notManager = () => {
  throw new Unavailable(noManager);
};

/** A body that must be JSON, read (and refused when malformed) before the swarm answers. */
const readBody = async (ctx: RequestContext) => {
  await ctx.json();
};

/** The `version` query parameter of an update, checked with dockerd's words (strconv.ParseUint). */
function checkVersion(ctx: RequestContext, kind: string): void {
  const raw = ctx.query.get('version') ?? '';
  if (/^\d+$/.test(raw) && BigInt(raw) < 2n ** 64n) return;
  // secrets and configs say only this much
  if (kind === 'secret' || kind === 'config') throw new InvalidArgument(`invalid ${kind} version`);
  const why = /^\d+$/.test(raw) ? 'value out of range' : 'invalid syntax';
  throw new InvalidArgument(`invalid ${kind} version '${raw}': strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${why}`);
}

/** Service and task logs check their stream choice before the swarm is asked. */
function checkLogStreams(ctx: RequestContext): void {
  if (!boolParam(ctx.query, 'stdout') && !boolParam(ctx.query, 'stderr')) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
}

export function registerSwarmRoutes(router: Router): void {
  router.get('/swarm', notManager);
  router.get('/swarm/unlockkey', notManager);
  router.post('/swarm/init', async (ctx) => {
    await readBody(ctx);
    throw new NotImplemented('swarm mode is not supported by Berth');
  });
  router.post('/swarm/join', async (ctx) => {
    await readBody(ctx);
    throw new NotImplemented('swarm mode is not supported by Berth');
  });
  router.post('/swarm/leave', () => {
    throw new Unavailable(noSwarm);
  });
  router.post('/swarm/update', async (ctx) => {
    await readBody(ctx);
    checkVersion(ctx, 'swarm');
    notManager();
  });
  router.post('/swarm/unlock', async (ctx) => {
    await readBody(ctx);
    notManager();
  });

  for (const [base, kind] of [
    ['/services', 'service'],
    ['/nodes', 'node'],
    ['/tasks', 'task'],
    ['/secrets', 'secret'],
    ['/configs', 'config'],
  ] as const) {
    router.get(base, notManager);
    router.get(`${base}/:id`, notManager);
    if (kind === 'service' || kind === 'task') {
      router.get(`${base}/:id/logs`, (ctx) => {
        checkLogStreams(ctx);
        notManager();
      });
    }
    if (kind === 'task') continue;
    if (kind !== 'node') {
      router.post(`${base}/create`, async (ctx) => {
        await readBody(ctx);
        notManager();
      });
    }
    router.delete(`${base}/:id`, notManager);
    router.post(`${base}/:id/update`, async (ctx) => {
      await readBody(ctx);
      checkVersion(ctx, kind);
      notManager();
    });
  }
}
