// `up` and `create`: images first (pulls, then builds of what is still missing), the daemon
// observed again (a new image id decides a recreate), then networks, volumes and containers, and
// — for `up` — starts in dependency order with depends_on conditions awaited. Attached, the
// containers' output follows, `name  | line`, until they all stop; ctrl-c stops the project
// ("Gracefully stopping..."), a second one kills it.
import { InvalidArgument } from '../errors/index.ts';
import type { ContainerSummary } from '../types/index.ts';
import { isNotFound, type EngineEvent, type Stream } from './engine.ts';
import { executePlan, type ExecResult } from './executor.ts';
import { dependencyOrder } from './graph.ts';
import { labels } from './labels.ts';
import { killProject, stopContainers } from './lifecycle.ts';
import { LogConsumer, pumpLogs, shortName } from './logs.ts';
import type { ComposeProject } from './model.ts';
import { observeProject, projectContainers } from './observe.ts';
import { planConverge, planImages, type Action, type ObservedState, type Plan, type UpOptions } from './planner.ts';
import { createProgress, done, type ProgressWriter } from './progress.ts';
import { progressOn, warn, type Session } from './session.ts';
import { checkSupported, supportWarnings } from './support.ts';

export interface ImagesOptions {
  quietPull?: boolean;
  /** `build` runs quiet (-q) too. */
  quietBuild?: boolean;
}

/** Pulls and builds what `options` asks for; true when anything ran (then observe again). */
export async function ensureImages(session: Session, project: ComposeProject, observed: ObservedState, options: UpOptions & ImagesOptions): Promise<boolean> {
  const plan = planImages(project, observed, options);
  if (plan.actions.length === 0) return false;
  const pulls = plan.actions.filter((a) => a.kind === 'pull-image');
  const builds = plan.actions.filter((a) => a.kind === 'build-image');
  if (pulls.length > 0) {
    const progress = progressOn(session, 'Running');
    try {
      await executePlan(pulls, { engine: session.engine, project, progress, quietPull: options.quietPull, parallel: session.parallel, sleep: session.sleep });
    } finally {
      progress.stop();
    }
  }
  if (builds.length > 0) {
    // Build output goes to stdout as the daemon sends it: no progress display around it.
    const quiet = createProgress({ mode: 'quiet', out: session.stderr });
    await executePlan(builds, {
      engine: session.engine,
      project,
      progress: quiet,
      parallel: 1,
      sleep: session.sleep,
      ...(session.build ? { build: (a) => session.build!(a, { quiet: !!options.quietBuild }) } : {}),
    });
  }
  return true;
}

/** Existing containers the plan leaves alone: compose shows them "Running" or "Created". */
function untouched(project: ComposeProject, observed: ObservedState, plan: Plan, progress: ProgressWriter): void {
  const touched = new Set<string>();
  for (const a of plan.actions) {
    if ((a.kind === 'stop-container' || a.kind === 'remove-container') && 'id' in a.container) touched.add(a.container.id);
    if (a.kind === 'create-container' && a.replaces) touched.add(a.replaces.id);
  }
  const sorted = [...observed.containers].sort((a, b) => a.name.localeCompare(b.name));
  for (const c of sorted) {
    if (touched.has(c.id) || c.labels[labels.oneoff] === 'True' || !project.services[c.labels[labels.service] ?? '']) continue;
    progress.event(done(`Container ${c.name}`, c.state === 'running' ? 'Running' : 'Created'));
  }
}

const startKinds = new Set<Action['kind']>(['start-container', 'unpause-container', 'wait']);

export interface UpRequest {
  /** Services named on the command line. */
  services: string[];
  plan: UpOptions;
  detach: boolean;
  quietPull?: boolean;
  /** --wait-timeout, seconds. */
  waitTimeout?: number;
  /** Attached mode. */
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  cascade?: 'stop' | 'fail';
  exitCodeFrom?: string;
  timestamps?: boolean;
  noColor?: boolean;
  noLogPrefix?: boolean;
}

