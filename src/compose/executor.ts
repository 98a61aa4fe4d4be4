// Carries out a plan's actions through the engine: each action as soon as the actions it waits
// for are done (so independent services are created and started at once, up to --parallel), with
// compose's progress lines. A failing action fails what depends on it; nothing new is begun
// after a failure, what was already begun finishes, and what already started keeps running — as
// compose does — and the error names the service that failed.
import { createTarPacker } from '../archive/index.ts';
import { InvalidArgument } from '../errors/index.ts';
import { injectedFiles } from './create-request.ts';
import { EngineError, isConflict, isNotFound, type ComposeEngine, type ContainerInspectView } from './engine.ts';
import type { ComposeProject, ServiceConfig } from './model.ts';
import type { Action, ContainerRef, Plan } from './planner.ts';
import { done, failed, warning, working, type ProgressWriter } from './progress.ts';

export type BuildAction = Extract<Action, { kind: 'build-image' }>;
export type PullAction = Extract<Action, { kind: 'pull-image' }>;

export interface ExecContext {
  engine: ComposeEngine;
  project: ComposeProject;
  progress: ProgressWriter;
  /** Builds the image of a build-image action (packing the context, showing the output). */
  build?: (action: BuildAction) => Promise<unknown>;
  /** Pulls without per-layer progress. */
  quietPull?: boolean;
  /** At most this many actions at once; 0 or less: no limit (compose's --parallel -1). */
  parallel?: number;
  /** Waits between two looks at a container awaited by a `wait` action. */
  sleep(ms: number): Promise<void>;
  /** Once aborted, nothing new is begun (ctrl-c). */
  signal?: AbortSignal;
  /** Containers already created by an earlier run (a plan run in two phases): action id → container id. */
  created?: Map<number, string>;
}

/** A failure of an action, naming the service (or resource) it concerns. */
export class ActionError extends Error {
  readonly action: Action;
  readonly status: number | undefined;
  constructor(action: Action, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.action = action;
    this.status = cause instanceof EngineError ? cause.status : (cause as { status?: number } | undefined)?.status;
    this.cause = cause;
  }
}

export const containerEventName = (name: string) => `Container ${name}`;
export const networkEventName = (name: string) => `Network ${name}`;
export const volumeEventName = (name: string) => `Volume ${JSON.stringify(name)}`;

/** The name a ContainerRef has once the plan ran (a recreated container is renamed last). */
function finalNames(plan: readonly Action[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const a of plan) {
    if (a.kind === 'create-container') out.set(a.id, a.name);
    if (a.kind === 'rename-container' && 'createdBy' in a.container) out.set(a.container.createdBy, a.name);
  }
  return out;
}

/** Writes secrets and configs given by value into a created container. */
export async function writeInjectedFiles(engine: ComposeEngine, id: string, project: ComposeProject, service: ServiceConfig): Promise<void> {
  const files = injectedFiles(project, service);
  if (files.length === 0) return;
  const pack = createTarPacker();
  const dirs = new Set<string>();
  const done = (async () => {
    for (const f of files) {
      const parts = f.target.split('/').filter(Boolean);
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (dirs.has(dir)) continue;
        dirs.add(dir);
        await pack.entry({ name: `${dir}/`, type: 'directory', mode: 0o755 });
      }
      const data = Buffer.from(f.content);
      const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : 0);
      await pack.entry({ name: parts.join('/'), type: 'file', mode: f.mode ?? 0o444, uid: num(f.uid), gid: num(f.gid), size: data.length, mtime: new Date() }, [data]);
    }
    await pack.finish();
  })();
  await Promise.all([engine.putArchive(id, '/', pack.stream), done]);
}

/** Runs a service's post_start hooks in a started container; a failing one fails the start. */
async function postStart(engine: ComposeEngine, id: string, service: ServiceConfig): Promise<void> {
  for (const hook of service.post_start ?? []) {
    const env = Object.entries(hook.environment ?? {}).map(([k, v]) => (v === null ? k : `${k}=${v}`));
    const r = await engine.execAndWait(id, { cmd: hook.command, user: hook.user, workingDir: hook.working_dir, env, privileged: hook.privileged });
    if (r.exitCode !== 0) {
      const out = r.output.trim();
      throw new InvalidArgument(`${service.name} hook exited with status ${r.exitCode}${out ? `: ${out}` : ''}`);
    }
  }
}

