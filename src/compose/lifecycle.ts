// start, stop, restart, kill, pause, unpause and rm of a project's existing containers, as
// compose v2 does them: in dependency order (dependents stopped first, dependencies started
// first, their depends_on conditions awaited), with compose's progress titles and lines.
import type { ContainerSummary } from '../types/index.ts';
import { InvalidArgument, NotFound } from '../errors/index.ts';
import { executePlan, containerEventName, preStop } from './executor.ts';
import { dependencyOrder } from './graph.ts';
import { labels } from './labels.ts';
import { serviceScale, type ComposeProject } from './model.ts';
import { projectContainers } from './observe.ts';
import type { Action, ActionInput } from './planner.ts';
import { done, failed, working, type ProgressWriter } from './progress.ts';
import { progressOn, type Session } from './session.ts';

const nameOf = (c: ContainerSummary) => (c.Names?.[0] ?? '').replace(/^\//, '');
const serviceOf = (c: ContainerSummary) => c.Labels?.[labels.service] ?? '';
const numberOf = (c: ContainerSummary) => Number.parseInt(c.Labels?.[labels.containerNumber] ?? '0', 10) || 0;

/** An unknown service name is compose's "no such service: x". */
export function checkServices(project: ComposeProject, services: readonly string[]): void {
  for (const s of services) if (!project.services[s] && !project.disabledServices[s]) throw new NotFound(`no such service: ${s}`);
}

function byService(containers: readonly ContainerSummary[]): Map<string, ContainerSummary[]> {
  const out = new Map<string, ContainerSummary[]>();
  for (const c of [...containers].sort((a, b) => numberOf(a) - numberOf(b))) {
    const s = serviceOf(c);
    (out.get(s) ?? out.set(s, []).get(s)!).push(c);
  }
  return out;
}

/** Numbers the actions as the planner does. */
class Actions {
  readonly list: Action[] = [];
  add(a: ActionInput, after: Iterable<number | undefined> = []): number {
    const id = this.list.length + 1;
    this.list.push({ ...a, id, after: [...new Set([...after].filter((x): x is number => x !== undefined))] } as Action);
    return id;
  }
}

async function run(session: Session, project: ComposeProject, title: string, actions: Action[]): Promise<void> {
  const progress = progressOn(session, title);
  try {
    await executePlan(actions, { engine: session.engine, project, progress, parallel: session.parallel, sleep: session.sleep });
  } finally {
    progress.stop();
  }
}

/** The services in the order they start (dependencies first), all of them or those named. */
function startOrder(project: ComposeProject, services: readonly string[]): string[] {
  const all = { ...project.disabledServices, ...project.services };
  return dependencyOrder(all).filter((s) => services.length === 0 || services.includes(s));
}

export async function startProject(session: Session, project: ComposeProject, options: { services: readonly string[]; wait?: boolean }): Promise<void> {
  checkServices(project, options.services);
  const containers = byService(await projectContainers(session.engine, project.name, { all: true, oneOff: false }));
  const actions = new Actions();
  const started = new Map<string, number[]>();
  for (const name of startOrder(project, options.services)) {
    const service = project.services[name] ?? project.disabledServices[name];
    const mine = containers.get(name) ?? [];
    if (mine.length === 0) {
      if (serviceScale(service) === 0 || (options.services.length === 0 && !project.services[name])) continue;
      throw new InvalidArgument(`service ${JSON.stringify(name)} has no container to start`);
    }
    const after: number[] = [];
    for (const [dep, cfg] of Object.entries(service.depends_on ?? {})) {
      after.push(...(started.get(dep) ?? []));
      const depContainers = containers.get(dep) ?? [];
      if (cfg.condition === 'service_started' || depContainers.length === 0) continue;
      after.push(actions.add({ kind: 'wait', service: dep, condition: cfg.condition, required: cfg.required, for: name, containers: depContainers.map((c) => ({ id: c.Id, name: nameOf(c) })) }, started.get(dep) ?? []));
    }
    const ids: number[] = [];
    for (const c of mine) {
      if (c.State === 'running') continue;
      ids.push(actions.add({ kind: 'start-container', service: name, number: numberOf(c), container: { id: c.Id, name: nameOf(c) }, reason: 'start' }, after));
    }
    started.set(name, ids.length > 0 ? ids : after);
  }
  await run(session, project, 'Running', actions.list);
}

/** Containers of the named services (all when none), running ones only when `running`. */
async function selected(session: Session, project: ComposeProject, services: readonly string[], filter: (c: ContainerSummary) => boolean): Promise<Map<string, ContainerSummary[]>> {
  checkServices(project, services);
  const list = await projectContainers(session.engine, project.name, { all: true, oneOff: false, services });
  return byService(list.filter(filter));
}

const isUp = (c: ContainerSummary) => c.State === 'running' || c.State === 'paused' || c.State === 'restarting';

export async function stopProject(session: Session, project: ComposeProject, options: { services: readonly string[]; timeout?: number; title?: string }): Promise<void> {
  const containers = await selected(session, project, options.services, isUp);
  const actions = new Actions();
  const stops = new Map<string, number[]>();
  const order = startOrder(project, []).reverse();
  const known = new Set(order);
  // Services no longer in the file (orphans) go first.
  for (const name of [...[...containers.keys()].filter((s) => !known.has(s)).sort(), ...order]) {
    const all = { ...project.disabledServices, ...project.services };
    const after = Object.keys(all)
      .filter((other) => all[other].depends_on?.[name])
      .flatMap((other) => stops.get(other) ?? []);
    const ids = (containers.get(name) ?? []).map((c) =>
      actions.add({ kind: 'stop-container', service: name, number: numberOf(c), container: { id: c.Id, name: nameOf(c) }, ...(options.timeout !== undefined ? { timeout: options.timeout } : {}), reason: 'stop' }, after),
    );
    stops.set(name, ids.length > 0 ? ids : after);
  }
  await run(session, project, options.title ?? 'Stopping', actions.list);
}

/** One progress line per container, each verb done at once (no ordering between containers). */
async function eachContainer(
  session: Session,
  title: string,
  containers: readonly ContainerSummary[],
  verb: { working?: string; done: string; error: string },
  act: (c: ContainerSummary, progress: ProgressWriter) => Promise<void>,
): Promise<void> {
  const progress = progressOn(session, title);
  try {
    const results = await Promise.allSettled(
      containers.map(async (c) => {
        const ev = containerEventName(nameOf(c));
        if (verb.working) progress.event(working(ev, verb.working));
        try {
          await act(c, progress);
        } catch (err) {
          progress.event(failed(ev, verb.error));
          throw err;
        }
        progress.event(done(ev, verb.done));
      }),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    progress.stop();
  }
}

export async function restartProject(session: Session, project: ComposeProject, options: { services: readonly string[]; timeout?: number }): Promise<void> {
  const containers = await selected(session, project, options.services, () => true);
  const progress = progressOn(session, 'Restarting');
  try {
    // Dependencies first, each service's containers at once.
    for (const name of startOrder(project, options.services)) {
      await Promise.all(
        (containers.get(name) ?? []).map(async (c) => {
          const ev = containerEventName(nameOf(c));
          progress.event(working(ev, 'Restart'));
          await session.engine.restartContainer(c.Id, { ...(options.timeout !== undefined ? { timeoutSeconds: options.timeout } : {}) });
          progress.event(done(ev, 'Restarted'));
        }),
      );
    }
  } finally {
    progress.stop();
  }
}

export async function killProject(session: Session, project: ComposeProject, options: { services: readonly string[]; signal: string; removeOrphans?: boolean }): Promise<void> {
  const containers = await selected(session, project, options.services, (c) => c.State === 'running' || c.State === 'restarting');
  const list = [...containers.values()].flat();
  if (list.length === 0) {
    session.stderr.write('no container to kill\n');
    return;
  }
  await eachContainer(session, 'Killing', list, { working: 'Killing', done: 'Killed', error: 'Error while Killing' }, (c) => session.engine.killContainer(c.Id, { signal: options.signal }));
}

export async function pauseProject(session: Session, project: ComposeProject, options: { services: readonly string[] }): Promise<void> {
  const list = [...(await selected(session, project, options.services, (c) => c.State === 'running')).values()].flat();
  await eachContainer(session, 'Pausing', list, { done: 'Paused', error: 'Error' }, (c) => session.engine.pauseContainer(c.Id));
}

export async function unpauseProject(session: Session, project: ComposeProject, options: { services: readonly string[] }): Promise<void> {
  const list = [...(await selected(session, project, options.services, (c) => c.State === 'paused')).values()].flat();
  await eachContainer(session, 'Running', list, { done: 'Unpaused', error: 'Error' }, (c) => session.engine.unpauseContainer(c.Id));
}

/**
 * rm: the stopped containers of the services (after stopping them with `stop`), confirmed unless
 * `force`. `confirm` asks the user; it is not called when forced.
 */
export async function removeStopped(
  session: Session,
  project: ComposeProject,
  options: { services: readonly string[]; force: boolean; stop: boolean; volumes: boolean; confirm: (message: string) => Promise<boolean> },
): Promise<void> {
  if (options.stop) await stopProject(session, project, { services: options.services });
  const containers = [...(await selected(session, project, options.services, (c) => !isUp(c))).values()].flat();
  if (containers.length === 0) {
    session.stderr.write('No stopped containers\n');
    return;
  }
  const message = `Going to remove ${containers.map(nameOf).join(', ')}`;
  if (options.force) session.stdout.write(`${message}\n`);
  else if (!(await options.confirm(message))) return;
  await eachContainer(session, 'Removing', containers, { working: 'Removing', done: 'Removed', error: 'Error while Removing' }, (c) =>
    session.engine.removeContainer(c.Id, { force: options.force, volumes: options.volumes }),
  );
}

/** Stops the given containers with their services' pre_stop hooks (up's ctrl-c and --abort-on-container-exit). */
export async function stopContainers(session: Session, project: ComposeProject, containers: readonly ContainerSummary[], progress: ProgressWriter, timeout?: number): Promise<void> {
  await Promise.all(
    containers.map(async (c) => {
      const ev = containerEventName(nameOf(c));
      progress.event(working(ev, 'Stopping'));
      await preStop(session.engine, c.Id, project.services[serviceOf(c)], progress);
      await session.engine.stopContainer(c.Id, { ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) }).catch(() => {});
      progress.event(done(ev, 'Stopped'));
    }),
  );
}