/** create: images and containers, nothing started (title "Creating"). */
export async function createProject(session: Session, project: ComposeProject, request: Pick<UpRequest, 'services' | 'plan' | 'quietPull'>): Promise<void> {
  checkSupported(project);
  for (const w of supportWarnings(project)) warn(session, w);
  const apiVersion = await session.engine.apiVersion();
  const options: UpOptions = { ...request.plan, services: request.services, start: false, apiVersion };
  let observed = await observeProject(session.engine, project);
  if (await ensureImages(session, project, observed, { ...options, quietPull: request.quietPull })) observed = await observeProject(session.engine, project);
  const plan = planConverge(project, observed, options);
  for (const w of plan.warnings) warn(session, w);
  const progress = progressOn(session, 'Creating');
  try {
    untouched(project, observed, plan, progress);
    await executePlan(plan, { engine: session.engine, project, progress, parallel: session.parallel, sleep: session.sleep });
  } finally {
    progress.stop();
  }
}

/** up: returns the exit status (0, the --exit-code-from container's, or 130 after ctrl-c). */
export async function upProject(session: Session, project: ComposeProject, request: UpRequest): Promise<number> {
  checkSupported(project);
  for (const w of supportWarnings(project)) warn(session, w);
  const attached = !request.detach && !request.plan.wait;
  const apiVersion = await session.engine.apiVersion();
  const options: UpOptions = { ...request.plan, services: request.services, start: request.plan.start !== false, apiVersion };
  let observed = await observeProject(session.engine, project);
  if (await ensureImages(session, project, observed, { ...options, quietPull: request.quietPull })) observed = await observeProject(session.engine, project);
  const plan = planConverge(project, observed, options);
  for (const w of plan.warnings) warn(session, w);

  const progress = progressOn(session, 'Running');
  const ctl = new AbortController();
  const stopInterrupts = session.onInterrupt(() => ctl.abort());
  let result: ExecResult;
  try {
    untouched(project, observed, plan, progress);
    const first = attached ? plan.actions.filter((a) => !startKinds.has(a.kind)) : plan.actions;
    const run = executePlan(first, { engine: session.engine, project, progress, parallel: session.parallel, sleep: session.sleep, signal: ctl.signal });
    result = request.waitTimeout && request.plan.wait ? await withTimeout(run, request.waitTimeout, session) : await run;
  } catch (err) {
    progress.stop();
    stopInterrupts();
    if (ctl.signal.aborted) return 130;
    throw err;
  }
  progress.stop();
  stopInterrupts();
  if (!attached || options.start === false) return 0;
  return attachAndStart(session, project, request, plan, result);
}

async function withTimeout<T>(p: Promise<T>, seconds: number, session: Session): Promise<T> {
  let timer: Promise<never> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = session.sleep(seconds * 1000).then(() => reject(new InvalidArgument(`application not healthy after ${seconds}s`))) as Promise<never>;
  });
  void timer;
  return Promise.race([p, expired]);
}

/** The services whose output `up` shows. */
function attachedServices(project: ComposeProject, request: UpRequest): Set<string> {
  const all = Object.keys(project.services);
  let chosen: string[];
  if (request.attach && request.attach.length > 0) chosen = request.attach;
  else if (request.services.length > 0 && !request.attachDependencies) chosen = request.services;
  else chosen = all;
  const noAttach = new Set(request.noAttach ?? []);
  return new Set(chosen.filter((s) => project.services[s] && project.services[s].attach !== false && !noAttach.has(s)));
}

interface Watched {
  container: ContainerSummary;
  name: string;
  stream?: Stream<unknown>;
  /** Exits seen while it was to restart: a start after one is a restart, to attach again. */
  restarts: number;
}