/** pre_stop hooks, run before a container of the service is stopped (failures only warn: the stop goes on). */
export async function preStop(engine: ComposeEngine, id: string, service: ServiceConfig | undefined, progress: ProgressWriter): Promise<void> {
  for (const hook of service?.pre_stop ?? []) {
    const env = Object.entries(hook.environment ?? {}).map(([k, v]) => (v === null ? k : `${k}=${v}`));
    try {
      const r = await engine.execAndWait(id, { cmd: hook.command, user: hook.user, workingDir: hook.working_dir, env, privileged: hook.privileged });
      if (r.exitCode !== 0) progress.tail(`${service!.name} pre_stop hook exited with status ${r.exitCode}`);
    } catch (err) {
      progress.tail(`${service!.name} pre_stop hook failed: ${(err as Error).message}`);
    }
  }
}

type WaitOutcome = 'pending' | 'met' | { error: string } | { skipped: string };

/** compose's isServiceHealthy / isServiceCompleted over one look at each container. */
function judge(condition: Extract<Action, { kind: 'wait' }>['condition'], service: string, views: ContainerInspectView[]): WaitOutcome {
  if (condition === 'service_completed_successfully') {
    for (const v of views) {
      if (v.State.Status === 'exited') {
        if (v.State.ExitCode === 0) continue;
        return { error: `service ${JSON.stringify(service)} didn't complete successfully: exit ${v.State.ExitCode}` };
      }
      return 'pending';
    }
    return 'met';
  }
  for (const v of views) {
    const name = v.Name.replace(/^\//, '');
    if (v.State.Status === 'exited') return { error: `container ${name} exited (${v.State.ExitCode})` };
    const hasCheck = !!v.Config.Healthcheck && !(v.Config.Healthcheck.Test?.[0] === 'NONE');
    if (!hasCheck && condition === 'running_or_healthy') {
      if (v.State.Status !== 'running') return 'pending';
      continue;
    }
    if (condition === 'service_started') continue;
    const health = v.State.Health?.Status;
    if (!health) return { error: `container ${name} has no healthcheck configured` };
    if (health === 'healthy') continue;
    if (health === 'unhealthy') return { error: `container ${name} is unhealthy` };
    if (health === 'starting') return 'pending';
    return { error: `container ${name} had unexpected health status ${JSON.stringify(health)}` };
  }
  return 'met';
}

export interface ExecResult {
  /** create-container action id → the container's id. */
  created: Map<number, string>;
}

/**
 * Runs `actions` (a whole plan or a part of one; an action waiting for one outside the part
 * counts it as done). Throws the first failure once everything begun has ended.
 */
export async function executePlan(plan: Plan | readonly Action[], ctx: ExecContext): Promise<ExecResult> {
  const actions = Array.isArray(plan) ? (plan as readonly Action[]) : (plan as Plan).actions;
  const created = ctx.created ?? new Map<number, string>();
  const names = finalNames(actions);
  const mine = new Set(actions.map((a) => a.id));
  const state = new Map<number, 'pending' | 'running' | 'done' | 'failed'>();
  for (const a of actions) state.set(a.id, 'pending');
  const running = new Map<number, Promise<void>>();
  let firstError: ActionError | undefined;
  const limit = ctx.parallel && ctx.parallel > 0 ? ctx.parallel : Infinity;
  const { engine, progress } = ctx;

  const ref = (r: ContainerRef): string => {
    if ('id' in r) return r.id;
    const id = created.get(r.createdBy);
    if (id === undefined) throw new Error(`container of action #${r.createdBy} was not created`);
    return id;
  };
  const refName = (r: ContainerRef): string => ('name' in r ? r.name : (names.get(r.createdBy) ?? `#${r.createdBy}`));
  const service = (name: string): ServiceConfig | undefined => ctx.project.services[name] ?? ctx.project.disabledServices[name];
  /** Removes a volume or image other projects may share: gone or still used is a note, not a failure. */
  const removeShared = async (ev: string, remove: () => Promise<void>): Promise<void> => {
    progress.event(working(ev, 'Removing'));
    try {
      await remove();
    } catch (err) {
      if (isNotFound(err)) return progress.event(done(ev, 'Warning: No resource found to remove'));
      if (isConflict(err)) return progress.event(warning(ev, 'Resource is still in use'));
      progress.event(failed(ev));
      throw err;
    }
    progress.event(done(ev, 'Removed'));
  };

  const run = async (a: Action): Promise<void> => {
    switch (a.kind) {
      case 'pull-image': {
        const id = a.services[0];
        progress.event({ id, status: 'working', statusText: '', text: 'Pulling' });
        try {
          const stream = await engine.pullImage(a.image, { platform: a.platform });
          for await (const m of stream) {
            if (m.error || m.errorDetail) throw new EngineError(500, m.errorDetail?.message ?? m.error ?? 'pull failed');
            if (!ctx.quietPull && m.id && m.status && m.progressDetail !== undefined) {
              const total = m.progressDetail.total ?? 0;
              const current = m.progressDetail.current ?? 0;
              const complete = ['Download complete', 'Already exists', 'Pull complete'].includes(m.status);
              progress.event({
                id: m.id,
                parentId: id,
                status: complete ? 'done' : 'working',
                text: m.status,
                statusText: m.progress ?? '',
                ...(total ? { total, current, percent: Math.trunc((current * 100) / total) } : complete ? { percent: 100 } : {}),
              });
            }
          }
        } catch (err) {
          if (a.optional) {
            progress.event({ id, status: 'warning', statusText: '', text: 'Warning' });
            progress.tail(`WARNING: Some service image(s) must be built from source by running:\n    docker compose build ${a.services.join(' ')}`);
            return;
          }
          progress.event({ id, status: 'error', statusText: '', text: 'Error' });
          throw err;
        }
        progress.event({ id, status: 'done', statusText: '', text: 'Pulled' });
        for (const other of a.services.slice(1)) progress.event({ id: other, status: 'done', statusText: '', text: `Skipped - Image is already being pulled by ${id}` });
        return;
      }
      case 'build-image': {
        if (a.skipIfPresent && (await engine.inspectImage(a.image))) return;
        if (!ctx.build) throw new InvalidArgument(`service ${JSON.stringify(a.service)} must be built: no builder available`);
        await ctx.build(a);
        return;
      }
      case 'create-network': {
        const ev = networkEventName(a.name);
        progress.event(working(ev, 'Creating'));
        try {
          await engine.createNetwork(a.request);
        } catch (err) {
          progress.event(failed(ev));
          throw new InvalidArgument(`failed to create network ${a.name}: ${(err as Error).message}`);
        }
        progress.event(done(ev, 'Created'));
        return;
      }
      case 'remove-network': {
        const ev = networkEventName(a.name);
        progress.event(working(ev, 'Removing'));
        try {
          await engine.removeNetwork(a.name);
        } catch (err) {
          if (isNotFound(err)) return progress.event(warning(ev, 'No resource found to remove'));
          if (isConflict(err) || (err instanceof EngineError && /active endpoints|in use/i.test(err.message))) return progress.event(warning(ev, 'Resource is still in use'));
          progress.event(failed(ev));
          throw err;
        }
        progress.event(done(ev, 'Removed'));
        return;
      }
      case 'create-volume': {
        const ev = volumeEventName(a.name);
        progress.event(working(ev, 'Creating'));
        try {
          await engine.createVolume(a.request);
        } catch (err) {
          progress.event(failed(ev));
          throw err;
        }
        progress.event(done(ev, 'Created'));
        return;
      }
      case 'remove-volume':
        return removeShared(volumeEventName(a.name), () => engine.removeVolume(a.name, { force: false }));
      case 'remove-image':
        return removeShared(`Image ${a.image}`, () => engine.removeImage(a.image, { force: false }));
      case 'create-container': {
        const ev = containerEventName(a.replaces ? a.replaces.name : a.name);
        progress.event(working(ev, a.replaces ? 'Recreate' : 'Creating'));
        try {
          const { id } = await engine.createContainer(a.request);
          created.set(a.id, id);
          for (const c of a.request.connect) await engine.connectNetwork(c.network, id, c.endpoint);
          const svc = service(a.service);
          if (svc) await writeInjectedFiles(engine, id, ctx.project, svc);
        } catch (err) {
          progress.event(failed(ev, err instanceof EngineError ? `Error response from daemon: ${err.message}` : (err as Error).message));
          throw err;
        }
        if (!a.replaces) progress.event(done(ev, 'Created'));
        return;
      }
      case 'rename-container': {
        await engine.renameContainer(ref(a.container), a.name);
        const create = actions.find((x) => 'createdBy' in a.container && x.id === a.container.createdBy);
        const oldName = create?.kind === 'create-container' && create.replaces ? create.replaces.name : a.name;
        progress.event(done(containerEventName(oldName), 'Recreated'));
        return;
      }
      case 'stop-container': {
        // The stops and removals of a recreate are part of its one "Recreate" line.
        const quiet = a.reason.startsWith('replaced by');
        const ev = containerEventName(refName(a.container));
        if (!quiet) progress.event(working(ev, 'Stopping'));
        const id = ref(a.container);
        await preStop(engine, id, service(a.service), progress);
        try {
          await engine.stopContainer(id, { ...(a.timeout !== undefined ? { timeoutSeconds: a.timeout } : {}) });
        } catch (err) {
          if (!isNotFound(err)) {
            if (!quiet) progress.event(failed(ev, 'Error while Stopping'));
            throw err;
          }
        }
        if (!quiet) progress.event(done(ev, 'Stopped'));
        return;
      }
      case 'remove-container': {
        const quiet = a.reason.startsWith('replaced by');
        const ev = containerEventName(refName(a.container));
        if (!quiet) progress.event(working(ev, 'Removing'));
        try {
          await engine.removeContainer(ref(a.container), { force: true, volumes: a.removeVolumes });
        } catch (err) {
          if (!isNotFound(err)) {
            if (!quiet) progress.event(failed(ev, 'Error while Removing'));
            throw err;
          }
        }
        if (!quiet) progress.event(done(ev, 'Removed'));
        return;
      }
      case 'start-container': {
        const ev = containerEventName(refName(a.container));
        progress.event(working(ev, 'Starting'));
        const id = ref(a.container);
        try {
          await engine.startContainer(id);
          const svc = service(a.service);
          if (svc) await postStart(engine, id, svc);
        } catch (err) {
          progress.event(failed(ev, err instanceof EngineError ? `Error response from daemon: ${err.message}` : (err as Error).message));
          throw err;
        }
        progress.event(done(ev, 'Started'));
        return;
      }
      case 'unpause-container': {
        const ev = containerEventName(refName(a.container));
        await engine.unpauseContainer(ref(a.container));
        progress.event(done(ev, 'Unpaused'));
        return;
      }
      case 'wait': {
        const ids = a.containers.map(ref);
        const evs = a.containers.map((c) => containerEventName(refName(c)));
        for (const ev of evs) progress.event(working(ev, 'Waiting'));
        for (;;) {
          const views = await Promise.all(ids.map((id) => engine.inspectContainer(id)));
          const outcome = judge(a.condition, a.service, views);
          if (outcome === 'met') {
            for (const ev of evs) progress.event(done(ev, a.condition === 'service_completed_successfully' ? 'Exited' : 'Healthy'));
            return;
          }
          if (outcome !== 'pending') {
            const message = 'error' in outcome ? outcome.error : outcome.skipped;
            if (!a.required) {
              for (const ev of evs) progress.event(warning(ev, `Skipped: optional dependency ${JSON.stringify(a.service)} ${message}`));
              return;
            }
            for (const ev of evs) progress.event(failed(ev, a.condition === 'service_completed_successfully' ? message : 'Error'));
            throw new InvalidArgument(a.condition === 'service_completed_successfully' ? message : `dependency failed to start: ${message}`);
          }
          if (ctx.signal?.aborted) throw new InvalidArgument('canceled');
          await ctx.sleep(100);
        }
      }
    }
  };

  const isDone = (id: number) => !mine.has(id) || state.get(id) === 'done';
  const blocked = (a: Action) => a.after.some((d) => mine.has(d) && state.get(d) === 'failed');

  for (;;) {
    let progressed = false;
    for (const a of actions) {
      if (state.get(a.id) !== 'pending') continue;
      if (blocked(a)) {
        state.set(a.id, 'failed');
        progressed = true;
        continue;
      }
      if (firstError || ctx.signal?.aborted || running.size >= limit) continue;
      if (!a.after.every(isDone)) continue;
      state.set(a.id, 'running');
      progressed = true;
      running.set(
        a.id,
        run(a).then(
          () => {
            state.set(a.id, 'done');
            running.delete(a.id);
          },
          (err: unknown) => {
            state.set(a.id, 'failed');
            running.delete(a.id);
            firstError ??= err instanceof ActionError ? err : new ActionError(a, err);
          },
        ),
      );
    }
    if (running.size === 0) {
      if (!progressed) break;
      continue;
    }
    await Promise.race(running.values());
  }
  if (firstError) throw firstError;
  if (ctx.signal?.aborted) throw new InvalidArgument('canceled');
  return { created };
}
