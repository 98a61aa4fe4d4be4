// Handling a container's exit, whether berthd saw it happen (conmon's exit file appeared) or finds
// it recorded after a restart: record the code, release runtime state and the mount, and wake the
// waiters. The restart policy decides with the exit (restart.ts): a container it restarts is
// `restarting` from then on, as in dockerd; --rm is the engine's, see engine.ts.
import { oomKilled } from '../cgroups/index.ts';
import { announce } from './announce.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { cgroupsPathOf, unmountSharedShm } from './governance.ts';
import { logInfo } from './logs.ts';
import { releaseMounts } from './mounts.ts';
import { tearDownNetworking } from './network.ts';

const handling = new WeakMap<Container, { done: Promise<void>; again: boolean }>();

/**
 * Processes `c`'s exit once, however many times it is reported; a no-op while it runs. A report
 * that arrives while a check is in flight runs the check again afterwards: the earlier check may
 * have looked before conmon wrote the exit file.
 */
export function handleExit(ctx: EngineContext, c: Container): Promise<void> {
  const inFlight = handling.get(c);
  if (inFlight) {
    inFlight.again = true;
    return inFlight.done;
  }
  const entry = { done: Promise.resolve(), again: false };
  entry.done = (async () => {
    try {
      do {
        entry.again = false;
        await processExit(ctx, c);
      } while (entry.again);
    } finally {
      handling.delete(c);
    }
  })();
  handling.set(c, entry);
  return entry.done;
}

async function processExit(ctx: EngineContext, c: Container): Promise<void> {
  // a restarting container's process is the restart being started: the start looks once it is done
  if (!c.state.Running || c.state.Restarting) return;
  const status = await ctx.runtime.exitStatus(c.id);
  if (!status) return; // a spurious report: the container still runs
  await recordExit(ctx, c, { exitCode: status.exitCode, finishedAt: status.finishedAt, oomKilled: status.oomKilled });
}

/**
 * Releases what the run held, then makes the exit visible: the new state is saved before any
 * waiter (or a `rm` queued behind one) can act on it. The restart policy decides here, before the
 * state is saved and `die` published, so that nobody sees a container it restarts as stopped; the
 * backoff is counted from now, while the release runs.
 */
export async function recordExit(
  ctx: EngineContext,
  c: Container,
  exit: { exitCode: number; finishedAt: Date; oomKilled: boolean; error?: string },
): Promise<void> {
  // The cgroup's OOM-kill count, read before `runc delete` removes the cgroup.
  const oomKills = await ctx.cgroups.oomKills(cgroupsPathOf(ctx, c)).catch(() => 0);
  const oom = oomKilled({ exitCode: exit.exitCode, conmonOom: exit.oomKilled, oomKills });
  ctx.health.stop(c);
  const seenAt = ctx.clock.now().getTime();
  const ranMs = exit.finishedAt.getTime() - Date.parse(c.state.StartedAt);
  const decision = exit.error ? ({ restart: false } as const) : ctx.restarts.decide(c, { exitCode: exit.exitCode, ranMs });
  const releaseNetwork = () => tearDownNetworking(ctx, c).catch((err: unknown) => ctx.log.warn('releasing the network sandbox failed', { container: c.id, error: err }));
  await Promise.all([
    // conmon wrote all the output before it recorded the exit: the log is complete before anyone
    // waiting on the exit (logs right after wait, --rm, a restart's new run) sees it
    ctx.logs.finish(logInfo(c)).catch((err: unknown) => ctx.log.warn('finishing the container log failed', { container: c.id, error: err })),
    ctx.runtime.delete(c.id).catch((err: unknown) => ctx.log.warn('cleaning up runtime state failed', { container: c.id, error: err })),
    ctx.layers.unmountRw(c.id).catch((err: unknown) => ctx.log.warn('unmounting container layer failed', { container: c.id, error: err })),
    // a container its policy restarts keeps its network sandbox (addresses, ports) for the next run
    decision.restart ? undefined : releaseNetwork(),
    releaseMounts(ctx, c),
  ]);
  unmountSharedShm(ctx, c);
  c.processExists = false;
  const restart = decision.restart && ctx.restarts.stillWanted(c);
  if (decision.restart && !restart) await releaseNetwork();
  Object.assign(c.record.State, {
    // dockerd's SetRestarting: a restarting container counts as running for rm, stop, exec…
    Running: restart,
    Paused: false,
    Restarting: restart,
    Pid: 0,
    ExitCode: exit.exitCode,
    OOMKilled: oom,
    Error: exit.error ?? '',
    FinishedAt: exit.finishedAt.toISOString(),
  });
  if (restart) c.record.RestartCount++;
  await ctx.store.saveState(c);
  if (oom) announce(ctx, c, 'oom');
  announce(ctx, c, 'die', { exitCode: String(exit.exitCode) });
  c.notifyExit();
  if (restart && decision.restart) ctx.restarts.schedule(c, Math.max(0, decision.delayMs - (ctx.clock.now().getTime() - seenAt)));
}

/**
 * A restart that will not happen (cancelled, or its start failed): the container is stopped, and
 * the network sandbox it kept for the restart is released.
 */
export async function settleStopped(ctx: Pick<EngineContext, 'store' | 'network' | 'log'>, c: Container): Promise<void> {
  if (!c.state.Restarting) return;
  await tearDownNetworking(ctx, c).catch((err: unknown) => ctx.log.warn('releasing the network sandbox failed', { container: c.id, error: err }));
  Object.assign(c.record.State, { Running: false, Restarting: false, Pid: 0 });
  await ctx.store.saveState(c);
  c.notifyExit();
}