async function attachAndStart(session: Session, project: ComposeProject, request: UpRequest, plan: Plan, created: ExecResult): Promise<number> {
  const { engine } = session;
  const consumer = new LogConsumer(session.stdout, session.stderr, { color: session.color && !request.noColor, prefix: !request.noLogPrefix, timestamps: !!request.timestamps });
  const wanted = attachedServices(project, request);
  const containers = (await projectContainers(engine, project.name, { all: true, oneOff: false })).filter((c) => wanted.has(c.Labels?.[labels.service] ?? ''));
  containers.sort((a, b) => shortName(a).localeCompare(shortName(b)));
  session.stdout.write(`Attaching to ${containers.map(shortName).join(', ')}\n`);

  const watched = new Map<string, Watched>();
  const pumps: Promise<void>[] = [];
  const attach = async (c: ContainerSummary) => {
    const name = shortName(c);
    consumer.register(name);
    const view = await engine.inspectContainer(c.Id);
    const stream = await engine.attach(c.Id, { tty: view.Config.Tty });
    const w: Watched = watched.get(c.Id) ?? { container: c, name, restarts: 0 };
    w.stream = stream;
    watched.set(c.Id, w);
    pumps.push(pumpLogs(consumer, name, stream).catch(() => {}));
  };
  for (const c of containers) await attach(c);

  // The daemon's events say when a container stops, restarts or is replaced.
  const events = await engine.events({ filters: { type: ['container'] } });
  let exitCode = 0;
  let aborting = false;
  let interrupted = false;
  let exitCodeFrom = request.exitCodeFrom;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // The starts of the second phase, settled: an abort stops what they started, so it waits for
  // them (a container whose start is still on its way is not running yet, and would be missed).
  let startsSettled!: () => void;
  const starts = new Promise<void>((resolve) => (startsSettled = resolve));
  const live = new Set(watched.keys());

  const stopAll = async (title: string) => {
    const progress = progressOn(session, title);
    try {
      const running = (await projectContainers(engine, project.name, { all: false, oneOff: false })).filter((c) => project.services[c.Labels?.[labels.service] ?? '']);
      const order = dependencyOrder(project.services).reverse();
      for (const svc of order) await stopContainers(session, project, running.filter((c) => c.Labels?.[labels.service] === svc), progress, request.plan.timeout);
    } finally {
      progress.stop();
    }
  };

  const stopInterrupts = session.onInterrupt((count) => {
    if (count === 1) {
      interrupted = true;
      aborting = true;
      consumer.mute();
      session.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
      void stopAll('Stopping').then(finish, finish);
    } else {
      void killProject(session, project, { services: [], signal: 'SIGKILL' }).catch(() => {}).then(finish);
    }
  });

  const watch = (async () => {
    for await (const e of events as AsyncIterable<EngineEvent>) {
      if (e.Type !== 'container') continue;
      const id = e.Actor.ID;
      if (e.Action === 'die') {
        const w = watched.get(id);
        if (!w || !live.has(id)) continue;
        const svc = w.container.Labels?.[labels.service] ?? '';
        let restarting = false;
        let code = Number.parseInt(e.Actor.Attributes.exitCode ?? '0', 10) || 0;
        try {
          const v = await engine.inspectContainer(id);
          restarting = v.State.Restarting || v.State.Running;
          code = v.State.ExitCode;
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        if (!aborting) consumer.status(w.name, `exited with code ${code}`);
        if (restarting) w.restarts++;
        else live.delete(id);
        if (request.cascade === 'fail' && code !== 0) {
          exitCodeFrom = svc;
        }
        if (request.cascade === 'stop' && exitCodeFrom === undefined) exitCodeFrom = svc;
        if (exitCodeFrom === svc) exitCode = code;
        if ((request.cascade === 'stop' || (request.cascade === 'fail' && code !== 0)) && !aborting) {
          aborting = true;
          consumer.mute();
          session.stdout.write('Aborting on container exit...\n');
          await starts;
          await stopAll('Stopping');
          finish();
          return;
        }
        if (live.size === 0) {
          finish();
          return;
        }
      } else if (e.Action === 'start') {
        if (aborting) continue;
        const known = watched.get(id);
        if (known) {
          // A restart: the old attach ended with the exit; attach again.
          if (live.has(id) && known.restarts > 0) {
            known.restarts--;
            await attach(known.container).catch(() => {});
          }
          continue;
        }
        {
          // A container of the project started by someone else, or a replacement: attach when wanted.
          const [c] = (await projectContainers(engine, project.name, { all: true, oneOff: false })).filter((x) => x.Id === id);
          if (c && wanted.has(c.Labels?.[labels.service] ?? '')) {
            live.add(id);
            await attach(c).catch(() => {});
          }
        }
      }
    }
  })().catch(() => finish());

  try {
    const second = plan.actions.filter((a) => startKinds.has(a.kind));
    const quiet = createProgress({ mode: 'quiet', out: session.stderr });
    try {
      await executePlan(second, { engine, project, progress: quiet, parallel: session.parallel, sleep: session.sleep, created: created.created });
    } catch (err) {
      if (!interrupted) {
        events.close();
        stopInterrupts();
        throw err;
      }
    } finally {
      startsSettled();
    }
    if (live.size === 0) finish();
    await finished;
  } finally {
    events.close();
    for (const w of watched.values()) w.stream?.close();
    stopInterrupts();
    await watch;
    await Promise.allSettled(pumps);
  }
  return interrupted ? 130 : exitCode;
}
