// POST /containers/{id}/pause and /unpause: the freezer cgroup, through the runtime (runc pause
// works with cgroup v1's freezer and v2's cgroup.freeze alike).
import { Conflict } from '../errors/index.ts';
import type { Container } from './container.ts';
import type { EngineContext } from './context.ts';
import { announce } from './announce.ts';

type PauseDeps = Pick<EngineContext, 'runtime' | 'store' | 'events'>;

export async function pauseContainer(ctx: PauseDeps, c: Container): Promise<void> {
  if (!c.state.Running) throw new Conflict(`Container ${c.id} is not running`);
  if (c.state.Paused) throw new Conflict(`Container ${c.id} is already paused`);
  if (c.state.Restarting) throw new Conflict(`Container ${c.id} is restarting, wait until the container is running`);
  await ctx.runtime.pause(c.id);
  c.record.State.Paused = true;
  await ctx.store.saveState(c);
  announce(ctx, c, 'pause');
}

export async function unpauseContainer(ctx: PauseDeps, c: Container): Promise<void> {
  if (!c.state.Paused) throw new Conflict(`Container ${c.id} is not paused`);
  await ctx.runtime.resume(c.id);
  c.record.State.Paused = false;
  await ctx.store.saveState(c);
  announce(ctx, c, 'unpause');
}

/**
 * A signal sent to a frozen container waits for the thaw (always under cgroup v1): after kill
 * and stop have signalled, the container is thawed so the signal lands.
 */
export async function thawForSignal(ctx: Pick<EngineContext, 'runtime' | 'store'>, c: Container): Promise<void> {
  if (!c.state.Paused) return;
  await ctx.runtime.resume(c.id).catch(() => {});
  c.record.State.Paused = false;
  await ctx.store.saveState(c).catch(() => {});
}
