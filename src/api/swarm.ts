// Swarm mode's routes (/swarm, /nodes, /services, /tasks, /secrets, /configs), answered as dockerd
// answers them on a node that is in no swarm: Berth is never a swarm member, and it cannot become
// one (init and join are refused as not supported).
import { InvalidArgument, NotImplemented, Unavailable } from '../errors/index.ts';
import { go } from '../schema/index.ts';
import { q, type QueryParam } from './query.ts';
import type { Router } from './router.ts';

const noManager = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const noSwarm = 'This node is not part of a swarm';

const notManager = () => {
  throw new Unavailable(noManager);
};

/** A body that must be this Go struct (refused when malformed) before the swarm answers; its fields are never used. */
const json = (goType: string) => ({ query: {}, body: go.struct(goType, {}) });
const none = { query: {}, body: 'none' } as const;
/** An update's `version`: an integer to dockerd, read as sent so that its own words can refuse it (strconv.ParseUint). */
const versionParam: QueryParam<string | undefined> = { type: 'integer', read: (query, name) => query.get(name) ?? undefined };
const update = (goType: string) => ({ query: { version: versionParam }, body: go.struct(goType, {}) });

function checkVersion(version: string | undefined, kind: string): void {
  const raw = version ?? '';
  if (/^\d+$/.test(raw) && BigInt(raw) < 2n ** 64n) return;
  // secrets and configs say only this much
  if (kind === 'secret' || kind === 'config') throw new InvalidArgument(`invalid ${kind} version`);
  const why = /^\d+$/.test(raw) ? 'value out of range' : 'invalid syntax';
  throw new InvalidArgument(`invalid ${kind} version '${raw}': strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${why}`);
}

/** Service and task logs check their stream choice before the swarm is asked. */
const logs = { query: { stdout: q.bool(), stderr: q.bool() }, body: 'none' } as const;
function checkLogStreams(query: { stdout: boolean; stderr: boolean }): void {
  if (!query.stdout && !query.stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
}

export function registerSwarmRoutes(router: Router): void {
  router.get('/swarm', none, notManager);
  router.get('/swarm/unlockkey', none, notManager);
  router.post('/swarm/init', json('swarm.InitRequest'), () => {
    throw new NotImplemented('swarm mode is not supported by Berth');
  });
  router.post('/swarm/join', json('swarm.JoinRequest'), () => {
    throw new NotImplemented('swarm mode is not supported by Berth');
  });
  router.post('/swarm/leave', { query: { force: q.bool() }, body: 'none' }, () => {
    throw new Unavailable(noSwarm);
  });
  router.post('/swarm/update', update('swarm.Spec'), (ctx) => {
    checkVersion(ctx.query.version, 'swarm');
    notManager();
  });
  router.post('/swarm/unlock', json('swarm.UnlockRequest'), notManager);

  for (const [base, kind, spec] of [
    ['/services', 'service', 'swarm.ServiceSpec'],
    ['/nodes', 'node', 'swarm.NodeSpec'],
    ['/tasks', 'task', ''],
    ['/secrets', 'secret', 'swarm.SecretSpec'],
    ['/configs', 'config', 'swarm.ConfigSpec'],
  ] as const) {
    router.get(base, { query: { filters: q.filters() }, body: 'none' }, notManager);
    router.get(`${base}/:id`, none, notManager);
    if (kind === 'service' || kind === 'task') {
      router.get(`${base}/:id/logs`, logs, (ctx) => {
        checkLogStreams(ctx.query);
        notManager();
      });
    }
    if (kind === 'task') continue;
    if (kind !== 'node') router.post(`${base}/create`, json(spec), notManager);
    router.delete(`${base}/:id`, kind === 'node' ? { query: { force: q.bool() }, body: 'none' } : none, notManager);
    router.post(`${base}/:id/update`, update(spec), (ctx) => {
      checkVersion(ctx.query.version, kind);
      notManager();
    });
  }
}
