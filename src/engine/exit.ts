// Handling a container's exit, whether berthd saw it happen (conmon's exit file appeared) or finds
// it recorded after a restart: record the code, release runtime state and the mount, and wake the
// waiters. What follows an exit (--rm, restart policies) is the engine's, see engine.ts.
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
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
  if (!c.state.Running) return;
  const status = await ctx.runtime.exitStatus(c.id);
  if (!status) return; // a spurious report: the container still runs
  await recordExit(ctx, c, { exitCode: status.exitCode, finishedAt: status.finishedAt, oomKilled: status.oomKilled });
}

/**
 * Releases what the run held, then makes the exit visible: the new state is saved before any
 * waiter (or a `rm` queued behind one) can act on it.
 */
export async function recordExit(
  ctx: EngineContext,
  c: Container,
  exit: { exitCode: number; finishedAt: Date; oomKilled: boolean; error?: string },
): Promise<void> {
  // conmon wrote all the output before it recorded the exit: the log is complete before anyone
  // waiting on the exit (logs right after wait, --rm) sees it
  await ctx.logs.finish(logInfo(c)).catch((err: unknown) => ctx.log.warn('finishing the container log failed', { container: c.id, error: err }));
  await Promise.all([
    ctx.runtime.delete(c.id).catch((err: unknown) => ctx.log.warn('cleaning up runtime state failed', { container: c.id, error: err })),
    ctx.layers.unmountRw(c.id).catch((err: unknown) => ctx.log.warn('unmounting container layer failed', { container: c.id, error: err })),
    tearDownNetworking(ctx, c).catch((err: unknown) => ctx.log.warn('releasing the network sandbox failed', { container: c.id, error: err })),
    releaseMounts(ctx, c),
  ]);
  c.processExists = false;
  Object.assign(c.record.State, {
    Running: false,
    Paused: false,
    Restarting: false,
    Pid: 0,
    ExitCode: exit.exitCode,
    OOMKilled: exit.oomKilled,
    Error: exit.error ?? '',
    FinishedAt: exit.finishedAt.toISOString(),
  });
  await ctx.store.saveState(c);
  if (exit.oomKilled) ctx.events.publish('container', 'oom', c.id, { image: c.record.Config.Image, name: c.name });
  ctx.events.publish('container', 'die', c.id, { exitCode: String(exit.exitCode), image: c.record.Config.Image, name: c.name });
  c.notifyExit();
}
